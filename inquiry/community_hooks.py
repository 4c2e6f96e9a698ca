"""What inquiry does for community, through community/hooks.py (community never imports
inquiry): a timed session that ended goes into each participant's CPD record, the session
page links to that entry, a school's page shows its improvement priorities, and the demo
network gets inquiry's library, cycles and courses after community's spaces."""

from community import hooks
from inquiry.management.commands._demo_courses import seed_courses
from inquiry.management.commands._demo_inquiry import seed_inquiry
from inquiry.models import RecordEntry
from inquiry.queries_priorities import school_priorities
from inquiry.services.record import SystemEntry, write_entries


def record_sessions(attended: list[hooks.Attended], now) -> None:
    entries = [
        SystemEntry(
            user_id=a.user_id,
            kind=RecordEntry.Kind.SESSION,
            title=a.title,
            occurred_at=a.occurred_at,
            minutes=a.minutes,
            url=a.url,
            source=a.source,
            details=a.details,
        )
        for a in attended
    ]
    write_entries(entries, now=now)


def record_entry(user, source: str) -> RecordEntry | None:
    return RecordEntry.objects.visible_to(user).filter(source=source).first()


def school_sections(school, viewer) -> list[tuple[str, object]]:
    return [("inquiry/priorities/_school_section.html", school_priorities(school, viewer))]


def register() -> None:
    hooks.register(
        record_sessions=record_sessions,
        record_entry=record_entry,
        school_sections=school_sections,
    )
    hooks.register_demo(seed_inquiry)
    hooks.register_demo(seed_courses)  # after the library: its units' pre-learning is it
