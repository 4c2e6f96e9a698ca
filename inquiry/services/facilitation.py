"""A facilitator's writes: the register of a unit's session (with the CPD record entries it
gives members), and nudges to members who have gone quiet or fallen behind.

Attendance in the record: marking a member present writes them one entry for the session
(kind COHORT, source "attendance:<cohort unit>"). Marking them absent or apologies later
does not delete it behind their back (the record is theirs, and it may carry their own
notes): its minutes become 0 and its details say so; marking them present again puts the
session's minutes back."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from community.models import Notification, User
from community.services.notifications import notify
from inquiry import queries_facilitation as queries
from inquiry import rules
from inquiry.models import Attendance, Cohort, CohortMember, CohortUnit, RecordEntry
from inquiry.services import completion
from inquiry.services.record import SystemEntry, write_entries

ATTENDED = "Attended the session"
MARKED_ABSENT_LATER = "Marked absent later by the facilitator: 0 minutes counted"
NUDGE_MAX_LENGTH = 240  # the notification holds 300 characters with the cohort's name


def attendance_source(cohort_unit: CohortUnit) -> str:
    return f"attendance:{cohort_unit.pk}"


@transaction.atomic
def mark_attendance(
    *,
    actor: User,
    cohort_unit: CohortUnit,
    marks: dict[int, str],
    now: datetime | None = None,
) -> dict[int, str]:
    """Save the register of one session in one go: `marks` maps member user ids to
    present / absent / apologies. A mark for someone who is not a current member, or a
    word that is not one of those, refuses the whole register (nothing saved). Returns
    the marks that changed."""
    now = now or timezone.now()
    cohort = cohort_unit.cohort
    if not rules.can_facilitate(actor, cohort):
        raise PermissionDenied("Only the cohort's facilitators keep its register.")
    unit = cohort_unit.unit
    if not unit.has_session:
        raise ValidationError("This unit has no session, so it has no register.")
    members = set(
        CohortMember.objects.filter(
            cohort=cohort, removed_at__isnull=True, user_id__in=list(marks)
        ).values_list("user_id", flat=True)
    )
    problems = []
    strangers = sorted(set(marks) - members)
    if strangers:
        problems.append(
            "Only the cohort's current members are on the register: "
            f"{len(strangers)} of these marks {'is' if len(strangers) == 1 else 'are'} for "
            "someone who is not one."
        )
    if any(status not in Attendance.Status.values for status in marks.values()):
        problems.append("Mark each member present, absent or apologies.")
    if problems:
        raise ValidationError(problems)

    existing = {
        row.user_id: row
        for row in Attendance.objects.select_for_update().filter(
            cohort_unit=cohort_unit, user_id__in=list(marks)
        )
    }
    changed, new, updated = {}, [], []
    for user_id, status in marks.items():
        row = existing.get(user_id)
        if row is None:
            new.append(
                Attendance(
                    cohort_unit=cohort_unit,
                    user_id=user_id,
                    status=status,
                    marked_by=actor,
                    marked_at=now,
                )
            )
        elif row.status != status:
            row.status, row.marked_by, row.marked_at = status, actor, now
            updated.append(row)
        else:
            continue
        changed[user_id] = status
    Attendance.objects.bulk_create(new)
    Attendance.objects.bulk_update(updated, ["status", "marked_by", "marked_at"])

    present = [uid for uid, status in changed.items() if status == Attendance.Status.PRESENT]
    not_present = [uid for uid, status in changed.items() if uid not in present]
    _record_attendance(cohort_unit, present=present, not_present=not_present, now=now)
    # A session can finish a unit, or the whole course (its credential).
    for user in User.objects.filter(pk__in=present):
        completion.progress_changed(user=user, cohorts=[cohort], now=now)
    return changed


def _record_attendance(cohort_unit, *, present: list[int], not_present: list[int], now):
    unit, cohort = cohort_unit.unit, cohort_unit.cohort
    source = attendance_source(cohort_unit)
    entries = RecordEntry.objects.filter(source=source)
    if present:
        write_entries(
            [
                SystemEntry(
                    user_id=user_id,
                    kind=RecordEntry.Kind.COHORT,
                    title=f"{cohort.course.title}: {unit.title} (session)",
                    occurred_at=cohort_unit.session_at or now,
                    minutes=unit.session_minutes,
                    url=cohort.get_absolute_url(),
                    source=source,
                    details=ATTENDED,
                )
                for user_id in present
            ],
            now=now,
        )
        # Present again after "absent": the entry we zeroed gets its minutes back (one
        # the teacher edited since keeps their minutes: details is ours, minutes theirs).
        entries.filter(user_id__in=present, details=MARKED_ABSENT_LATER, minutes=0).update(
            minutes=unit.session_minutes, details=ATTENDED, updated_at=now
        )
    if not_present:
        entries.filter(user_id__in=not_present).update(
            minutes=0, details=MARKED_ABSENT_LATER, updated_at=now
        )


# --- Nudges ---------------------------------------------------------------------------------


def default_nudge_text(cohort: Cohort) -> str:
    return (
        f"Just checking in on {cohort.course.title}: when you have a moment, pick up where "
        "you left off. If something is in the way, say so in the cohort's space."
    )


def _clean_text(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise ValidationError({"text": ["Write a short message (or keep the one offered)."]})
    if len(text) > NUDGE_MAX_LENGTH:
        raise ValidationError(
            {"text": [f"A nudge is at most {NUDGE_MAX_LENGTH} characters; this has {len(text)}."]}
        )
    return text


def _claimable(now: datetime) -> Q:
    return Q(removed_at__isnull=True) & (
        Q(nudged_at__isnull=True) | Q(nudged_at__lte=now - queries.NUDGE_EVERY)
    )


def _send(*, actor: User, cohort: Cohort, users: list[User], text: str) -> None:
    name = getattr(getattr(actor, "profile", None), "display_name", "") or actor.username
    notify(
        users=users,
        kind=Notification.Kind.INQUIRY,  # "nudges": the setting a teacher already has
        text=f"{name}, facilitator of {cohort.name}: {text}",
        actor=actor,
        link=cohort.get_absolute_url(),
    )


@transaction.atomic
def nudge_member(
    *, actor: User, cohort: Cohort, member: CohortMember, text: str, now: datetime | None = None
) -> bool:
    """A message from the facilitator to one member, in Staffroom (as their notification
    settings allow). At most once a day per member: the claim on nudged_at is a
    conditional UPDATE, so two facilitators clicking at once send one. Returns whether it
    was sent (False: nudged in the last day)."""
    now = now or timezone.now()
    if not rules.can_facilitate(actor, cohort):
        raise PermissionDenied("Only the cohort's facilitators nudge its members.")
    if member.cohort_id != cohort.pk or member.removed_at is not None:
        raise ValidationError("They are not a member of this cohort.")
    text = _clean_text(text)
    if not CohortMember.objects.filter(_claimable(now), pk=member.pk).update(nudged_at=now):
        return False
    member.nudged_at = now
    _send(actor=actor, cohort=cohort, users=[member.user], text=text)
    return True


@transaction.atomic
def nudge_behind(
    *,
    actor: User,
    cohort: Cohort,
    text: str,
    days: int = queries.DEFAULT_QUIET_DAYS,
    now: datetime | None = None,
) -> list[CohortMember]:
    """Nudge everyone the dashboard lists as at risk (quiet for `days`, or a unit or more
    behind), except those nudged in the last day. Returns who was nudged."""
    now = now or timezone.now()
    if not rules.can_facilitate(actor, cohort):
        raise PermissionDenied("Only the cohort's facilitators nudge its members.")
    text = _clean_text(text)
    at_risk = [row.member.pk for row in queries.dashboard(cohort, days=days, now=now).at_risk]
    claimed = list(
        CohortMember.objects.select_for_update()
        .filter(_claimable(now), pk__in=at_risk)
        .select_related("user")
    )
    CohortMember.objects.filter(pk__in=[m.pk for m in claimed]).update(nudged_at=now)
    if claimed:
        _send(actor=actor, cohort=cohort, users=[m.user for m in claimed], text=text)
    return claimed
