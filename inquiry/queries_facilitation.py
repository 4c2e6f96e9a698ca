"""The facilitator's reads: the dashboard (members × units, from inquiry.progress), who is
at risk and why, and the register of one unit's session. Progress is never re-derived
here: cohort_progress says what each member has done; this module only decides what is
*due* by the cohort's dates and who has fallen quiet or behind."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from inquiry.models import Attendance, Cohort, CohortMember, CohortUnit
from inquiry.progress import MemberProgress, cohort_progress

DEFAULT_QUIET_DAYS = 14
NUDGE_EVERY = timedelta(days=1)  # a member is nudged at most once a day


def current_members(cohort: Cohort):
    """The cohort's members now (not removed), with their profiles, by name."""
    return (
        CohortMember.objects.filter(cohort=cohort, removed_at__isnull=True)
        .select_related("user__profile")
        .order_by("user__profile__display_name", "user__username")
    )


def member_name(member: CohortMember) -> str:
    profile = getattr(member.user, "profile", None)
    return (profile.display_name if profile else "") or member.user.username


def due_units(cohort_units: list[CohortUnit], now: datetime) -> int:
    """How many units a member keeping up would have done by now: a unit is due once its
    session has happened; a unit without a session date once the next unit has opened
    (the last such unit is never due by date). A unit is not due the moment it opens:
    that would call everyone "behind" on the first evening of every unit."""
    due = 0
    for index, cu in enumerate(cohort_units):
        if cu.session_at is not None:
            due += cu.session_at <= now
        elif index + 1 < len(cohort_units):
            due += cohort_units[index + 1].opens_at <= now
    return due


@dataclass
class MemberRow:
    member: CohortMember
    progress: MemberProgress
    name: str
    last_activity: datetime  # the latest step, or when they joined if none yet
    quiet_days: int
    behind: int  # units due by date but not done
    reasons: list[str] = field(default_factory=list)  # why at risk; empty: not at risk
    now: datetime | None = None

    @property
    def at_risk(self) -> bool:
        return bool(self.reasons)

    @property
    def user(self):
        return self.member.user

    @property
    def nudged_recently(self) -> bool:
        nudged = self.member.nudged_at
        return nudged is not None and nudged > (self.now or timezone.now()) - NUDGE_EVERY


@dataclass
class Dashboard:
    cohort: Cohort
    cohort_units: list[CohortUnit]
    rows: list[MemberRow]
    due: int
    days: int
    now: datetime

    @property
    def at_risk(self) -> list[MemberRow]:
        return [row for row in self.rows if row.at_risk]

    @property
    def to_nudge(self) -> list[MemberRow]:
        """Those at risk who have not been nudged in the last day."""
        return [row for row in self.at_risk if not row.nudged_recently]


def _reasons(*, quiet_days: int, days: int, behind: int, had_activity: bool) -> list[str]:
    reasons = []
    if behind:
        reasons.append(f"{behind} unit{'s' if behind != 1 else ''} behind the cohort's dates")
    if quiet_days >= days:
        what = "no activity" if had_activity else "nothing done since joining"
        reasons.append(f"{what} for {quiet_days} days")
    return reasons


SORTS = {
    # Furthest behind first: most units behind, fewest done, quiet longest.
    "behind": lambda row: (-row.behind, row.progress.done_count, row.last_activity, row.name),
    "name": lambda row: (row.name.casefold(), row.member.pk),
    "activity": lambda row: (row.last_activity, row.name),
}


def dashboard(
    cohort: Cohort, *, days: int = DEFAULT_QUIET_DAYS, sort: str = "behind", now=None
) -> Dashboard:
    """Every current member's progress and whether they are at risk: seven queries (the
    members, the units, and cohort_progress's five), however big the cohort. The cohort
    should come with its course (select_related)."""
    now = now or timezone.now()
    members = list(current_members(cohort))
    progress = cohort_progress(cohort, [m.user_id for m in members], now=now)
    if members:  # the units as cohort_progress read them, in order
        cohort_units = [u.cohort_unit for u in progress[members[0].user_id].units]
    else:
        cohort_units = list(
            CohortUnit.objects.filter(cohort=cohort).select_related("unit").order_by("unit__number")
        )
    due = due_units(cohort_units, now)
    rows = []
    for member in members:
        mine = progress[member.user_id]
        last = mine.last_activity or member.joined_at
        quiet = max(0, (now - last).days)
        behind = max(0, due - mine.done_count)
        rows.append(
            MemberRow(
                member=member,
                progress=mine,
                name=member_name(member),
                last_activity=last,
                quiet_days=quiet,
                behind=behind,
                # Someone who has finished the course is not at risk, however quiet.
                reasons=[]
                if mine.complete
                else _reasons(
                    quiet_days=quiet,
                    days=days,
                    behind=behind,
                    had_activity=mine.last_activity is not None,
                ),
                now=now,
            )
        )
    rows.sort(key=SORTS.get(sort, SORTS["behind"]))
    return Dashboard(
        cohort=cohort, cohort_units=cohort_units, rows=rows, due=due, days=days, now=now
    )


@dataclass
class RegisterRow:
    member: CohortMember
    name: str
    status: str | None  # the register's word, or None: not marked yet


def register(cohort_unit: CohortUnit) -> list[RegisterRow]:
    """Each current member with their mark for this session: two queries."""
    marks = dict(
        Attendance.objects.filter(cohort_unit=cohort_unit).values_list("user_id", "status")
    )
    return [
        RegisterRow(member=m, name=member_name(m), status=marks.get(m.user_id))
        for m in current_members(cohort_unit.cohort)
    ]
