"""Presence: who is in a room. Joins and leaves are counted in the database (so every
process agrees); each process sends at most one snapshot per room every PRESENCE_TICK
seconds, so a thousand people arriving cost a bounded number of frames, not one per
arrival per person."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from community.services import attendance
from realtime.models import Presence

FRESH_SECONDS = 90  # rows not touched for this long belong to a vanished process
NAMES_SHOWN = 50


@transaction.atomic
def join(stream: str, user) -> None:
    """A socket joined. The person's first one is an arrival (attendance counts from it),
    and so is one whose earlier connections all belonged to a process that vanished."""
    now = timezone.now()
    row, created = Presence.objects.select_for_update().get_or_create(
        stream=stream, user=user, defaults={"connections": 1, "seen_at": now}
    )
    if created:
        attendance.arrived(stream, user, now=now)
    elif row.seen_at < now - timedelta(seconds=FRESH_SECONDS):
        # Nobody touched the row for FRESH_SECONDS: those connections are gone.
        Presence.objects.filter(pk=row.pk).update(connections=1, seen_at=now)
        attendance.arrived(stream, user, now=now, last_seen=row.seen_at)
    else:
        Presence.objects.filter(pk=row.pk).update(connections=F("connections") + 1, seen_at=now)


@transaction.atomic
def leave(stream: str, user) -> None:
    row = Presence.objects.select_for_update().filter(stream=stream, user=user).first()
    if row is None:
        return
    if row.connections <= 1:
        row.delete()
        attendance.left(stream, user)
    else:
        Presence.objects.filter(pk=row.pk).update(connections=F("connections") - 1)


def touch(stream: str, user_ids: list[int]) -> None:
    Presence.objects.filter(stream=stream, user_id__in=user_ids).update(seen_at=timezone.now())


def snapshot(stream: str) -> dict:
    here = Presence.objects.filter(
        stream=stream, seen_at__gte=timezone.now() - timedelta(seconds=FRESH_SECONDS)
    )
    names = list(
        here.select_related("user__profile")
        .order_by("user__profile__display_name")
        .values_list("user__profile__display_name", flat=True)[:NAMES_SHOWN]
    )
    return {"count": here.count(), "names": names}
