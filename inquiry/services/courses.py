"""Every write to a course and its units: staff create a course and name its authors;
authors and staff edit it, publish it, and add, edit, reorder and delete its units and
their pre-learning. Cohorts are written by inquiry.services.cohorts.

A course's units are renumbered inside one transaction, with the course row locked, and
never two units with one number at any moment: (course, number) is unique, and neither
SQLite nor PostgreSQL defers that check to the end of the statement."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from community.markdown import render_markdown
from community.models import User
from community.slugs import unique_slug
from inquiry import rules
from inquiry.models import Course, Module, Unit, UnitModule

TITLE_MAX_LENGTH = 120
SUMMARY_MAX_LENGTH = 300
MARKDOWN_MAX_LENGTH = 5_000
PLACE_MAX_LENGTH = 200
MIN_SESSION_MINUTES, MAX_SESSION_MINUTES = 5, 480
MAX_UNITS = 20
MAX_UNIT_MODULES = 6
# The course pages' own addresses under /courses/: a course may not take one as its slug.
RESERVED_SLUGS = frozenset({"new", "mine"})
NO_UNIT_CHANGES = (
    "A cohort has started from this course, so its units stay as they are: "
    "the cohort's dates, register and progress depend on them."
)


@dataclass(frozen=True)
class CourseDraft:
    title: str
    summary: str
    outcomes: str
    unlock: str = Course.Unlock.BY_DATE


@dataclass(frozen=True)
class UnitDraft:
    title: str
    intro: str = ""
    session_kind: str = Unit.SessionKind.NONE
    session_place: str = ""
    session_link: str = ""
    session_minutes: int | None = 60
    task: str = ""
    reflection_prompt: str = ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _markdown(errors: dict, name: str, text: str, *, missing: str = "") -> str:
    """Rendered HTML, or "" with the problem recorded in `errors`."""
    if missing and not text.strip():
        errors[name] = [missing]
        return ""
    try:
        return render_markdown(text, max_length=MARKDOWN_MAX_LENGTH).html
    except ValidationError as error:
        errors[name] = error.messages
        return ""


def _check_title(errors: dict, title: str, missing: str) -> None:
    if not title:
        errors["title"] = [missing]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [f"A title is at most {TITLE_MAX_LENGTH} characters."]


def _clean_course(draft: CourseDraft) -> dict:
    errors: dict[str, list[str]] = {}
    title, summary = _one_line(draft.title), _one_line(draft.summary)
    _check_title(errors, title, "Give the course a title.")
    if not summary:
        errors["summary"] = ["Say in a sentence or two what the course is about."]
    elif len(summary) > SUMMARY_MAX_LENGTH:
        errors["summary"] = [f"A summary is at most {SUMMARY_MAX_LENGTH} characters."]
    outcomes_html = _markdown(
        errors,
        "outcomes",
        draft.outcomes,
        missing="Say what a teacher will be able to do after the course.",
    )
    if draft.unlock not in Course.Unlock.values:
        errors["unlock"] = ["Choose how the units open."]
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "summary": summary,
        "outcomes": draft.outcomes,
        "outcomes_html": outcomes_html,
        "unlock": draft.unlock,
    }


def _unique_slug(title: str) -> str:
    return unique_slug(Course, slugify(title)[:120].strip("-") or "course", reserved=RESERVED_SLUGS)


@transaction.atomic
def create_course(*, actor: User, draft: CourseDraft, authors=(), now=None) -> Course:
    """A draft course, seen only by its authors and staff until it is published."""
    if not rules.can_create_course(actor):
        raise PermissionDenied("Network staff create courses.")
    fields = _clean_course(draft)
    now = now or timezone.now()
    course = Course.objects.create(
        **fields,
        slug=_unique_slug(fields["title"]),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    course.authors.set(authors)
    return course


@transaction.atomic
def update_course(*, actor: User, course: Course, draft: CourseDraft, now=None) -> Course:
    """Its address (slug) stays: links to it, and cohorts' pages, keep working."""
    if not rules.can_edit_course(actor, course):
        raise PermissionDenied("Only the course's authors and staff edit it.")
    fields = _clean_course(draft)
    course = Course.objects.select_for_update().get(pk=course.pk)
    for name, value in fields.items():
        setattr(course, name, value)
    course.updated_at = now or timezone.now()
    course.save(update_fields=[*fields, "updated_at"])
    return course


@transaction.atomic
def add_course_author(*, actor: User, course: Course, user: User) -> Course:
    if not rules.can_manage_course_authors(actor, course):
        raise PermissionDenied("Network staff choose a course's authors.")
    if not user.is_active:
        raise ValidationError({"user": ["That account is not active."]})
    if course.authors.filter(pk=user.pk).exists():
        raise ValidationError({"user": [f"{user.profile.display_name} is already an author."]})
    course.authors.add(user)
    return course


@transaction.atomic
def remove_course_author(*, actor: User, course: Course, user: User) -> Course:
    """They no longer edit the course; cohorts they facilitate keep them as facilitator."""
    if not rules.can_manage_course_authors(actor, course):
        raise PermissionDenied("Network staff choose a course's authors.")
    course.authors.remove(user)
    return course


@transaction.atomic
def publish_course(*, actor: User, course: Course, now=None) -> Course:
    """In the course list from now on, and cohorts can be started from it."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if not rules.can_edit_course(actor, course):
        raise PermissionDenied("Only the course's authors and staff publish it.")
    if course.published_at is not None:
        raise ValidationError("The course is already published.")
    if not course.units.exists():
        raise ValidationError("Add at least one unit before publishing the course.")
    course.published_at = now or timezone.now()
    course.save(update_fields=["published_at"])
    return course


# --- Units ------------------------------------------------------------------------------


def _locked_course(actor: User, course: Course) -> Course:
    """The course row locked for a change to its units, after the rule is checked on
    fresh data (a cohort may have been started a moment ago)."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if not rules.can_edit_course(actor, course):
        raise PermissionDenied("Only the course's authors and staff change its units.")
    if rules.course_has_cohorts(course):
        raise PermissionDenied(NO_UNIT_CHANGES)
    return course


def _clean_unit(draft: UnitDraft) -> dict:
    errors: dict[str, list[str]] = {}
    title = _one_line(draft.title)
    _check_title(errors, title, "Give the unit a title.")
    kind = draft.session_kind
    place, link = _one_line(draft.session_place), draft.session_link.strip()
    minutes = draft.session_minutes
    if kind not in Unit.SessionKind.values:
        errors["session_kind"] = ["Choose what kind of session the unit has."]
    if kind == Unit.SessionKind.IN_PERSON:
        if not place:
            errors["session_place"] = ["Say where the session is: a room and a school."]
        elif len(place) > PLACE_MAX_LENGTH:
            errors["session_place"] = [f"A place is at most {PLACE_MAX_LENGTH} characters."]
    else:
        place = ""
    if kind == Unit.SessionKind.LINK:
        try:
            if not link:
                raise ValidationError("missing")
            URLValidator(schemes=["https", "http"])(link)
        except ValidationError:
            errors["session_link"] = [
                "Give the call's full address, starting https:// (for example a video call link)."
            ]
    else:
        link = ""
    if kind != Unit.SessionKind.NONE and kind in Unit.SessionKind.values:
        if minutes is None or not MIN_SESSION_MINUTES <= minutes <= MAX_SESSION_MINUTES:
            errors["session_minutes"] = [
                f"A session lasts from {MIN_SESSION_MINUTES} to {MAX_SESSION_MINUTES} minutes."
            ]
    else:
        minutes = Unit._meta.get_field("session_minutes").default
    html = {
        name: _markdown(errors, name, getattr(draft, name))
        for name in ("intro", "task", "reflection_prompt")
    }
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "intro": draft.intro,
        "intro_html": html["intro"],
        "session_kind": kind,
        "session_place": place,
        "session_link": link,
        "session_minutes": minutes,
        "task": draft.task,
        "task_html": html["task"],
        "reflection_prompt": draft.reflection_prompt,
        "reflection_prompt_html": html["reflection_prompt"],
    }


def _touch(course: Course, now=None) -> None:
    course.updated_at = now or timezone.now()
    course.save(update_fields=["updated_at"])


@transaction.atomic
def create_unit(*, actor: User, course: Course, draft: UnitDraft, now=None) -> Unit:
    """A new unit at the end of the course."""
    course = _locked_course(actor, course)
    fields = _clean_unit(draft)
    last = course.units.aggregate(last=Max("number"))["last"] or 0
    if last >= MAX_UNITS:
        raise ValidationError(f"A course has at most {MAX_UNITS} units.")
    unit = Unit.objects.create(course=course, number=last + 1, **fields)
    _touch(course, now)
    return unit


@transaction.atomic
def update_unit(*, actor: User, unit: Unit, draft: UnitDraft, now=None) -> Unit:
    course = _locked_course(actor, unit.course)
    fields = _clean_unit(draft)
    unit = Unit.objects.get(pk=unit.pk)
    for name, value in fields.items():
        setattr(unit, name, value)
    unit.save(update_fields=list(fields))
    _touch(course, now)
    return unit


@transaction.atomic
def delete_unit(*, actor: User, unit: Unit, now=None) -> None:
    """The units after it move up one number, first to last, so no two share a number."""
    course = _locked_course(actor, unit.course)
    number = Unit.objects.get(pk=unit.pk).number
    Unit.objects.filter(pk=unit.pk).delete()
    for later in course.units.filter(number__gt=number).order_by("number"):
        later.number -= 1
        later.save(update_fields=["number"])
    _touch(course, now)


@transaction.atomic
def move_unit(*, actor: User, unit: Unit, direction: str, now=None) -> Unit:
    """Swap with the unit above ("up") or below ("down"), through number 0, which no unit
    has (units count from 1)."""
    if direction not in ("up", "down"):
        raise ValidationError("Move a unit up or down.")
    course = _locked_course(actor, unit.course)
    unit = Unit.objects.get(pk=unit.pk)
    target = unit.number - 1 if direction == "up" else unit.number + 1
    other = course.units.filter(number=target).first()
    if other is None:
        raise ValidationError(
            "It is already the first unit." if direction == "up" else "It is already the last unit."
        )
    mine = unit.number
    Unit.objects.filter(pk=unit.pk).update(number=0)
    Unit.objects.filter(pk=other.pk).update(number=mine)
    Unit.objects.filter(pk=unit.pk).update(number=target)
    unit.number = target
    _touch(course, now)
    return unit


# --- A unit's pre-learning --------------------------------------------------------------


@transaction.atomic
def add_unit_module(*, actor: User, unit: Unit, module: Module, now=None) -> UnitModule:
    """A published library module, at the end of the unit's pre-learning. A module is
    pre-learning once per course: completing it would otherwise count for two units."""
    course = _locked_course(actor, unit.course)
    module = Module.objects.get(pk=module.pk)
    if module.status != Module.Status.PUBLISHED:
        raise ValidationError({"module": ["Only published library modules can be pre-learning."]})
    elsewhere = (
        UnitModule.objects.filter(unit__course=course, module=module).select_related("unit").first()
    )
    if elsewhere is not None:
        where = "this unit" if elsewhere.unit_id == unit.pk else f"unit {elsewhere.unit.number}"
        raise ValidationError(
            {"module": [f"“{module.title}” is already pre-learning for {where}."]}
        )
    modules = UnitModule.objects.filter(unit=unit)
    if modules.count() >= MAX_UNIT_MODULES:
        raise ValidationError(
            {"module": [f"A unit has at most {MAX_UNIT_MODULES} modules of pre-learning."]}
        )
    last = modules.aggregate(last=Max("order"))["last"]
    link = UnitModule.objects.create(
        unit=unit, module=module, order=0 if last is None else last + 1
    )
    _touch(course, now)
    return link


@transaction.atomic
def remove_unit_module(*, actor: User, unit: Unit, module: Module, now=None) -> None:
    course = _locked_course(actor, unit.course)
    deleted, _ = UnitModule.objects.filter(unit=unit, module=module).delete()
    if not deleted:
        raise ValidationError("That module is not part of this unit.")
    _touch(course, now)


@transaction.atomic
def move_unit_module(*, actor: User, unit: Unit, module: Module, direction: str, now=None) -> None:
    """Swap a module with its neighbour in the unit's list (orders are renumbered 0..n-1
    on the way, so older gaps or ties cannot make a move do nothing)."""
    if direction not in ("up", "down"):
        raise ValidationError("Move a module up or down.")
    course = _locked_course(actor, unit.course)
    links = list(UnitModule.objects.filter(unit=unit).order_by("order", "pk"))
    index = next((i for i, link in enumerate(links) if link.module_id == module.pk), None)
    if index is None:
        raise ValidationError("That module is not part of this unit.")
    swap = index - 1 if direction == "up" else index + 1
    if not 0 <= swap < len(links):
        raise ValidationError(
            "It is already the first module."
            if direction == "up"
            else "It is already the last module."
        )
    links[index], links[swap] = links[swap], links[index]
    for order, link in enumerate(links):
        if link.order != order:
            link.order = order
            link.save(update_fields=["order"])
    _touch(course, now)
