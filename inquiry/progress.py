"""Where each member of a cohort is, unit by unit, derived from the facts (nothing about
progress is stored): a unit's pre-learning is done when each of its modules is completed,
its session attended when the register says present (or caught up, after missing it), its
classroom task done when the member's cycle for it has been tried (it reached reflect),
and its reflection shared when that cycle is shared. A part the unit does not have (no
modules, no session) counts as done. Five queries for a whole cohort, however many
members and units: the facilitator's dashboard, the member's course page and the
credential check all read it here."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from inquiry.models import (
    Attendance,
    Cohort,
    CohortUnit,
    Course,
    InquiryCycle,
    ModuleCompletion,
    UnitModule,
)

ATTENDED = {Attendance.Status.PRESENT, Attendance.Status.CAUGHT_UP}
TRIED = {InquiryCycle.Stage.REFLECT, InquiryCycle.Stage.SHARE, InquiryCycle.Stage.DONE}


@dataclass
class UnitProgress:
    cohort_unit: CohortUnit
    modules: int  # how many pre-learning modules the unit has
    modules_done: int
    attendance: str | None  # the register's word, or None: not marked (or no session)
    cycle: InquiryCycle | None  # the member's cycle for the classroom task
    open: bool = False  # may the member work on it now (set by cohort_progress)
    last_activity: datetime | None = None

    @property
    def unit(self):
        return self.cohort_unit.unit

    @property
    def prelearning_done(self) -> bool:
        return self.modules_done >= self.modules

    @property
    def attended(self) -> bool:
        return not self.unit.has_session or self.attendance in ATTENDED

    @property
    def task_done(self) -> bool:
        return not self.unit.task or (self.cycle is not None and self.cycle.stage in TRIED)

    @property
    def reflection_shared(self) -> bool:
        return not self.unit.task or (self.cycle is not None and self.cycle.shared_at is not None)

    @property
    def done(self) -> bool:
        return self.prelearning_done and self.attended and self.task_done and self.reflection_shared

    @property
    def parts(self) -> list[tuple[str, bool]]:
        return [
            ("Pre-learning", self.prelearning_done),
            ("Session", self.attended),
            ("Classroom task", self.task_done),
            ("Reflection", self.reflection_shared),
        ]


@dataclass
class MemberProgress:
    user_id: int
    units: list[UnitProgress] = field(default_factory=list)

    @property
    def done_count(self) -> int:
        return sum(unit.done for unit in self.units)

    @property
    def complete(self) -> bool:
        return bool(self.units) and all(unit.done for unit in self.units)

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / len(self.units)) if self.units else 0

    @property
    def next_unit(self) -> UnitProgress | None:
        """The first open unit not done yet."""
        return next((u for u in self.units if u.open and not u.done), None)

    @property
    def last_activity(self) -> datetime | None:
        moments = [u.last_activity for u in self.units if u.last_activity]
        return max(moments) if moments else None


def cohort_progress(
    cohort: Cohort, user_ids: list[int], now: datetime | None = None
) -> dict[int, MemberProgress]:
    """Each of `user_ids`' progress through the cohort's units, in unit order."""
    now = now or timezone.now()
    cohort_units = list(
        CohortUnit.objects.filter(cohort=cohort).select_related("unit").order_by("unit__number")
    )
    unit_modules: dict[int, set[int]] = {}
    for unit_id, module_id in UnitModule.objects.filter(
        unit__in=[cu.unit_id for cu in cohort_units]
    ).values_list("unit_id", "module_id"):
        unit_modules.setdefault(unit_id, set()).add(module_id)
    all_modules = set().union(*unit_modules.values()) if unit_modules else set()
    completed: dict[int, dict[int, datetime]] = {}
    for user_id, module_id, at in ModuleCompletion.objects.filter(
        user_id__in=user_ids, module_id__in=all_modules, completed_at__isnull=False
    ).values_list("user_id", "module_id", "completed_at"):
        completed.setdefault(user_id, {})[module_id] = at
    register = {
        (row.cohort_unit_id, row.user_id): row
        for row in Attendance.objects.filter(cohort_unit__in=cohort_units, user_id__in=user_ids)
    }
    cycles = {
        (cycle.cohort_unit_id, cycle.owner_id): cycle
        for cycle in InquiryCycle.objects.filter(
            cohort_unit__in=cohort_units, owner_id__in=user_ids
        ).order_by("created_at")  # the latest cycle for a task wins
    }
    by_date = cohort.course.unlock == Course.Unlock.BY_DATE
    result = {}
    for user_id in user_ids:
        member = MemberProgress(user_id)
        done_modules = completed.get(user_id, {})
        previous_done = True
        for index, cu in enumerate(cohort_units):
            modules = unit_modules.get(cu.unit_id, set())
            mark = register.get((cu.pk, user_id))
            cycle = cycles.get((cu.pk, user_id))
            moments = [done_modules[m] for m in modules if m in done_modules]
            if mark and mark.status == Attendance.Status.PRESENT:
                moments.append(mark.marked_at)
            if cycle:
                moments.append(cycle.updated_at)
            unit = UnitProgress(
                cohort_unit=cu,
                modules=len(modules),
                modules_done=sum(1 for m in modules if m in done_modules),
                attendance=mark.status if mark else None,
                cycle=cycle,
                last_activity=max(moments) if moments else None,
            )
            # By date: each on its date. After the previous: the first on its date (the
            # cohort's start), each of the rest once the one before it is done.
            unit.open = now >= cu.opens_at if by_date or index == 0 else previous_done
            previous_done = unit.done
            member.units.append(unit)
        result[user_id] = member
    return result
