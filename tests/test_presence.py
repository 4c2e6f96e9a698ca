"""Presence rows: counted per person, and a vanished process's people fade out."""

import datetime as dt

from django.utils import timezone

from realtime import presence
from realtime.models import Presence


def test_join_and_leave_count_connections(teacher, colleague):
    presence.join("room:1", teacher)
    presence.join("room:1", teacher)  # a second tab
    presence.join("room:1", colleague)
    assert presence.snapshot("room:1")["count"] == 2
    presence.leave("room:1", teacher)
    assert presence.snapshot("room:1")["count"] == 2
    presence.leave("room:1", teacher)
    assert presence.snapshot("room:1") == {"count": 1, "names": ["Tom Hughes"]}
    presence.leave("room:1", teacher)  # leaving twice is harmless
    assert Presence.objects.count() == 1


def test_people_not_seen_for_90_seconds_are_not_counted(teacher, colleague):
    presence.join("room:1", teacher)
    presence.join("room:1", colleague)
    Presence.objects.filter(user=colleague).update(
        seen_at=timezone.now() - dt.timedelta(seconds=presence.FRESH_SECONDS + 1)
    )
    assert presence.snapshot("room:1") == {"count": 1, "names": ["Amira Khan"]}
    presence.touch("room:1", [colleague.pk])
    assert presence.snapshot("room:1")["count"] == 2
