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


def _age(rows, seconds):
    rows.update(seen_at=timezone.now() - dt.timedelta(seconds=seconds))


def test_people_whose_process_stopped_marking_them_are_not_counted(teacher, colleague):
    presence.join("room:1", teacher)
    presence.join("room:1", colleague)
    _age(Presence.objects.filter(user=colleague), presence.FRESH_SECONDS + 1)
    assert presence.snapshot("room:1") == {"count": 1, "names": ["Amira Khan"]}
    presence.touch()  # this process marks every row of its own alive, in one UPDATE
    assert presence.snapshot("room:1")["count"] == 2


def test_someone_on_two_processes_counts_once_and_leaves_with_their_last_socket(teacher, colleague):
    presence.join("room:1", teacher)
    Presence.objects.create(stream="room:1", user=teacher, process="other", connections=1)
    assert presence.snapshot("room:1") == {"count": 1, "names": ["Amira Khan"]}
    presence.leave("room:1", teacher)  # this process's socket; the other is still there
    assert presence.snapshot("room:1")["count"] == 1


def test_a_reconnect_after_a_crash_is_never_added_to_the_dead_process_count(teacher):
    """The bug: the reconnect was added to the dead process's row, so after leaving
    the person stayed 'present' until that row aged out."""
    Presence.objects.create(stream="room:1", user=teacher, process="crashed", connections=1)
    _age(Presence.objects.filter(process="crashed"), presence.FRESH_SECONDS + 1)
    presence.join("room:1", teacher)
    assert not Presence.objects.filter(process="crashed").exists()  # cleared on the way in
    presence.leave("room:1", teacher)
    assert presence.snapshot("room:1") == {"count": 0, "names": []}
    assert not Presence.objects.exists()


def test_sweep_deletes_a_dead_process_rows_and_keeps_the_living(teacher, colleague):
    presence.join("room:1", teacher)
    Presence.objects.create(stream="room:1", user=colleague, process="crashed", connections=3)
    _age(Presence.objects.filter(process="crashed"), presence.FRESH_SECONDS + 5)
    assert presence.sweep() == 1
    assert list(Presence.objects.values_list("user", flat=True)) == [teacher.pk]
    assert presence.sweep() == 0
