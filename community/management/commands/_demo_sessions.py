"""Demo sessions: one that starts a few minutes after `make run` (questions a minute or
two apart, so a newcomer sees them released live) and a past one with a full archive."""

import datetime as dt
import random

from django.utils import timezone

from community.models import ChatMessage, ChatSession, SessionQuestion, User
from community.services import attendance, chat, sessions
from community.services.sessions import RunSheet

LIVE_TITLE = "Retrieval practice in five minutes"
LIVE_INTRO = (
    "A quick hour's worth of ideas in half an hour: how do you start lessons with "
    "retrieval practice without it turning into a test? Answer each question with its "
    "tag (A1 for Q1 and so on) and reply to each other."
)
LIVE_QUESTIONS = [
    "What did your class retrieve at the start of your last lesson?",
    "Low stakes or no stakes: do you record the scores?",
    "How do you choose what comes back: last lesson, last week, last term?",
    "Which format works best with your youngest pupils?",
    "How do you stop the starter from eating the lesson?",
    "What do you do when most of the class has forgotten?",
    "One retrieval idea you will try next week?",
    "Who here would you like to swap resources with?",
]

PAST_TITLE = "Questioning that makes pupils think"
PAST_INTRO = "Wait time, no hands up, and the questions we ask after the first answer."
PAST = [
    (
        "What question did you ask most often this week?",
        [
            "'Can anyone tell me…?' Far too often, and the same three hands go up.",
            "'What do you notice?' in maths. It opens things up.",
            "'Why?' and then 'how do you know?' until they've explained it properly.",
        ],
    ),
    (
        "How long do you wait after asking?",
        [
            "I counted once: under a second. Now I count to five in my head.",
            "Think-pair-share buys the wait time without the awkward silence.",
            "Mini whiteboards: everyone answers, so waiting feels productive.",
        ],
    ),
    (
        "What happens when a pupil gets it wrong?",
        [
            "I ask someone to build on it rather than correct it.",
            "'Say more about that' — half the time they fix it themselves.",
        ],
    ),
    (
        "What will you try next week?",
        [
            "No hands up for a whole week with Year 9. Wish me luck.",
            "Writing my hinge questions before the lesson, not during it.",
            "Recording myself for ten minutes to count my wait time.",
        ],
    ),
]


def seed_sessions(staff: User, moderator: User) -> None:
    people = list(User.objects.filter(is_staff=False).exclude(pk=moderator.pk).order_by("pk"))
    now = timezone.now()
    soon = ChatSession.objects.filter(title=LIVE_TITLE, ended_at=None, starts_at__gt=now)
    if not soon.exists():
        sessions.create_session(
            actor=staff,
            sheet=RunSheet(
                title=LIVE_TITLE,
                starts_at=(now + dt.timedelta(minutes=3)).replace(second=0, microsecond=0)
                + dt.timedelta(minutes=1),
                duration_minutes=30,
                questions=LIVE_QUESTIONS,
                offsets=[1, 3, 5, 7, 9, 11, 13, 15],
                intro=LIVE_INTRO,
                cohosts=(moderator,),
            ),
        )
    if not ChatSession.objects.filter(title=PAST_TITLE).exists():
        _past_session(staff, moderator, people)


def _past_session(staff: User, moderator: User, people: list[User]) -> None:
    """Run a session now, quickly, then move it a week into the past."""
    rng = random.Random(5)
    now = timezone.now()
    session = sessions.create_session(
        actor=staff,
        sheet=RunSheet(
            title=PAST_TITLE,
            starts_at=now + dt.timedelta(minutes=1),
            duration_minutes=60,
            questions=[question for question, _ in PAST],
            intro=PAST_INTRO,
            cohosts=(moderator,),
        ),
    )
    sessions.control(actor=staff, session=session, action="start")
    for _, answers in PAST:
        sessions.release_next(actor=staff, session=session)
        sends = [chat.Send(rng.choice(people), answer) for answer in answers]
        results = chat.send_messages(room=session.room, sends=sends)
        best = results[rng.randrange(len(results))]
        if isinstance(best, tuple):
            chat.toggle_pin(actor=staff, message=best[0])
    sessions.control(actor=staff, session=session, action="end")
    week = dt.timedelta(days=7)
    ChatSession.objects.filter(pk=session.pk).update(
        starts_at=session.started_at - week,  # on time, as far as anyone can tell
        started_at=None,
        ended_at=session.started_at - week + dt.timedelta(minutes=58),
    )
    for question in SessionQuestion.objects.filter(session=session):
        SessionQuestion.objects.filter(pk=question.pk).update(
            released_at=question.released_at - week + dt.timedelta(minutes=question.number * 12)
        )
    for message in ChatMessage.objects.filter(room=session.room).select_related("question"):
        minute = (message.question.number if message.question else 0) * 12 + rng.randrange(1, 11)
        ChatMessage.objects.filter(pk=message.pk).update(
            created_at=session.started_at - week + dt.timedelta(minutes=minute)
        )
    _attend(session, [staff, moderator], people, rng)


def _attend(session: ChatSession, hosts: list[User], people: list[User], rng) -> None:
    """Who was in the room last week and for how long (the hosts throughout, Amira and
    those who answered most of the hour, a few who looked in), then the CPD record
    entries, written by the same services as a live session's."""
    session.refresh_from_db()
    stream, began = session.room.stream, session.began_at
    answered = set(ChatMessage.objects.filter(room=session.room).values_list("author", flat=True))
    amira = [p for p in people if p.username == "amira"]
    stayed = [p for p in people if p.pk in answered] + amira + people[:6]
    for person in dict.fromkeys([*hosts, *stayed]):  # each once, in order
        host = person in hosts
        arrived = began + dt.timedelta(minutes=-3 if host else rng.randrange(0, 9))
        left = began + dt.timedelta(minutes=58 if host else rng.randrange(35, 59))
        attendance.arrived(stream, person, now=arrived)
        attendance.left(stream, person, now=left)
    for person in people[6:10]:  # looked in briefly (under a minute: not recorded)
        start = began + dt.timedelta(minutes=rng.randrange(10, 40))
        attendance.arrived(stream, person, now=start)
        attendance.left(stream, person, now=start + dt.timedelta(minutes=rng.randrange(0, 4)))
    sessions.record_attendance(session)
