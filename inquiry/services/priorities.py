"""School improvement priorities: a school's leads publish them, edit them and archive
them (docs/inquiry.md, "School priorities"). Teachers link their cycles to one in the
cycles service; this module writes only the priorities themselves."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from community.markdown import render_markdown
from community.models import School, User
from inquiry import rules
from inquiry.models import SchoolPriority

TITLE_MAX_LENGTH = SchoolPriority._meta.get_field("title").max_length
DESCRIPTION_MAX_LENGTH = 5000


def _clean(
    *, school: School, title: str, description: str, priority: SchoolPriority | None = None
) -> tuple[str, str]:
    """The title stripped and the description's HTML, or one ValidationError naming each
    field. Two current priorities of one school never share a title."""
    errors: dict[str, list[str]] = {}
    title = title.strip()
    if not title:
        errors["title"] = ["Give the priority a title, e.g. “Oracy across the curriculum”."]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [f"A title is at most {TITLE_MAX_LENGTH} characters."]
    else:
        same = SchoolPriority.objects.filter(
            school=school, archived_at__isnull=True, title__iexact=title
        )
        if priority is not None:
            same = same.exclude(pk=priority.pk)
        if same.exists():
            errors["title"] = [f"{school.name} already has a current priority called “{title}”."]
    description_html = ""
    try:
        description_html = render_markdown(description, max_length=DESCRIPTION_MAX_LENGTH).html
    except ValidationError as error:
        errors["description"] = error.messages
    if errors:
        raise ValidationError(errors)
    return title, description_html


@transaction.atomic
def create_priority(
    *,
    actor: User,
    school: School,
    title: str,
    description: str = "",
    now: datetime | None = None,
) -> SchoolPriority:
    if not rules.can_lead_school(actor, school):
        raise PermissionDenied("Only this school's leads publish its priorities.")
    title, description_html = _clean(school=school, title=title, description=description)
    return SchoolPriority.objects.create(
        school=school,
        title=title,
        description=description,
        description_html=description_html,
        created_by=actor,
        created_at=now or timezone.now(),
    )


@transaction.atomic
def update_priority(
    *, actor: User, priority: SchoolPriority, title: str, description: str
) -> SchoolPriority:
    if not rules.can_edit_priority(actor, priority):
        raise PermissionDenied("Only this school's leads edit its current priorities.")
    title, description_html = _clean(
        school=priority.school, title=title, description=description, priority=priority
    )
    priority.title, priority.description = title, description
    priority.description_html = description_html
    priority.save(update_fields=["title", "description", "description_html"])
    return priority


@transaction.atomic
def archive_priority(
    *, actor: User, priority: SchoolPriority, now: datetime | None = None
) -> SchoolPriority:
    """No longer offered for new cycles; cycles already linked keep the link, and the
    priority's page stays, marked as archived."""
    if not rules.can_lead_school(actor, priority.school):
        raise PermissionDenied("Only this school's leads archive its priorities.")
    now = now or timezone.now()
    # Conditional, so two leads archiving at once archive it once, at the first time.
    archived = SchoolPriority.objects.filter(pk=priority.pk, archived_at__isnull=True).update(
        archived_at=now
    )
    if not archived:
        raise ValidationError("This priority is already archived.")
    priority.archived_at = now
    return priority
