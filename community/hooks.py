"""Where community asks the apps built on it for something, without importing them.

Dependencies point one way (inquiry -> community -> realtime). When community must cause
work in inquiry (a timed session that ended goes into each participant's CPD record,
which inquiry keeps) or show what inquiry knows (a school's priorities on its page), it
calls a hook here, and inquiry registers the hook's function in its AppConfig.ready().
A hook that nobody registered does nothing, so community still works on its own.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Attended:
    """One person's part in a timed session that ended, for their CPD record."""

    user_id: int
    title: str
    occurred_at: datetime
    minutes: int
    url: str
    source: str  # "session:12": one record entry per person per source, written once
    details: str = ""


_hooks: dict[str, Callable] = {}
_demo_seeders: list[Callable] = []


def register(
    *,
    record_sessions: Callable[[list[Attended], datetime], None] | None = None,
    record_entry: Callable | None = None,
    school_sections: Callable | None = None,
) -> None:
    """record_sessions(attended, now): write these CPD record entries (idempotent by
    source). record_entry(user, source): the viewer's entry from that source, or None.
    school_sections(school, viewer): [(template, section)] shown on a school's page,
    each template included with `section`."""
    given = {
        "record_sessions": record_sessions,
        "record_entry": record_entry,
        "school_sections": school_sections,
    }
    _hooks.update({name: hook for name, hook in given.items() if hook is not None})


def register_demo(seeder: Callable) -> None:
    """seeder(staff): adds an app's part of the demo network after community's."""
    if seeder not in _demo_seeders:
        _demo_seeders.append(seeder)


def record_sessions(attended: list[Attended], *, now: datetime) -> None:
    if (hook := _hooks.get("record_sessions")) is not None:
        hook(attended, now)


def record_entry(user, source: str):
    hook = _hooks.get("record_entry")
    return hook(user, source) if hook is not None else None


def school_sections(school, viewer) -> list[tuple[str, object]]:
    hook = _hooks.get("school_sections")
    return hook(school, viewer) if hook is not None else []


def seed_demo(staff) -> None:
    for seeder in _demo_seeders:
        seeder(staff)
