"""Timed chat sessions: writing the run-sheet, the hosts' controls, and releasing
questions on time (docs/sessions.md).

Releases need no scheduler: whoever notices that a question is due (a page, a socket, a
server process's timer) calls `release_due`, and a conditional UPDATE lets exactly one
of them stamp it and announce it in the room's stream."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from community import rules
from community.markdown import render_markdown
from community.models import ChatRoom, ChatSession, SessionQuestion, SessionRSVP, Space, User
from community.models.sessions import DURATIONS, MAX_QUESTIONS
from realtime import streams

QUESTION_MAX_LENGTH = 500
INTRO_MAX_LENGTH = 5000


@dataclass
class RunSheet:
    """What a host fills in. Offsets (minutes after the start) are optional: left out,
    the questions are spread evenly over the session."""

    title: str
    starts_at: datetime  # aware; the form reads it in the host's zone
    duration_minutes: int
    questions: list[str]
    offsets: list[int] | None = None
    intro: str = ""
    space: Space | None = None
    cohosts: tuple = ()
    answer_first: bool = False


def spread(count: int, duration: int) -> list[int]:
    """Even offsets for `count` questions: the first after a short welcome, the last
    leaving time to wrap up (8 questions in an hour: every 6 minutes from minute 6)."""
    step = max(1, duration // (count + 1))
    return [step * (n + 1) for n in range(count)]


def _clean(sheet: RunSheet, *, now: datetime, released: int = 0) -> list[int]:
    """Check a run-sheet; returns the offsets. `released` questions are already out and
    keep their place. Raises one ValidationError naming every problem by field."""
    errors: dict[str, list[str]] = {}

    def problem(field, message):
        errors.setdefault(field, []).append(message)

    if not sheet.title.strip():
        problem("title", "Give the session a title.")
    if len(sheet.intro) > INTRO_MAX_LENGTH:
        problem("intro", f"The introduction is at most {INTRO_MAX_LENGTH:,} characters.")
    if sheet.duration_minutes not in DURATIONS:
        problem("duration_minutes", "A session lasts from 15 minutes to 4 hours.")
    if not released and sheet.starts_at <= now:
        problem("starts_at", "Choose a start time in the future.")
    questions = [q.strip() for q in sheet.questions]
    if not questions:
        problem("questions", "Add at least one question.")
    elif len(questions) > MAX_QUESTIONS:
        problem("questions", f"A session has at most {MAX_QUESTIONS} questions.")
    for number, text in enumerate(questions, start=1):
        if not text:
            problem("questions", f"Q{number} is empty.")
        elif len(text) > QUESTION_MAX_LENGTH:
            problem("questions", f"Q{number} is over {QUESTION_MAX_LENGTH} characters.")
    offsets = sheet.offsets
    if offsets is None:
        offsets = spread(len(questions), sheet.duration_minutes)
    elif len(offsets) != len(questions):
        problem("offsets", "Give every question a release time, or none.")
    elif any(b <= a for a, b in zip(offsets, offsets[1:], strict=False)) or min(offsets) < 0:
        problem("offsets", "Release times go up, question by question, from minute 0.")
    elif max(offsets) >= sheet.duration_minutes:
        problem("offsets", "Every question is released before the session ends.")
    if errors:
        raise ValidationError(errors)
    return offsets


def _cohosts(actor: User, cohosts) -> list[User]:
    return [user for user in cohosts if user.pk != actor.pk]


@transaction.atomic
def create_session(*, actor: User, sheet: RunSheet, now: datetime | None = None) -> ChatSession:
    now = now or timezone.now()
    if not rules.can_host_session(actor, sheet.space):
        raise PermissionDenied("Moderators host sessions for their spaces.")
    offsets = _clean(sheet, now=now)
    session = ChatSession.objects.create(
        title=sheet.title.strip(),
        slug=_slug(sheet.title, sheet.starts_at),
        intro=sheet.intro,
        intro_html=render_markdown(sheet.intro, max_length=INTRO_MAX_LENGTH).html,
        host=actor,
        space=sheet.space,
        room=ChatRoom.objects.create(),
        starts_at=sheet.starts_at,
        duration_minutes=sheet.duration_minutes,
        timezone_name=_zone_of(actor),
        answer_first=sheet.answer_first,
    )
    session.cohosts.set(_cohosts(actor, sheet.cohosts))
    SessionQuestion.objects.bulk_create(
        _question(session, number, text, offset)
        for number, (text, offset) in enumerate(zip(sheet.questions, offsets, strict=True), 1)
    )
    return session


def _question(session, number: int, text: str, offset: int) -> SessionQuestion:
    html = render_markdown(text.strip(), max_length=QUESTION_MAX_LENGTH).html
    return SessionQuestion(
        session=session, number=number, body=text.strip(), body_html=html, offset_minutes=offset
    )


def _slug(title: str, starts_at: datetime) -> str:
    base = f"{slugify(title)[:100] or 'session'}-{starts_at:%Y-%m-%d}"
    slug, n = base, 1
    while ChatSession.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _zone_of(user: User) -> str:
    """The host's zone: the one their start time was typed in, and the calendar's."""
    profile = getattr(user, "profile", None)
    return getattr(profile, "timezone", "") or "UTC"


@transaction.atomic
def update_run_sheet(
    *, actor: User, session: ChatSession, version: int, sheet: RunSheet, now=None
) -> ChatSession:
    """Edit a session from the copy the host loaded (`version`). Released questions stay
    as they were; the rest may change, be added or removed. Two hosts editing at once:
    the second save is refused, and nothing of it is kept."""
    now = now or timezone.now()
    if not rules.can_run_session(actor, session):
        raise PermissionDenied("Only this session's hosts edit its run-sheet.")
    released = list(session.questions.filter(released_at__isnull=False).order_by("number"))
    if session.state(now) == ChatSession.State.ENDED:
        raise ValidationError("This session has ended: its run-sheet is its archive now.")
    changed = [
        q for q, text in zip(released, sheet.questions, strict=False) if q.body != text.strip()
    ]
    if changed or len(sheet.questions) < len(released):
        raise ValidationError({"questions": "Released questions cannot be changed."})
    if released and sheet.offsets is not None:
        if sheet.offsets[: len(released)] != [q.offset_minutes for q in released]:
            raise ValidationError({"offsets": "Released questions keep their release times."})
    offsets = _clean(sheet, now=now, released=len(released))
    claimed = ChatSession.objects.filter(pk=session.pk, version=version).update(
        version=F("version") + 1,
        title=sheet.title.strip(),
        intro=sheet.intro,
        intro_html=render_markdown(sheet.intro, max_length=INTRO_MAX_LENGTH).html,
        starts_at=session.starts_at if released else sheet.starts_at,
        duration_minutes=sheet.duration_minutes,
        answer_first=sheet.answer_first,
    )
    if not claimed:
        raise ValidationError(
            "Another host saved this run-sheet while you were editing it: reload to see "
            "their changes, then make yours again."
        )
    session.questions.filter(released_at__isnull=True).delete()
    SessionQuestion.objects.bulk_create(
        _question(session, number, text, offset)
        for number, (text, offset) in enumerate(zip(sheet.questions, offsets, strict=True), 1)
        if number > len(released)
    )
    session.cohosts.set(_cohosts(session.host, sheet.cohosts))
    session.refresh_from_db()
    return session


def duplicate_session(*, actor: User, session: ChatSession, starts_at: datetime) -> ChatSession:
    """A past (or any) session as the template for a new one."""
    if not rules.can_run_session(actor, session):
        raise PermissionDenied("Only this session's hosts reuse it.")
    questions = list(session.questions.order_by("number"))
    sheet = RunSheet(
        title=session.title,
        starts_at=starts_at,
        duration_minutes=session.duration_minutes,
        questions=[q.body for q in questions],
        offsets=[q.offset_minutes for q in questions],
        intro=session.intro,
        space=session.space,
        cohosts=tuple(session.cohosts.all()),
        answer_first=session.answer_first,
    )
    return create_session(actor=actor, sheet=sheet)


def set_rsvp(*, actor: User, session: ChatSession, going: bool) -> None:
    """Say "I'll be there" (reminders go to these people), or not after all."""
    if session.state() == ChatSession.State.ENDED:
        raise ValidationError("This session has ended.")
    if going:
        SessionRSVP.objects.get_or_create(session=session, user=actor)
    else:
        SessionRSVP.objects.filter(session=session, user=actor).delete()


# --- The clock --------------------------------------------------------------------------


def release_due(session: ChatSession, now: datetime | None = None) -> list[SessionQuestion]:
    """Release every question that is due by the clock and not yet out. Safe to call
    from anywhere, any number of times: each question is stamped and announced once."""
    now = now or timezone.now()
    if session.state(now) not in {ChatSession.State.LIVE}:
        return []
    due = [
        q
        for q in session.questions.filter(released_at__isnull=True).order_by("number")
        if session.due_at(q) is not None and session.due_at(q) <= now
    ]
    return [q for q in due if _release(session, q, now)]


@transaction.atomic
def _release(session: ChatSession, question: SessionQuestion, now: datetime) -> bool:
    """Stamp one question; False if someone else got there first."""
    won = SessionQuestion.objects.filter(pk=question.pk, released_at__isnull=True).update(
        released_at=now
    )
    if won:
        question.released_at = now
        streams.append(
            stream=session.room.stream,
            kind="question.released",
            data={
                "number": question.number,
                "label": question.label,
                "html": question.body_html,
                "next_release_at": _iso(next_release_at(session, now)),
            },
        )
    return bool(won)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _controlled(actor: User, session: ChatSession) -> None:
    if not rules.can_run_session(actor, session):
        raise PermissionDenied("Only this session's hosts run it.")


def _announce_clock(session: ChatSession, kind: str) -> None:
    streams.append(
        stream=session.room.stream,
        kind=kind,
        data={"state": session.state(), "ends_at": session.ends_at.isoformat()},
    )


State = ChatSession.State
# action: (the states it is allowed in, why not otherwise, the event it makes)
CONTROLS = {
    "start": ({State.UPCOMING}, "This session has already started.", "session.started"),
    "pause": ({State.LIVE}, "Only a live session can be paused.", "session.paused"),
    "resume": ({State.PAUSED}, "This session is not paused.", "session.resumed"),
    "extend": ({State.LIVE, State.PAUSED}, "This session is not on.", "session.extended"),
    "end": ({State.UPCOMING, State.LIVE, State.PAUSED}, "It has already ended.", "session.ended"),
}
EXTENSIONS = (5, 10, 15, 30)
CLOCK_FIELDS = ["started_at", "paused_at", "paused_seconds", "extended_minutes", "ended_at"]


@transaction.atomic
def control(*, actor: User, session: ChatSession, action: str, minutes: int = 0, now=None):
    """The hosts' hands on the clock: start early, pause, resume, extend, end. Every
    change is announced in the room, so every open page adjusts its countdown."""
    now = now or timezone.now()
    _controlled(actor, session)
    if action not in CONTROLS:
        raise ValidationError("Choose one of the host's controls.")
    allowed, refusal, kind = CONTROLS[action]
    if session.state(now) not in allowed:
        raise ValidationError(refusal)
    if action == "extend" and minutes not in EXTENSIONS:
        raise ValidationError("Extend by 5, 10, 15 or 30 minutes.")
    if action == "start":
        session.started_at = now
    elif action == "pause":
        session.paused_at = now
    elif action == "extend":
        session.extended_minutes += minutes
    if action in {"resume", "end"} and session.paused_at:
        session.paused_seconds += int((now - session.paused_at).total_seconds())
        session.paused_at = None
    if action == "end":
        session.ended_at = now
    # Only the clock: a run-sheet edit saved meanwhile by another host stays.
    session.save(update_fields=CLOCK_FIELDS)
    _announce_clock(session, kind)
    return session


def release_next(*, actor: User, session: ChatSession, now=None) -> SessionQuestion:
    """Release the next question now, ahead of its time."""
    now = now or timezone.now()
    _controlled(actor, session)
    if session.state(now) not in {ChatSession.State.LIVE, ChatSession.State.PAUSED}:
        raise ValidationError("Questions are released while the session is on.")
    pending = session.questions.filter(released_at__isnull=True).order_by("number").first()
    if pending is None:
        raise ValidationError("Every question is out.")
    _release(session, pending, now)
    return pending


def next_release_at(session: ChatSession, now: datetime | None = None) -> datetime | None:
    """When the next question falls due by the clock (for timers and countdowns)."""
    pending = session.questions.filter(released_at__isnull=True).order_by("number").first()
    if pending is None or session.state(now) == ChatSession.State.ENDED:
        return None
    return session.due_at(pending)
