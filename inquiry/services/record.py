"""Every write to the CPD record: entries the system writes when something happens, and
the teacher's own (adding one, editing title, minutes, notes and tags, deleting one they
added)."""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from community.markdown import render_markdown
from community.models import User
from inquiry import rules
from inquiry.models.record import (
    MAX_MINUTES,
    NOTES_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    RecordEntry,
    RecordTag,
)

MAX_TAGS = 10  # per entry: labels, not an essay
TAG_MAX_LENGTH = RecordTag._meta.get_field("name").max_length


@dataclass(frozen=True)
class SystemEntry:
    """What a feature knows when it records something for someone."""

    user_id: int
    kind: str
    title: str
    occurred_at: datetime
    minutes: int
    url: str
    source: str  # "session:12": one entry per person per source
    details: str = ""


def write_entries(entries: list[SystemEntry], *, now: datetime | None = None) -> None:
    """Add the system's entries. An entry already made from the same source is left as it
    is (the teacher may have edited it): writing twice, or racing, changes nothing."""
    now = now or timezone.now()
    RecordEntry.objects.bulk_create(
        (
            RecordEntry(
                user_id=entry.user_id,
                kind=entry.kind,
                title=entry.title[:TITLE_MAX_LENGTH],
                occurred_at=entry.occurred_at,
                minutes=max(0, min(entry.minutes, MAX_MINUTES)),
                url=entry.url,
                details=entry.details,
                source=entry.source,
                created_at=now,
                updated_at=now,
            )
            for entry in entries
        ),
        ignore_conflicts=True,
        batch_size=500,
    )


def _clean(*, title: str, minutes: int | None, notes: str) -> tuple[str, str]:
    """The title stripped and the notes' HTML, or one ValidationError naming each field."""
    errors: dict[str, list[str]] = {}
    title = title.strip()
    if not title:
        errors["title"] = ["Give the entry a title."]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [f"A title is at most {TITLE_MAX_LENGTH} characters."]
    if minutes is None or not 0 <= minutes <= MAX_MINUTES:
        errors["minutes"] = [f"Minutes are a whole number from 0 to {MAX_MINUTES}."]
    notes_html = ""
    try:
        notes_html = render_markdown(notes, max_length=NOTES_MAX_LENGTH).html
    except ValidationError as error:
        errors["notes"] = error.messages
    if errors:
        raise ValidationError(errors)
    return title, notes_html


def _zone_of(user: User) -> zoneinfo.ZoneInfo:
    name = getattr(getattr(user, "profile", None), "timezone", "") or "UTC"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@transaction.atomic
def add_entry(
    *,
    actor: User,
    title: str,
    occurred_on: date,
    minutes: int,
    notes: str = "",
    tags: list[str] = (),
    now=None,
) -> RecordEntry:
    """The teacher's own entry (reading, a course elsewhere), on a day in their zone."""
    now = now or timezone.now()
    if not rules.can_add_entry(actor):
        raise PermissionDenied("Sign in to keep a record.")
    zone = _zone_of(actor)
    problems = {}
    if occurred_on > now.astimezone(zone).date():
        problems["occurred_on"] = ["Choose a day that has already happened."]
    try:
        title, notes_html = _clean(title=title, minutes=minutes, notes=notes)
    except ValidationError as error:
        problems.update(error.message_dict)
    try:
        tags = check_tags(tags)
    except ValidationError as error:
        problems["tags"] = error.messages
    if problems:
        raise ValidationError(problems)
    entry = RecordEntry.objects.create(
        user=actor,
        kind=RecordEntry.Kind.MANUAL,
        title=title,
        # Midday in the teacher's zone: the day reads the same wherever it is shown.
        occurred_at=datetime.combine(occurred_on, time(12), tzinfo=zone),
        minutes=minutes,
        notes=notes,
        notes_html=notes_html,
        created_at=now,
        updated_at=now,
    )
    if tags:
        _set_tags(entry, tags)
    return entry


@transaction.atomic
def update_entry(
    *,
    actor: User,
    entry: RecordEntry,
    title: str,
    minutes: int,
    notes: str,
    tags: list[str] | None = None,
    now=None,
) -> RecordEntry:
    """The owner corrects an entry's title and minutes, writes their own notes and labels
    it with their tags (None leaves the tags as they are); what the system recorded (its
    date, evidence and details) stays."""
    if not rules.can_edit_entry(actor, entry):
        raise PermissionDenied("Only the teacher whose record this is edits it.")
    problems = {}
    try:
        title, notes_html = _clean(title=title, minutes=minutes, notes=notes)
    except ValidationError as error:
        problems.update(error.message_dict)
    if tags is not None:
        try:
            tags = check_tags(tags)
        except ValidationError as error:
            problems["tags"] = error.messages
    if problems:
        raise ValidationError(problems)
    entry.title, entry.minutes, entry.notes, entry.notes_html = title, minutes, notes, notes_html
    entry.updated_at = now or timezone.now()
    entry.save(update_fields=["title", "minutes", "notes", "notes_html", "updated_at"])
    if tags is not None:
        _set_tags(entry, tags)
    return entry


@transaction.atomic
def delete_entry(*, actor: User, entry: RecordEntry) -> None:
    """The owner deletes an entry they added. Staffroom's own entries are refused (see
    rules.can_delete_entry): write_entries would write them again from their source."""
    if not rules.can_delete_entry(actor, entry):
        if rules.can_edit_entry(actor, entry):
            raise PermissionDenied(
                "Staffroom wrote this entry when it happened, so it stays in your record: "
                "change its title, minutes or notes instead (0 minutes leaves it out of "
                "your hours)."
            )
        raise PermissionDenied("Only the teacher whose record this is changes it.")
    entry.delete()


# --- Tags -------------------------------------------------------------------------------


def parse_tags(text: str) -> list[str]:
    """ "Teachers' Standard 4, oracy,, Oracy " -> ["Teachers' Standard 4", "oracy"]: split
    on commas, spaces tidied, blanks dropped, the first spelling of a repeat kept."""
    names, seen = [], set()
    for part in text.split(","):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


def check_tags(names) -> list[str]:
    """The tag names tidied (as parse_tags does), or a ValidationError saying what is
    wrong: at most MAX_TAGS, each at most TAG_MAX_LENGTH characters."""
    names = parse_tags(",".join(names))
    problems = []
    if len(names) > MAX_TAGS:
        problems.append(f"An entry has at most {MAX_TAGS} tags; this has {len(names)}.")
    for name in names:
        if len(name) > TAG_MAX_LENGTH:
            problems.append(
                f"A tag is at most {TAG_MAX_LENGTH} characters: “{name[:20]}…” has {len(name)}."
            )
    if problems:
        raise ValidationError(problems)
    return names


def _set_tags(entry: RecordEntry, names: list[str]) -> None:
    """The entry's tags become these, each the teacher's own: an existing tag is reused
    whatever its case ("Oracy" is "oracy"), a new one is created (get_or_create, so two
    tabs saving the same new tag make one). Tags no entry uses any more are kept: they
    are the teacher's vocabulary."""
    mine = {tag.name.casefold(): tag for tag in RecordTag.objects.filter(user_id=entry.user_id)}
    tags = []
    for name in names:
        tag = mine.get(name.casefold())
        if tag is None:
            tag, _ = RecordTag.objects.get_or_create(user_id=entry.user_id, name=name)
        tags.append(tag)
    entry.tags.set(tags)
