"""Presence: who is in a room. Joins and leaves are counted in the database (so every
process agrees); each process sends at most one snapshot per room every PRESENCE_TICK
seconds, so a thousand people arriving cost a bounded number of frames, not one per
arrival per person.

Each process counts its own connections in rows of its own (`PROCESS`) and marks them
all alive every TOUCH_SECONDS with one UPDATE. The rows of a process that died stop
being marked: after FRESH_SECONDS they are not counted, and `sweep` deletes them and
closes those people's attendance at their last sign of life. Someone who was on the
dead process and reconnects elsewhere gets a row of the new process's, so when they
leave they are gone at once (they are never added to a dead process's count).

What an arrival or a departure means (attendance in a timed session) is the stream
kind's to say: its `joined` and `left` hooks (realtime/kinds.py).
"""

import os
import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from realtime import kinds
from realtime.models import Presence

TOUCH_SECONDS = 10  # each process marks its rows alive this often
FRESH_SECONDS = 30  # rows not marked for this long belong to a process that died
NAMES_SHOWN = 50
PROCESS = uuid.uuid4().hex


def _new_process_id() -> None:
    global PROCESS
    PROCESS = uuid.uuid4().hex  # a forked child is a process of its own


os.register_at_fork(after_in_child=_new_process_id)


def counted(stream: str) -> bool:
    """Whether this stream counts who is in it (a chat room does; a thread does not)."""
    kind = kinds.of(stream)
    return kind is not None and kind.presence


def _arrived(stream: str, user, now, last_seen) -> None:
    if (kind := kinds.of(stream)) is not None and kind.joined is not None:
        kind.joined(stream, user, now, last_seen)


def _left(stream: str, user_id: int, now) -> None:
    if (kind := kinds.of(stream)) is not None and kind.left is not None:
        kind.left(stream, user_id, now)


def _fresh_since(now):
    return now - timedelta(seconds=FRESH_SECONDS)


@transaction.atomic
def join(stream: str, user) -> None:
    """A socket joined. The person's first live one anywhere is an arrival (attendance
    counts from it); rows of theirs that a dead process left behind go first."""
    now = timezone.now()
    rows = list(Presence.objects.select_for_update().filter(stream=stream, user=user))
    alive = [row for row in rows if row.seen_at >= _fresh_since(now)]
    dead = [row for row in rows if row not in alive]
    if dead:
        Presence.objects.filter(pk__in=[row.pk for row in dead]).delete()
    mine = next((row for row in alive if row.process == PROCESS), None)
    if mine is not None:
        Presence.objects.filter(pk=mine.pk).update(connections=F("connections") + 1, seen_at=now)
    else:
        Presence.objects.create(stream=stream, user=user, process=PROCESS, connections=1)
    if not alive:
        last_seen = max((row.seen_at for row in dead), default=None)
        _arrived(stream, user, now, last_seen)


@transaction.atomic
def leave(stream: str, user) -> None:
    """A socket of this process left; the person's last live one anywhere is a departure."""
    mine = Presence.objects.select_for_update().filter(stream=stream, user=user, process=PROCESS)
    row = mine.first()
    if row is None:
        return
    if row.connections > 1:
        Presence.objects.filter(pk=row.pk).update(connections=F("connections") - 1)
        return
    row.delete()
    elsewhere = Presence.objects.filter(
        stream=stream, user=user, seen_at__gte=_fresh_since(timezone.now())
    )
    if not elsewhere.exists():
        _left(stream, user.pk, timezone.now())


def touch() -> None:
    """This process's people are still here (one UPDATE, whatever the number of rooms)."""
    Presence.objects.filter(process=PROCESS).update(seen_at=timezone.now())


def sweep() -> int:
    """Delete the rows of processes that died and close the attendance of the people who
    are present nowhere else, at their last sign of life. Any process may run it; a
    second run (or a racing one) finds nothing more."""
    now = timezone.now()
    stale = Presence.objects.filter(seen_at__lt=_fresh_since(now))
    gone = list(stale.values("stream", "user_id").annotate(last=Max("seen_at")))
    if not gone:
        return 0
    deleted, _ = stale.delete()
    alive = set(
        Presence.objects.filter(
            seen_at__gte=_fresh_since(now), user_id__in={row["user_id"] for row in gone}
        ).values_list("stream", "user_id")
    )
    for row in gone:
        if (row["stream"], row["user_id"]) not in alive:
            _left(row["stream"], row["user_id"], row["last"])
    return deleted


def snapshot(stream: str) -> dict:
    here = Presence.objects.filter(stream=stream, seen_at__gte=_fresh_since(timezone.now()))
    people = (
        here.values("user_id", "user__profile__display_name")
        .distinct()
        .order_by("user__profile__display_name")
    )
    count = here.values("user_id").distinct().count()
    return {
        "count": count,
        "names": [p["user__profile__display_name"] for p in people[:NAMES_SHOWN]],
    }
