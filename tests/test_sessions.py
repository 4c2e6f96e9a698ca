"""Timed chat sessions: the run-sheet, who may host, the clock, and releases that happen
exactly once (docs/sessions.md)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from community import rules
from community.models import ChatRoom, ChatSession, SessionMute
from community.services import chat, sessions
from community.services.chat import ChatRefused
from community.services.sessions import RunSheet
from realtime import streams

NOW = timezone.now().replace(microsecond=0)


def sheet(**changes) -> RunSheet:
    fields = {
        "title": "Oracy in maths",
        "starts_at": NOW + timedelta(hours=1),
        "duration_minutes": 60,
        "questions": [f"Question {n}?" for n in range(1, 9)],
    }
    return RunSheet(**{**fields, **changes})


@pytest.fixture
def session(space, moderator):
    return sessions.create_session(actor=moderator, sheet=sheet(space=space), now=NOW)


def at(session, minutes: float):
    """A moment in session time (minutes after its start)."""
    return session.starts_at + timedelta(minutes=minutes)


def released(session) -> list[int]:
    return list(
        session.questions.filter(released_at__isnull=False).values_list("number", flat=True)
    )


def announced(session) -> list[int]:
    events = streams.events_after(session.room.stream, 0)
    return [e["number"] for e in events if e["kind"] == "question.released"]


# --- The run-sheet ------------------------------------------------------------------------


def test_a_run_sheet_spreads_its_questions_and_gets_a_room_of_its_own(session, space):
    offsets = list(session.questions.values_list("offset_minutes", flat=True))
    assert offsets == [6, 12, 18, 24, 30, 36, 42, 48]
    assert session.room.space is None and session.space == space
    assert session.slug.startswith("oracy-in-maths-") and session.state(NOW) == "upcoming"
    assert session.questions.first().body_html == "<p>Question 1?</p>"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"starts_at": NOW - timedelta(minutes=1)}, "starts_at"),
        ({"questions": []}, "questions"),
        ({"questions": ["Fine?", "  "]}, "questions"),
        ({"questions": ["Q?"] * 13}, "questions"),
        ({"questions": ["x" * 501]}, "questions"),
        ({"questions": ["A?", "B?"], "offsets": [5, 60]}, "offsets"),
        ({"questions": ["A?", "B?"], "offsets": [20, 10]}, "offsets"),
        ({"questions": ["A?", "B?"], "offsets": [5]}, "offsets"),
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"title": " "}, "title"),
    ],
)
def test_a_bad_run_sheet_is_refused_and_nothing_is_saved(space, moderator, change, field):
    rooms = ChatRoom.objects.count()
    with pytest.raises(ValidationError) as refusal:
        sessions.create_session(actor=moderator, sheet=sheet(space=space, **change), now=NOW)
    assert field in refusal.value.message_dict
    assert not ChatSession.objects.exists() and ChatRoom.objects.count() == rooms


def test_who_may_host(space, moderator, teacher, staff, outsider):
    with pytest.raises(PermissionDenied):
        sessions.create_session(actor=teacher, sheet=sheet(space=space), now=NOW)
    assert rules.can_host_session(moderator, space) and not rules.can_host_session(teacher, space)
    # Network-wide: staff, and anyone who moderates a space.
    assert rules.can_host_session(staff, None) and rules.can_host_session(moderator, None)
    assert not rules.can_host_session(outsider, None)


def test_hosts_edit_unreleased_questions_and_a_stale_copy_is_refused(session, moderator):
    sessions.release_due(session, at(session, 7))  # Q1 is out
    session.refresh_from_db()
    edit = sheet(questions=["Question 1?", "A better Q2?", "Q3?"], space=session.space)
    edited = sessions.update_run_sheet(
        actor=moderator, session=session, version=1, sheet=edit, now=at(session, 8)
    )
    assert [q.body for q in edited.questions.all()] == ["Question 1?", "A better Q2?", "Q3?"]
    assert edited.version == 2
    with pytest.raises(ValidationError, match="Another host saved"):  # still on version 1
        sessions.update_run_sheet(
            actor=moderator, session=session, version=1, sheet=sheet(), now=at(session, 9)
        )
    assert edited.questions.count() == 3
    with pytest.raises(ValidationError, match="Released questions cannot be changed"):
        rewrite = sheet(questions=["Rewritten Q1?", "Q2?"], space=session.space)
        sessions.update_run_sheet(
            actor=moderator, session=session, version=2, sheet=rewrite, now=at(session, 9)
        )


def test_only_hosts_edit_and_run_a_session(session, teacher):
    with pytest.raises(PermissionDenied):
        sessions.update_run_sheet(actor=teacher, session=session, version=1, sheet=sheet())
    for action in sessions.CONTROLS:
        with pytest.raises(PermissionDenied):
            sessions.control(actor=teacher, session=session, action=action, minutes=5)
    with pytest.raises(PermissionDenied):
        sessions.release_next(actor=teacher, session=session)


def test_a_past_session_is_a_template(session, moderator):
    copy = sessions.duplicate_session(
        actor=moderator, session=session, starts_at=NOW + timedelta(days=7)
    )
    assert copy.pk != session.pk and copy.room_id != session.room_id
    assert list(copy.questions.values_list("body", "offset_minutes")) == list(
        session.questions.values_list("body", "offset_minutes")
    )


# --- The clock ----------------------------------------------------------------------------


def test_questions_are_released_on_time_and_announced_once(session):
    assert sessions.release_due(session, at(session, -1)) == []  # not started
    assert [q.number for q in sessions.release_due(session, at(session, 13))] == [1, 2]
    stale = ChatSession.objects.get(pk=session.pk)  # another process's copy
    assert sessions.release_due(stale, at(session, 13)) == []
    assert sessions.release_due(session, at(session, 14)) == []
    assert released(session) == announced(session) == [1, 2]


def test_pausing_stops_the_clock_and_resuming_moves_every_release_back(session, moderator):
    sessions.control(actor=moderator, session=session, action="pause", now=at(session, 5))
    assert session.state(at(session, 30)) == "paused"
    assert sessions.release_due(session, at(session, 30)) == []
    sessions.control(
        actor=moderator, session=session, action="resume", now=at(session, 15)
    )  # 10 min paused
    assert session.elapsed(at(session, 16)) == timedelta(minutes=6)
    assert sessions.release_due(session, at(session, 15.5)) == []
    assert [q.number for q in sessions.release_due(session, at(session, 16))] == [1]
    assert session.ends_at == at(session, 70)
    with pytest.raises(ValidationError, match="not paused"):
        sessions.control(actor=moderator, session=session, action="resume", now=at(session, 17))
    sessions.control(actor=moderator, session=session, action="end", now=at(session, 20))
    with pytest.raises(ValidationError, match="already ended"):
        sessions.control(actor=moderator, session=session, action="end", now=at(session, 21))


def test_hosts_start_early_release_ahead_extend_and_end(session, moderator):
    sessions.control(actor=moderator, session=session, action="start", now=at(session, -10))
    assert session.state(at(session, -9)) == "live"
    assert [q.number for q in sessions.release_due(session, at(session, -4))] == [1]
    assert sessions.release_next(actor=moderator, session=session, now=at(session, -3)).number == 2
    sessions.control(
        actor=moderator, session=session, action="extend", minutes=15, now=at(session, 0)
    )
    assert session.ends_at == at(session, 65)
    with pytest.raises(ValidationError):
        sessions.control(
            actor=moderator, session=session, action="extend", minutes=7, now=at(session, 0)
        )
    sessions.control(actor=moderator, session=session, action="end", now=at(session, 20))
    assert session.state(at(session, 21)) == "ended"
    assert sessions.release_due(session, at(session, 50)) == []
    kinds = [e["kind"] for e in streams.events_after(session.room.stream, 0)]
    assert kinds == [
        "session.started",
        "question.released",
        "question.released",
        "session.extended",
        "session.ended",
    ]


def test_a_session_runs_out_by_itself(session):
    assert session.state(at(session, 59)) == "live"
    assert session.state(at(session, 60)) == "ended"
    assert sessions.next_release_at(session, at(session, 1)) == at(session, 6)


# --- The room -----------------------------------------------------------------------------


def test_the_session_room_is_for_its_audience_and_hosts_moderate_it(
    session, teacher, outsider, moderator
):
    room = session.room
    assert rules.can_chat(teacher, room)
    assert ChatRoom.objects.visible_to(teacher).filter(pk=room.pk).exists()
    assert rules.can_moderate_room(moderator, room) and not rules.can_moderate_room(teacher, room)
    SessionMute.objects.create(session=session, user=teacher, by=moderator)
    assert not rules.can_chat(teacher, room)


def test_a_network_session_is_open_to_every_teacher(space, moderator, outsider):
    session = sessions.create_session(actor=moderator, sheet=sheet(), now=NOW)
    assert rules.can_chat(outsider, session.room)
    assert ChatRoom.objects.visible_to(outsider).filter(pk=session.room.pk).exists()


def test_answers_are_tagged_to_released_questions_only_while_the_session_is_on(
    session, moderator, teacher
):
    room = session.room
    with pytest.raises(ChatRefused) as early:
        chat.send_message(actor=teacher, room=room, body="Too soon?")
    assert early.value.code == "closed"
    sessions.control(actor=moderator, session=session, action="start")
    hello, _ = chat.send_message(actor=teacher, room=room, body="Hello all")
    assert hello.question is None  # nothing released yet: plain chat
    sessions.release_next(actor=moderator, session=session)
    sessions.release_next(actor=moderator, session=session)
    latest, _ = chat.send_message(actor=teacher, room=room, body="A2: sentence stems")
    earlier, _ = chat.send_message(actor=teacher, room=room, body="A1: talk partners", question=1)
    assert (latest.question.number, earlier.question.number) == (2, 1)
    with pytest.raises(ChatRefused) as unreleased:
        chat.send_message(actor=teacher, room=room, body="A5?", question=5)
    assert unreleased.value.code == "bad_request"
    sessions.control(actor=moderator, session=session, action="end")
    with pytest.raises(ChatRefused) as late:
        chat.send_message(actor=teacher, room=room, body="Did I miss it?")
    assert late.value.code == "closed"
    assert room.messages.count() == 3


def test_a_send_releases_a_question_that_has_fallen_due(session, moderator, teacher):
    sessions.control(
        actor=moderator, session=session, action="start", now=timezone.now() - timedelta(minutes=7)
    )
    message, seq = chat.send_message(actor=teacher, room=session.room, body="A1: wait time")
    assert message.question.number == 1
    kinds = [e["kind"] for e in streams.events_after(session.room.stream, 0)]
    assert kinds == ["session.started", "question.released", "message.new"]


# --- The cost of a send in a big session ----------------------------------------------------


def _live(session, moderator):
    """Started seven minutes ago: Q1 (minute 6) is out, Q2 (minute 12) is not due."""
    sessions.control(
        actor=moderator, session=session, action="start", now=timezone.now() - timedelta(minutes=7)
    )
    sessions.release_due(session)
    return session


@pytest.mark.parametrize("senders", [2, 10])
def test_a_batch_of_answers_costs_the_same_queries_for_two_senders_as_for_ten(
    session, moderator, senders, django_assert_num_queries
):
    from realtime import kinds, writer
    from tests.factories import make_user

    _live(session, moderator)
    people = [make_user(username=f"p{n}", display_name=f"P {n}") for n in range(senders)]
    sends = [kinds.Send(p, f"A1: idea {n}", f"a{n}", {"question": 1}) for n, p in enumerate(people)]
    # The room, the questions, who of the senders may chat (seeing the session and not
    # muted), earlier client_ids, the pace window, then the insert and the event range.
    with django_assert_num_queries(10):
        results = writer.store(session.room.stream, sends)
    assert [message.question.number for message, _ in results] == [1] * senders
    assert [seq for _, seq in results] == list(range(3, 3 + senders))  # started, Q1, ...


def test_a_batch_in_a_session_room_refuses_whom_one_send_at_a_time_would(
    private_space, teacher, outsider, moderator
):
    from tests.factories import make_user

    session = sessions.create_session(actor=moderator, sheet=sheet(space=private_space), now=NOW)
    _live(session, moderator)
    muted, suspended = make_user(username="mia"), make_user(username="sam")
    for person in (muted, suspended):
        private_space.memberships.create(user=person)
    SessionMute.objects.create(session=session, user=muted, by=moderator)
    suspended.suspended_until = timezone.now() + timedelta(days=1)
    suspended.save(update_fields=["suspended_until"])
    people = [teacher, outsider, muted, suspended, moderator]
    alone = [rules.can_chat(person, session.room) for person in people]
    assert alone == [True, False, False, False, True]
    batch = chat.send_messages(
        room=session.room, sends=[chat.Send(p, "A1", f"b{n}") for n, p in enumerate(people)]
    )
    assert [isinstance(result, tuple) for result in batch] == alone
    assert {result.code for result in batch if isinstance(result, ChatRefused)} == {"not_allowed"}
    # A host's mute applies from the next batch: nothing about it is remembered.
    SessionMute.objects.create(session=session, user=teacher, by=moderator)
    (again,) = chat.send_messages(room=session.room, sends=[chat.Send(teacher, "A1 again", "c")])
    assert isinstance(again, ChatRefused) and again.code == "not_allowed"


def test_the_pace_window_reads_only_recent_messages_and_still_counts_them_all(
    session, moderator, teacher
):
    from community.models import ChatMessage

    _live(session, moderator)
    room = session.room
    old = [chat.send_message(actor=teacher, room=room, body=f"m{n}")[0] for n in range(5)]
    ChatMessage.objects.filter(pk__in=[m.pk for m in old]).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    recent = [chat.send_message(actor=teacher, room=room, body=f"n{n}")[0] for n in range(5)]
    window = chat._recent(room, timezone.now())
    assert sorted(at for _, at in window) == [m.created_at for m in recent]
    with pytest.raises(ChatRefused) as quick:  # five in ten seconds: the pace applies
        chat.send_message(actor=teacher, room=room, body="one more")
    assert quick.value.code == "rate_limited"
