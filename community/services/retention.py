"""Retention: data that has done its job is deleted, on a schedule set in settings (days;
0 keeps that kind for ever).

- Read notifications, STAFFROOM_RETAIN_READ_NOTIFICATIONS_DAYS after they were read.
  Unread ones stay, however old.
- A timed session's raw attendance (`SessionAttendance`: when each person was in the
  room), STAFFROOM_RETAIN_ATTENDANCE_DAYS after the session's CPD record entries were
  written (`recorded_at`, set in the same transaction). The entries hold the minutes;
  the archive is the chat messages, which this never touches. A session not yet
  recorded keeps its rows, however old.
- Moderation log entries, STAFFROOM_RETAIN_MODERATION_LOG_DAYS after they were written.
  The log is append-only for everyone else (`ModerationAction.save`/`delete` refuse).

`apply_retention_daily` is what every server process calls once a minute
(`realtime/clock.py`); the cache key of the day lets one of them run it (the cache is
Redis, shared by every process, whenever REDIS_URL is set). Every deletion is "older
than", so a second run, or a cron job's `apply_retention` as well, deletes nothing more."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from community.models import ModerationAction, Notification, SessionAttendance


def apply_retention(*, now: datetime | None = None) -> dict[str, int]:
    """Delete what is past its keeping period; returns how many rows of each kind."""
    now = now or timezone.now()
    counts = {"read_notifications": 0, "attendance": 0, "moderation_log": 0}
    if cutoff := _cutoff(settings.STAFFROOM_RETAIN_READ_NOTIFICATIONS_DAYS, now):
        counts["read_notifications"] = Notification.objects.filter(read_at__lt=cutoff).delete()[0]
    if cutoff := _cutoff(settings.STAFFROOM_RETAIN_ATTENDANCE_DAYS, now):
        rows = SessionAttendance.objects.filter(session__recorded_at__lt=cutoff)
        counts["attendance"] = rows.delete()[0]
    if cutoff := _cutoff(settings.STAFFROOM_RETAIN_MODERATION_LOG_DAYS, now):
        # A queryset's delete() never calls ModerationAction.delete(), which refuses.
        counts["moderation_log"] = ModerationAction.objects.filter(created_at__lt=cutoff).delete()[
            0
        ]
    return counts


def apply_retention_daily(*, now: datetime | None = None) -> dict[str, int] | None:
    """apply_retention, at most once a (UTC) day whoever calls: None if today's run was
    already claimed. A run that fails gives its claim back, to be tried a minute later."""
    now = now or timezone.now()
    key = f"retention:{now.date().isoformat()}"
    if not cache.add(key, True, timeout=2 * 24 * 60 * 60):
        return None
    try:
        return apply_retention(now=now)
    except Exception:
        cache.delete(key)
        raise


def _cutoff(days: int, now: datetime) -> datetime | None:
    return now - timedelta(days=days) if days else None
