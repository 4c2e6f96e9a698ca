"""Every write to a cohort's people and dates: creating one from a published course (with
its own private space, whose chat room is the cohort's), its unit dates, joining with the
invite code, facilitators adding and removing members and changing the code, and a
member starting a unit's classroom task (an inquiry cycle linked to the unit).

Attendance and nudges are inquiry.services.facilitation's."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.text import slugify

from community import rules as community_rules
from community.models import Membership, Space, User
from community.services import forum
from community.slugs import unique_slug
from inquiry import rules
from inquiry.models import (
    Cohort,
    CohortMember,
    CohortUnit,
    Course,
    InquiryCycle,
    Module,
    Unit,
    UnitModule,
)
from inquiry.progress import cohort_progress
from inquiry.services import cycles
from realtime import access

# Eight characters from an alphabet without look-alikes (no I, L, O, 0 or 1): easy to read
# out in a staffroom and to type from a slide. 31^8 codes: guessing one is hopeless.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_CAPACITY = 200
NAME_MAX_LENGTH = 120
FORTNIGHT = timedelta(days=14)
DEFAULT_SESSION_TIME = time(19, 0)  # a weekday evening, after school


@dataclass
class UnitDates:
    """When a unit opens and when its session is, aware datetimes (stored in UTC)."""

    unit: Unit
    opens_at: datetime
    session_at: datetime | None = None


def default_unit_dates(units: list[Unit], *, start: date, zone: ZoneInfo) -> list[UnitDates]:
    """One unit a fortnight from `start`: each opens at the start of its day in the
    facilitator's zone, and its session (if it has one) is a week later at 19:00 there,
    after a week for the pre-learning."""
    dates = []
    for index, unit in enumerate(units):
        day = start + index * FORTNIGHT
        opens = datetime.combine(day, time(0, 0), tzinfo=zone)
        session = datetime.combine(day + timedelta(days=7), DEFAULT_SESSION_TIME, tzinfo=zone)
        dates.append(UnitDates(unit, opens, session if unit.has_session else None))
    return dates


def new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Cohort.objects.filter(invite_code=code).exists():
            return code


def normalise_code(text: str) -> str:
    """What someone typed, as a code: case, spaces and dashes don't matter."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _unique_slug(text: str) -> str:
    return unique_slug(Cohort, slugify(text)[:120] or "cohort")


def _check_dates(units: list[Unit], unit_dates: list[UnitDates], errors: dict) -> None:
    given = {d.unit.pk: d for d in unit_dates}
    if set(given) != {unit.pk for unit in units} or len(given) != len(unit_dates):
        errors["__all__"] = ["Give dates for each of the course's units, once each."]
        return
    for unit in units:
        d, field = given[unit.pk], f"unit_{unit.number}"
        if unit.has_session and d.session_at is None:
            errors[f"{field}_session"] = [f"When is unit {unit.number}'s session?"]
        elif d.session_at is not None and d.session_at < d.opens_at:
            errors[f"{field}_session"] = [
                f"Unit {unit.number}'s session is before the unit opens: move one of them."
            ]


def _course_units(course: Course) -> list[Unit]:
    return list(course.units.order_by("number"))


# --- Creating a cohort and its dates --------------------------------------------------------


@transaction.atomic
def create_cohort(
    *,
    actor: User,
    course: Course,
    name: str,
    capacity: int,
    unit_dates: list[UnitDates],
    facilitators: list[User] = (),
    invite_expires_at: datetime | None = None,
    timezone_name: str | None = None,
    now: datetime | None = None,
) -> Cohort:
    """A run of a published course: the cohort, its units' dates, its own private space
    (the facilitators moderate it; its chat room is the cohort's) and an invite code. The
    creator facilitates, with any of the course's other authors they name."""
    now = now or timezone.now()
    if not rules.can_start_cohort(actor, course):
        raise PermissionDenied("Only the course's authors and staff start its cohorts.")
    errors: dict[str, list[str]] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = ["Name the cohort, e.g. “Spring 2027, Leeds”."]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [f"A cohort's name is at most {NAME_MAX_LENGTH} characters."]
    if not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = [f"Capacity is a whole number from 1 to {MAX_CAPACITY}."]
    authors = rules.course_author_ids(course)
    others = [user for user in facilitators if user.pk != actor.pk]
    if any(user.pk not in authors for user in others):
        errors["facilitators"] = ["Facilitators are chosen from the course's authors."]
    if invite_expires_at is not None and invite_expires_at <= now:
        errors["invite_expires"] = ["The invite would have expired already: pick a later date."]
    units = _course_units(course)
    if not units:
        errors["__all__"] = ["This course has no units yet."]
    else:
        _check_dates(units, unit_dates, errors)
    if errors:
        raise ValidationError(errors)
    space = forum.create_space(
        actor=actor,
        name=name[:80],
        kind=Space.Kind.PRIVATE,
        description=f"The private space of the cohort {name} of the course {course.title}.",
    )
    Membership.objects.bulk_create(
        Membership(space=space, user=user, role=Membership.Role.MODERATOR) for user in others
    )
    cohort = Cohort.objects.create(
        course=course,
        name=name,
        slug=_unique_slug(f"{course.title} {name}"),
        space=space,
        capacity=capacity,
        invite_code=new_code(),
        invite_expires_at=invite_expires_at,
        timezone_name=timezone_name or _zone_of(actor),
        created_by=actor,
        created_at=now,
    )
    cohort.facilitators.set([actor, *others])
    CohortUnit.objects.bulk_create(
        CohortUnit(cohort=cohort, unit=d.unit, opens_at=d.opens_at, session_at=d.session_at)
        for d in unit_dates
    )
    for user in others:
        community_rules.forget_memberships(user)
    return cohort


def _zone_of(user: User) -> str:
    return getattr(getattr(user, "profile", None), "timezone", "") or "Europe/London"


@transaction.atomic
def set_unit_dates(*, actor: User, cohort: Cohort, unit_dates: list[UnitDates]) -> Cohort:
    """Move the units' opening dates and sessions (a by-date unit opens, or closes again,
    with its date: progress is derived from it)."""
    if not rules.can_manage_cohort(actor, cohort):
        raise PermissionDenied("Only the cohort's facilitators change its dates.")
    errors: dict[str, list[str]] = {}
    _check_dates(_course_units(cohort.course), unit_dates, errors)
    if errors:
        raise ValidationError(errors)
    rows = {cu.unit_id: cu for cu in CohortUnit.objects.select_for_update().filter(cohort=cohort)}
    changed = []
    for d in unit_dates:
        row = rows[d.unit.pk]
        row.opens_at, row.session_at = d.opens_at, d.session_at
        changed.append(row)
    CohortUnit.objects.bulk_update(changed, ["opens_at", "session_at"])
    return cohort


# --- People ----------------------------------------------------------------------------------


def _add(cohort: Cohort, user: User, *, added_by: User | None, now: datetime) -> CohortMember:
    """The member and their place in the cohort's space. The caller holds the cohort's row
    lock, so two people joining at once are counted one after the other."""
    existing = CohortMember.objects.filter(cohort=cohort, user=user).first()
    if existing and existing.removed_at is None:
        raise ValidationError(f"{user.profile.display_name} is already in this cohort.")
    if user.pk in rules.cohort_facilitator_ids(cohort):
        raise ValidationError("Facilitators run the cohort: they are not its members.")
    active = CohortMember.objects.filter(cohort=cohort, removed_at__isnull=True).count()
    if active >= cohort.capacity:
        raise ValidationError(f"This cohort is full: all {cohort.capacity} places are taken.")
    if existing:
        existing.removed_at, existing.joined_at, existing.added_by = None, now, added_by
        existing.save(update_fields=["removed_at", "joined_at", "added_by"])
        member = existing
    else:
        member = CohortMember.objects.create(
            cohort=cohort, user=user, joined_at=now, added_by=added_by
        )
    membership = Membership.objects.filter(space_id=cohort.space_id, user=user).first()
    if membership is None:
        Membership.objects.create(space_id=cohort.space_id, user=user)
    elif membership.is_removed(now):  # a space moderator's removal: the cohort lets them back
        membership.removed_until = None
        membership.save(update_fields=["removed_until"])
    community_rules.forget_memberships(user)
    return member


def _locked(cohort: Cohort) -> Cohort:
    return Cohort.objects.select_for_update().select_related("course").get(pk=cohort.pk)


@transaction.atomic
def join_with_code(*, actor: User, code: str, now: datetime | None = None) -> CohortMember:
    """Join the cohort whose invite code this is, while it has not expired and has room."""
    now = now or timezone.now()
    code = normalise_code(code)
    cohort = Cohort.objects.select_for_update().filter(invite_code=code).first() if code else None
    if cohort is None:
        raise ValidationError(
            {"code": ["That code doesn't match a cohort. Check it with your facilitator."]}
        )
    if cohort.invite_expires_at is not None and cohort.invite_expires_at <= now:
        raise ValidationError(
            {"code": ["This invite has expired. Ask your facilitator for a new code."]}
        )
    removed = CohortMember.objects.filter(
        cohort=cohort, user=actor, removed_at__isnull=False
    ).exists()
    if removed:
        raise ValidationError(
            {"code": ["A facilitator took you off this cohort: ask them to add you again."]}
        )
    if not rules.can_join_cohort(actor, cohort):
        if rules.is_cohort_member(actor, cohort):
            raise ValidationError({"code": ["You are already in this cohort."]})
        if actor.pk in rules.cohort_facilitator_ids(cohort):
            raise ValidationError({"code": ["You facilitate this cohort: you are in it already."]})
        raise PermissionDenied("Sign in to join a cohort.")
    try:
        return _add(cohort, actor, added_by=None, now=now)
    except ValidationError as error:
        raise ValidationError({"code": error.messages}) from None


@transaction.atomic
def add_member(
    *, actor: User, cohort: Cohort, user: User, now: datetime | None = None
) -> CohortMember:
    """A facilitator adds someone (the same capacity rule as joining; no code needed)."""
    now = now or timezone.now()
    if not rules.can_manage_cohort(actor, cohort):
        raise PermissionDenied("Only the cohort's facilitators add members.")
    if not user.is_active:
        raise ValidationError("That account is not active.")
    return _add(_locked(cohort), user, added_by=actor, now=now)


@transaction.atomic
def remove_member(
    *, actor: User, cohort: Cohort, user: User, now: datetime | None = None
) -> CohortMember:
    """Take a member off the cohort: they leave its space (their cycles and record stay
    theirs). A facilitator can add them again."""
    now = now or timezone.now()
    if not rules.can_manage_cohort(actor, cohort):
        raise PermissionDenied("Only the cohort's facilitators remove members.")
    member = (
        CohortMember.objects.select_for_update()
        .filter(cohort=cohort, user=user, removed_at__isnull=True)
        .first()
    )
    if member is None:
        raise ValidationError("They are not a member of this cohort.")
    member.removed_at = now
    member.save(update_fields=["removed_at"])
    Membership.objects.filter(
        space_id=cohort.space_id, user=user, role=Membership.Role.MEMBER
    ).delete()
    community_rules.forget_memberships(user)
    access.changed(users=[user.pk])  # the cohort's room and threads, on open sockets
    return member


@transaction.atomic
def regenerate_code(
    *, actor: User, cohort: Cohort, invite_expires_at: datetime | None = None
) -> Cohort:
    """A new invite code (the old one stops working at once), with a new expiry or none."""
    if not rules.can_manage_cohort(actor, cohort):
        raise PermissionDenied("Only the cohort's facilitators change its invite code.")
    if invite_expires_at is not None and invite_expires_at <= timezone.now():
        raise ValidationError(
            {"invite_expires": ["The invite would have expired already: pick a later date."]}
        )
    cohort = _locked(cohort)
    cohort.invite_code = new_code()
    cohort.invite_expires_at = invite_expires_at
    cohort.save(update_fields=["invite_code", "invite_expires_at"])
    return cohort


# --- A unit's classroom task -----------------------------------------------------------------


def task_focus_question(unit: Unit) -> str:
    """The cycle's focus question starts from the task (the member rewords it later)."""
    task = " ".join(strip_tags(unit.task_html or unit.task).split())
    text = f"Unit {unit.number} task: {task}"
    limit = cycles.FOCUS_MAX_LENGTH
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@transaction.atomic
def start_unit_task(
    *, actor: User, cohort: Cohort, cohort_unit: CohortUnit, now: datetime | None = None
) -> tuple[InquiryCycle, bool]:
    """The member's inquiry cycle for a unit's classroom task, started from the unit's first
    pre-learning module, once the unit is open. One per member per unit: pressing again
    gives back the first (`created` is False)."""
    now = now or timezone.now()
    if cohort_unit.cohort_id != cohort.pk:
        raise ValidationError("That unit is not part of this cohort.")
    # The member's row, locked: two presses at once make one cycle.
    member = (
        CohortMember.objects.select_for_update()
        .filter(cohort=cohort, user=actor, removed_at__isnull=True)
        .first()
    )
    if member is None:
        raise PermissionDenied("Only the cohort's members do its classroom tasks.")
    existing = (
        InquiryCycle.objects.filter(owner=actor, cohort_unit=cohort_unit)
        .order_by("-created_at")
        .first()
    )
    if existing is not None:
        return existing, False
    progress = cohort_progress(cohort, [actor.pk], now=now)[actor.pk]
    unit_progress = next(u for u in progress.units if u.cohort_unit.pk == cohort_unit.pk)
    if not rules.can_start_unit_task(actor, cohort, unit_progress):
        if not unit_progress.unit.task:
            raise ValidationError("This unit has no classroom task.")
        raise ValidationError(locked_reason(cohort, progress, unit_progress))
    module = _first_module(cohort_unit.unit)
    cycle = cycles.start_cycle(
        actor=actor, focus_question=task_focus_question(cohort_unit.unit), module=module, now=now
    )
    cycle.cohort_unit = cohort_unit
    cycle.save(update_fields=["cohort_unit"])
    return cycle, True


def _first_module(unit: Unit) -> Module | None:
    link = (
        UnitModule.objects.filter(unit=unit, module__status=Module.Status.PUBLISHED)
        .select_related("module")
        .order_by("order", "pk")
        .first()
    )
    return link.module if link else None


def locked_reason(cohort: Cohort, progress, unit_progress) -> str:
    """Why a unit is not open yet, in words, its date in the current (the viewer's) zone."""
    index = progress.units.index(unit_progress)
    cohort_unit = unit_progress.cohort_unit
    if index == 0 or cohort.course.unlock == Course.Unlock.BY_DATE:
        local = timezone.localtime(cohort_unit.opens_at)
        zone = local.tzname()
        when = f"{date_format(local, 'j M Y')}, {local:%H:%M} {zone}"
        return f"Unit {unit_progress.unit.number} opens on {when}."
    before = progress.units[index - 1].unit
    return f"Unit {unit_progress.unit.number} opens when you finish unit {before.number}."
