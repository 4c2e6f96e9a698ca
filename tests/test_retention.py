"""Retention: read notifications, the raw attendance of recorded sessions and old
moderation log entries are deleted once they have done their job, once a day, and
nothing that is still needed (unread notifications, the CPD record, a session not yet
recorded) ever is."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from community.models import ModerationAction, Notification, SessionAttendance
from community.services import attendance, retention, sessions
from community.services.sessions import RunSheet
from inquiry.models import RecordEntry
from realtime import clock

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _forget_rooms():
    attendance._not_sessions.clear()  # room ids come round again from test to test
    yield
    attendance._not_sessions.clear()


def notification(user, *, created_days_ago: int, read_days_ago: int | None) -> Notification:
    now = timezone.now()
    return Notification.objects.create(
        user=user,
        kind=Notification.Kind.REPLY,
        text="Tom replied",
        created_at=now - created_days_ago * DAY,
        read_at=None if read_days_ago is None else now - read_days_ago * DAY,
    )


def attended_session(host, people, *, end: bool = True):
    """A network-wide hour-long session started 55 minutes ago, `people` in it for 45;
    ended (by its host) and recorded unless told otherwise."""
    now = timezone.now()
    sheet = RunSheet(
        title="Wait time",
        starts_at=now + timedelta(hours=1),
        duration_minutes=60,
        questions=["What do you notice?"],
        offsets=[50],
    )
    session = sessions.create_session(actor=host, sheet=sheet, now=now)
    sessions.control(actor=host, session=session, action="start", now=now - timedelta(minutes=55))
    for person in people:
        attendance.arrived(session.room.stream, person, now=now - timedelta(minutes=50))
        attendance.left(session.room.stream, person, now=now - timedelta(minutes=5))
    if end:
        sessions.control(actor=host, session=session, action="end", now=now)
        assert sessions.record_attendance(session, now) == len(people)
    return session


def test_read_notifications_go_90_days_after_they_were_read(teacher):
    old = notification(teacher, created_days_ago=200, read_days_ago=91)
    recent = notification(teacher, created_days_ago=200, read_days_ago=89)
    unread = notification(teacher, created_days_ago=400, read_days_ago=None)
    counts = retention.apply_retention()
    assert counts["read_notifications"] == 1
    assert set(Notification.objects.all()) == {recent, unread}
    assert not Notification.objects.filter(pk=old.pk).exists()


def test_raw_attendance_goes_30_days_after_the_cpd_entries_were_written(teacher, colleague, staff):
    session = attended_session(staff, [teacher, colleague])
    assert SessionAttendance.objects.filter(session=session).count() == 2
    entries = list(RecordEntry.objects.filter(source=sessions.record_source(session)))
    assert len(entries) == 2

    later = timezone.now() + 29 * DAY
    assert retention.apply_retention(now=later)["attendance"] == 0
    assert SessionAttendance.objects.filter(session=session).count() == 2

    later = timezone.now() + 31 * DAY
    assert retention.apply_retention(now=later)["attendance"] == 2
    assert not SessionAttendance.objects.exists()
    # The CPD record entries and the session stay.
    assert list(RecordEntry.objects.filter(source=sessions.record_source(session))) == entries
    session.refresh_from_db()
    assert session.recorded_at is not None


def test_a_session_not_yet_recorded_keeps_its_attendance_however_old(staff, teacher):
    session = attended_session(staff, [teacher], end=False)
    assert retention.apply_retention(now=timezone.now() + 400 * DAY)["attendance"] == 0
    assert SessionAttendance.objects.filter(session=session, user=teacher).exists()


def test_moderation_log_entries_go_after_two_years(moderator):
    now = timezone.now()
    old = ModerationAction.objects.create(
        actor=moderator, action=ModerationAction.Action.LOCK_THREAD, created_at=now - 731 * DAY
    )
    kept = ModerationAction.objects.create(
        actor=moderator, action=ModerationAction.Action.UNLOCK_THREAD, created_at=now - 729 * DAY
    )
    assert retention.apply_retention(now=now)["moderation_log"] == 1
    assert list(ModerationAction.objects.all()) == [kept]
    assert not ModerationAction.objects.filter(pk=old.pk).exists()


def test_the_periods_come_from_settings_and_zero_keeps_for_ever(settings, teacher, moderator):
    settings.STAFFROOM_RETAIN_READ_NOTIFICATIONS_DAYS = 7
    settings.STAFFROOM_RETAIN_MODERATION_LOG_DAYS = 0
    notification(teacher, created_days_ago=10, read_days_ago=8)
    ModerationAction.objects.create(
        actor=moderator,
        action=ModerationAction.Action.LOCK_THREAD,
        created_at=timezone.now() - 5000 * DAY,
    )
    counts = retention.apply_retention()
    assert counts == {"read_notifications": 1, "attendance": 0, "moderation_log": 0}
    assert ModerationAction.objects.count() == 1


def test_the_command_prints_the_counts_and_a_second_run_deletes_nothing(teacher, moderator):
    notification(teacher, created_days_ago=200, read_days_ago=100)
    notification(teacher, created_days_ago=200, read_days_ago=95)
    ModerationAction.objects.create(
        actor=moderator,
        action=ModerationAction.Action.LOCK_THREAD,
        created_at=timezone.now() - 800 * DAY,
    )
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert out.getvalue().splitlines() == [
        "Deleted 2 read notifications.",
        "Deleted 0 raw session attendance rows.",
        "Deleted 1 moderation log entries.",
    ]
    again = StringIO()
    call_command("apply_retention", stdout=again)
    assert "Deleted 0 read notifications." in again.getvalue()
    assert again.getvalue().count("Deleted 0 ") == 3


def test_the_server_processes_apply_it_at_most_once_a_day(teacher):
    notification(teacher, created_days_ago=200, read_days_ago=100)
    clock._minutely()  # every process, every minute
    assert not Notification.objects.exists()

    notification(teacher, created_days_ago=200, read_days_ago=100)
    clock._minutely()  # another process, or a minute later: today's run is claimed
    assert Notification.objects.count() == 1
    assert retention.apply_retention_daily() is None

    tomorrow = timezone.now() + DAY
    assert retention.apply_retention_daily(now=tomorrow)["read_notifications"] == 1
    assert not Notification.objects.exists()
