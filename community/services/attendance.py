"""Attendance in timed sessions: minutes present, from joins and leaves of the session's
room (docs/sessions.md). It feeds the CPD record entry written when the session ends.

A person is present while at least one of their sockets is subscribed to the room.
realtime/presence.py counts connections per person and calls `arrived` when the count
goes from 0 to 1 and `left` when it goes back to 0; each interval adds its seconds,
clipped to the session's window (from its start to its end). A process that dies never
calls `left`: its intervals stay open until `close_intervals` ends them at the person's
last sign of life (the presence row's `seen_at`), never later than the session's end."""

from datetime import datetime, timedelta

from django.db.models import F, Max
from django.utils import timezone

from community.models import ChatSession, SessionAttendance, User
from realtime.models import Presence
from realtime.presence import FRESH_SECONDS

# Rooms known to belong to no session (a space's room): a join costs no query after the
# first, per process. A room never becomes a session's, so nothing needs forgetting.
_not_sessions: set[str] = set()


def _room_id(stream: str) -> int | None:
    kind, _, ident = stream.partition(":")
    if kind != "room" or not ident.isdigit() or stream in _not_sessions:
        return None
    return int(ident)


def arrived(stream: str, user: User, *, now: datetime | None = None, last_seen=None) -> None:
    """The person's first socket joined the room: open an interval. `last_seen`: their
    earlier connections belonged to a process that vanished then (close those first)."""
    room_id = _room_id(stream)
    if room_id is None:
        return
    now = now or timezone.now()
    mine = SessionAttendance.objects.filter(session__room_id=room_id, user=user)
    if last_seen is not None:
        _close(mine, at=min(last_seen, now), now=now)
    if mine.filter(present_since=None).update(present_since=now):
        return  # back again: one query
    session_id = ChatSession.objects.filter(room_id=room_id).values_list("pk", flat=True).first()
    if session_id is None:
        _not_sessions.add(stream)
        return
    row, created = SessionAttendance.objects.get_or_create(
        session_id=session_id, user=user, defaults={"first_joined_at": now, "present_since": now}
    )
    if not created:
        # Open, with no connection to account for it (its end was never seen): start
        # afresh rather than count time nobody can vouch for.
        SessionAttendance.objects.filter(pk=row.pk).update(present_since=now)


def left(stream: str, user: User | int, *, now: datetime | None = None) -> None:
    """The person's last socket left the room (or was last seen `now`): close their
    interval."""
    room_id = _room_id(stream)
    if room_id is None:
        return
    now = now or timezone.now()
    _close(SessionAttendance.objects.filter(session__room_id=room_id, user=user), at=now, now=now)


def _close(rows, *, at: datetime, now: datetime) -> None:
    row = rows.select_related("session").filter(present_since__isnull=False).first()
    if row is None:
        return
    seconds = clipped(row.session, row.present_since, at, now=now)
    # Conditional on the interval we read: a close racing this one adds nothing twice.
    SessionAttendance.objects.filter(pk=row.pk, present_since=row.present_since).update(
        present_since=None, seconds=F("seconds") + seconds
    )


def clipped(session: ChatSession, since: datetime, until: datetime, *, now: datetime) -> int:
    """Whole seconds of [since, until] inside the session's window. While it is paused,
    its end moves back with every second of the pause."""
    end = session.ends_at
    if session.paused_at and not session.ended_at:
        end += max(timedelta(0), now - session.paused_at)
    start, stop = max(since, session.began_at), min(until, end)
    return max(0, int((stop - start).total_seconds()))


def close_intervals(session: ChatSession, *, now: datetime | None = None) -> dict[int, int]:
    """Everyone's seconds present, closing the intervals still open: at the end for
    people still in the room, at their last sign of life for people whose process
    vanished. Run once the session has ended (by record_attendance)."""
    now = now or timezone.now()
    rows = list(SessionAttendance.objects.select_for_update().filter(session=session))
    still_open = [row for row in rows if row.present_since is not None]
    if still_open:
        seen = dict(
            Presence.objects.filter(
                stream=session.room.stream, user_id__in=[row.user_id for row in still_open]
            )
            .values("user_id")
            .annotate(last=Max("seen_at"))
            .values_list("user_id", "last")
        )
        fresh = now - timedelta(seconds=FRESH_SECONDS)
        for row in still_open:
            last = seen.get(row.user_id)
            # Here now (their process touches the row): until the end. Gone: until last
            # seen. No row at all: nothing vouches for the interval, so it adds nothing.
            alive_until = now if last and last >= fresh else (last or row.present_since)
            row.seconds += clipped(session, row.present_since, alive_until, now=now)
            row.present_since = None
        SessionAttendance.objects.bulk_update(still_open, ["seconds", "present_since"], 500)
    return {row.user_id: row.seconds for row in rows}
