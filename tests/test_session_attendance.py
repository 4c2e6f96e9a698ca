"""Attendance in timed sessions (minutes present, from joins and leaves of the room) and
the CPD record entries written once a session has ended (docs/sessions.md)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community import session_clock as clock
from community.models import ChatRoom, ChatSession, SessionAttendance
from community.services import attendance, chat, sessions
from community.services.sessions import RunSheet
from inquiry.models import RecordEntry
from realtime import presence
from realtime.models import Presence


@pytest.fixture(autouse=True)
def _forget_rooms():
    # Ids come round again from test to test: a room this process once knew as a
    # space's may be a session's now.
    attendance._not_sessions.clear()
    clock._settled.clear()
    yield
    attendance._not_sessions.clear()
    clock._settled.clear()


def live_session(host, *, minutes_ago=50, duration=60, space=None) -> ChatSession:
    """A session its host started `minutes_ago` (live now, ending `duration` minutes after)."""
    now = timezone.now()
    session = sessions.create_session(
        actor=host,
        sheet=RunSheet(
            title="Wait time",
            starts_at=now + timedelta(hours=1),
            duration_minutes=duration,
            questions=["What do you notice?", "What will you try?"],
            offsets=[duration - 8, duration - 4],  # not due yet unless released
            space=space,
        ),
        now=now,
    )
    started = now - timedelta(minutes=minutes_ago)
    sessions.control(actor=host, session=session, action="start", now=started)
    return session


def upcoming_session(host, *, space) -> ChatSession:
    """An hour-long session starting in an hour."""
    starts_at = timezone.now() + timedelta(hours=1)
    sheet = RunSheet(
        title="Oracy", starts_at=starts_at, duration_minutes=60, questions=["Q?"], space=space
    )
    return sessions.create_session(actor=host, sheet=sheet)


def row(session, user) -> SessionAttendance:
    return SessionAttendance.objects.get(session=session, user=user)


def at(session, minutes: float):
    return session.began_at + timedelta(minutes=minutes)


def entry(session, user) -> RecordEntry:
    return RecordEntry.objects.get(user=user, source=f"session:{session.pk}")


# --- Joins and leaves ---------------------------------------------------------------------


def test_two_tabs_count_once_and_the_interval_closes_with_the_last(space, moderator, teacher):
    session = live_session(moderator, space=space)
    stream = session.room.stream
    presence.join(stream, teacher)
    presence.join(stream, teacher)  # a second tab
    opened = row(session, teacher)
    assert opened.present_since is not None and opened.seconds == 0
    SessionAttendance.objects.filter(pk=opened.pk).update(
        present_since=timezone.now() - timedelta(minutes=10)
    )
    presence.leave(stream, teacher)  # one tab closed: still here
    assert row(session, teacher).present_since is not None
    presence.leave(stream, teacher)
    closed = row(session, teacher)
    assert closed.present_since is None and 599 <= closed.seconds <= 601
    presence.join(stream, teacher)  # back later: the same row, a new interval
    again = row(session, teacher)
    assert again.present_since is not None and again.seconds == closed.seconds
    assert again.first_joined_at == opened.first_joined_at
    assert SessionAttendance.objects.count() == 1


def test_time_counts_only_inside_the_session_window(space, moderator, teacher):
    session = upcoming_session(moderator, space=space)
    stream = session.room.stream
    attendance.arrived(stream, teacher, now=at(session, -10))  # waiting before the start
    attendance.left(stream, teacher, now=at(session, 5))
    assert row(session, teacher).seconds == 5 * 60
    attendance.arrived(stream, teacher, now=at(session, 50))
    attendance.left(stream, teacher, now=at(session, 70))  # stayed past the end
    assert row(session, teacher).seconds == 15 * 60
    attendance.arrived(stream, teacher, now=at(session, 75))
    attendance.left(stream, teacher, now=at(session, 80))  # after it ended: nothing
    assert row(session, teacher).seconds == 15 * 60


def test_a_pause_moves_the_end_back_for_the_people_waiting(space, moderator, teacher):
    session = upcoming_session(moderator, space=space)
    sessions.control(actor=moderator, session=session, action="pause", now=at(session, 30))
    stream = session.room.stream
    attendance.arrived(stream, teacher, now=at(session, 55))
    attendance.left(stream, teacher, now=at(session, 65))  # still paused: not over
    assert row(session, teacher).seconds == 10 * 60


def test_a_rejoin_after_a_vanished_process_ends_the_old_interval_when_last_seen(
    space, moderator, teacher
):
    session = live_session(moderator, space=space)
    stream = session.room.stream
    presence.join(stream, teacher)
    presence.join(stream, teacher)
    now = timezone.now()
    # Both sockets were on a process that died 20 minutes ago, 10 minutes after the join.
    SessionAttendance.objects.update(present_since=now - timedelta(minutes=30))
    Presence.objects.update(seen_at=now - timedelta(minutes=20))
    presence.join(stream, teacher)  # from another process
    assert Presence.objects.get().connections == 1  # the dead ones are forgotten
    rejoined = row(session, teacher)
    assert 599 <= rejoined.seconds <= 601 and rejoined.present_since >= now
    presence.leave(stream, teacher)
    assert not Presence.objects.exists() and row(session, teacher).present_since is None


def test_a_space_room_is_untouched_and_costs_no_attendance_query_after_the_first(
    space, teacher, colleague
):
    stream = ChatRoom.objects.create(space=space).stream
    presence.join(stream, teacher)  # the first: looks up whether the room has a session
    for person in (colleague, teacher):
        with CaptureQueriesContext(connection) as joined:
            presence.join(stream, person)
        sql = " ".join(q["sql"] for q in joined.captured_queries).lower()
        assert "sessionattendance" not in sql and "chatsession" not in sql
    with CaptureQueriesContext(connection) as left:
        presence.leave(stream, colleague)
    assert "sessionattendance" not in " ".join(q["sql"] for q in left.captured_queries).lower()
    assert not SessionAttendance.objects.exists()


def test_a_join_to_a_session_room_costs_the_same_for_the_first_and_the_thousandth(
    space, moderator, teacher, colleague, django_assert_num_queries
):
    from tests.factories import make_user

    session = live_session(moderator)  # network-wide: anyone may join
    stream = session.room.stream
    presence.join(stream, teacher)
    crowd = [make_user() for _ in range(20)]
    for person in crowd:
        presence.join(stream, person)
    with django_assert_num_queries(JOIN_QUERIES):  # a newcomer, after 21 others
        presence.join(stream, colleague)
    presence.leave(stream, colleague)
    with django_assert_num_queries(REJOIN_QUERIES):  # back again: one more update
        presence.join(stream, colleague)
    with django_assert_num_queries(LEAVE_QUERIES):
        presence.leave(stream, colleague)
    assert SessionAttendance.objects.filter(session=session).count() == 22


# Counted with the savepoints: presence's transaction, its locked read of the person's
# rows (one per process) and an insert; then attendance's update that finds no open row,
# the room's session, a read and an insert. A rejoin: presence's four, and one update
# reopens the row. A leave: presence's locked read and delete, whether the person is
# still here through another process; attendance reads the open interval and closes it.
JOIN_QUERIES = 10
REJOIN_QUERIES = 5
LEAVE_QUERIES = 7


# --- Recording the session in the CPD record ----------------------------------------------


@pytest.fixture
def ended(space, moderator, teacher, colleague, outsider):
    """A network session, now over: teacher stayed 47 minutes and answered twice;
    colleague looked in for 30 seconds; outsider answered once without a socket (no
    JavaScript); the host was there throughout."""
    session = live_session(moderator, minutes_ago=50)
    stream, room = session.room.stream, session.room
    chat.send_message(actor=colleague, room=room, body="Hello all")  # before Q1: not an answer
    sessions.release_next(actor=moderator, session=session)
    chat.send_message(actor=teacher, room=room, body="A1: they talk first")
    chat.send_message(actor=teacher, room=room, body="A1: and then write")
    chat.send_message(actor=outsider, room=room, body="A1: mini whiteboards")
    attendance.arrived(stream, moderator, now=at(session, -5))
    attendance.arrived(stream, teacher, now=at(session, 3))
    attendance.left(stream, teacher, now=at(session, 50))
    attendance.arrived(stream, colleague, now=at(session, 10))
    attendance.left(stream, colleague, now=at(session, 10.5))
    sessions.control(actor=moderator, session=session, action="end", now=at(session, 55))
    attendance.left(stream, moderator, now=at(session, 56))  # stayed a minute after the End
    return session


def test_each_participant_gets_one_entry_with_minutes_answers_and_the_archive(
    ended, moderator, teacher, colleague, outsider
):
    assert sessions.record_attendance(ended, at(ended, 56)) == 3
    mine = entry(ended, teacher)
    assert (mine.minutes, mine.details, mine.kind) == (47, "2 answers", "session")
    assert mine.title == "Wait time" and mine.url == ended.get_absolute_url()
    assert mine.occurred_at == ended.began_at
    assert (entry(ended, outsider).minutes, entry(ended, outsider).details) == (0, "1 answer")
    # The host came early and stayed late: counted from the start to the End.
    assert (entry(ended, moderator).minutes, entry(ended, moderator).details) == (55, "Hosted")
    assert not RecordEntry.objects.filter(user=colleague).exists()  # neither stayed nor spoke
    ended.refresh_from_db()
    assert ended.recorded_at == at(ended, 56)


def test_recording_happens_once_even_from_a_stale_copy(ended):
    stale = ChatSession.objects.get(pk=ended.pk)  # another process's copy
    assert sessions.record_attendance(ended) == 3
    assert sessions.record_attendance(ended) is None
    assert stale.recorded_at is None and sessions.record_attendance(stale) is None
    assert RecordEntry.objects.count() == 3


def test_a_second_writer_makes_no_second_entry_and_keeps_the_teachers_edit(ended, teacher):
    sessions.record_attendance(ended)
    RecordEntry.objects.filter(user=teacher).update(title="Wait time, with Year 4")
    # As if another process had claimed it too (the claim is what stops this normally).
    ChatSession.objects.filter(pk=ended.pk).update(recorded_at=None)
    assert sessions.record_attendance(ended) == 3
    assert RecordEntry.objects.count() == 3
    assert entry(ended, teacher).title == "Wait time, with Year 4"


def test_nothing_is_recorded_before_the_end(space, moderator, teacher):
    session = live_session(moderator, space=space)
    presence.join(session.room.stream, teacher)
    assert sessions.record_attendance(session) is None
    session.refresh_from_db()
    assert session.recorded_at is None and not RecordEntry.objects.exists()


def test_ending_the_session_records_it_once_committed(
    space, moderator, teacher, django_capture_on_commit_callbacks
):
    session = live_session(moderator, space=space)
    presence.join(session.room.stream, teacher)  # still in the room at the end
    SessionAttendance.objects.update(present_since=at(session, 1))
    with django_capture_on_commit_callbacks(execute=True):
        sessions.control(actor=moderator, session=session, action="end")
    assert entry(session, teacher).minutes == 49


def test_people_still_in_the_room_count_to_the_end_and_vanished_ones_to_last_seen(
    space, moderator, teacher, colleague
):
    session = live_session(moderator, space=space)
    stream = session.room.stream
    for person in (teacher, colleague, moderator):
        presence.join(stream, person)
    SessionAttendance.objects.update(present_since=at(session, 5))
    # colleague's process died at minute 20; teacher's is alive; moderator's row is gone.
    Presence.objects.filter(user=colleague).update(seen_at=at(session, 20))
    Presence.objects.filter(user=moderator).delete()
    sessions.control(actor=moderator, session=session, action="end", now=at(session, 45))
    sessions.record_attendance(session, at(session, 46))
    assert entry(session, teacher).minutes == 40  # present until the end
    assert entry(session, colleague).minutes == 15  # until last seen, not to the end
    assert not RecordEntry.objects.filter(user=moderator).exists()  # nothing vouches for it
    assert not SessionAttendance.objects.filter(present_since__isnull=False).exists()


def test_a_session_that_runs_out_by_the_clock_is_recorded_by_the_sweep(space, moderator, teacher):
    over = live_session(moderator, space=space, minutes_ago=70)  # ran out 10 minutes ago
    attendance.arrived(over.room.stream, teacher, now=at(over, 0))
    attendance.left(over.room.stream, teacher, now=at(over, 30))
    on = live_session(moderator, space=space, minutes_ago=20)
    attendance.arrived(on.room.stream, teacher, now=at(on, 0))
    assert sessions.record_ended_sessions() == 1
    assert entry(over, teacher).minutes == 30
    assert not RecordEntry.objects.filter(source=f"session:{on.pk}").exists()
    assert sessions.record_ended_sessions() == 0
    later = timezone.now() + timedelta(minutes=45)  # the other one runs out too
    assert sessions.record_ended_sessions(later) == 1


def test_the_clock_records_the_end_it_sees(space, moderator, teacher):
    session = live_session(moderator, space=space, minutes_ago=50)
    sessions.release_next(actor=moderator, session=session)
    sessions.release_next(actor=moderator, session=session)
    stream = session.room.stream
    presence.join(stream, teacher)
    SessionAttendance.objects.update(present_since=at(session, 10))
    # Every question is out: the timer now sleeps until the end (ten minutes from now).
    assert 590 <= clock._seconds_to_next(stream) <= 600
    ChatSession.objects.filter(pk=session.pk).update(duration_minutes=45)  # it is over
    assert clock._seconds_to_next(stream) is None
    assert entry(session, teacher).minutes == 35


def test_the_ended_page_records_and_shows_the_viewer_their_entry(
    client, space, moderator, teacher, colleague
):
    session = live_session(moderator, space=space, minutes_ago=70)
    attendance.arrived(session.room.stream, teacher, now=at(session, 13))
    attendance.left(session.room.stream, teacher, now=at(session, 60))
    client.force_login(teacher)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "In your CPD record</a>: 47 minutes, no answers" in page
    assert 'href="/record/"' in page
    session.refresh_from_db()
    assert session.recorded_at is not None
    client.force_login(colleague)  # not there: no line
    assert "In your CPD record" not in client.get(session.get_absolute_url()).content.decode()
