"""Releasing a timed session's questions on time, with no scheduler process.

Every server process with someone in a session's room keeps a timer for it (the room's
stream kind calls `watch` when a socket subscribes: community/live.py): it sleeps until
the next question falls due (re-reading the run-sheet at least every RECHECK seconds,
since hosts pause, extend and release early), then calls `sessions.release_due`. Several
processes wake together; the database claim lets one announce each question. After the
last question it sleeps until the end, then sees the session recorded in its
participants' CPD records (`sessions.record_attendance`, once). A page, a send and a
client's countdown can release too: the timer is what makes it happen when nobody is
doing anything.
"""

import asyncio
import logging
import weakref

from channels.db import database_sync_to_async
from django.utils import timezone

from community.models import ChatSession
from community.services import sessions
from realtime.hub import get_hub

log = logging.getLogger(__name__)
RECHECK = 15  # seconds: the longest a timer trusts what it last read

_timers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = weakref.WeakKeyDictionary()


_settled: set[str] = set()  # rooms that will never need a clock: a space's, or ended


def watch(stored: str) -> None:
    """Someone joined this room: keep its session's clock if it has one (once per process;
    a room known to need none costs nothing, so a thousand reconnects cost no queries)."""
    if stored in _settled:
        return
    timers = _timers.setdefault(asyncio.get_running_loop(), {})
    if stored not in timers or timers[stored].done():
        timers[stored] = asyncio.create_task(_keep(stored))


async def _keep(stored: str) -> None:
    hub = get_hub()
    try:
        while stored in hub.listeners:
            try:
                wait = await database_sync_to_async(_seconds_to_next)(stored)
                if wait is None:
                    return  # not a session's room, or over (and recorded)
                await asyncio.sleep(min(wait, RECHECK))
                if wait <= RECHECK:
                    await database_sync_to_async(_release)(stored)
            except Exception:  # noqa: BLE001 - a failing database: try again shortly
                log.warning("Could not keep the clock of %s", stored, exc_info=True)
                await asyncio.sleep(RECHECK)
    finally:
        _timers.get(asyncio.get_running_loop(), {}).pop(stored, None)


def _session(stored: str) -> ChatSession | None:
    room_id = int(stored.partition(":")[2])
    return ChatSession.objects.select_related("room").filter(room_id=room_id).first()


def _seconds_to_next(stored: str) -> float | None:
    session = _session(stored)
    if session is None or session.state() == ChatSession.State.ENDED:
        _settled.add(stored)  # neither ever changes back
        if session is not None and session.recorded_at is None:
            sessions.record_attendance(session)  # it may have ended by the clock
        return None
    if not session.questions.filter(released_at=None).exists():
        # Every question is out: wake at the end, to see the session recorded.
        if session.paused_at:
            return RECHECK
        return max(0.0, (session.ends_at - timezone.now()).total_seconds())
    due = sessions.next_release_at(session)
    if due is None:  # paused, or not started: look again later
        return RECHECK
    return max(0.0, (due - timezone.now()).total_seconds())


def _release(stored: str) -> None:
    session = _session(stored)
    if session is not None:
        sessions.release_due(session)
