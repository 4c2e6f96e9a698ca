"""Page-shaped reads for cohorts: My courses (each cohort with the member's progress and
next action) and the cohort page (each unit with its parts, modules, session, task and
catch-up). Progress comes from inquiry.progress, never re-derived here."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from inquiry import rules
from inquiry.models import Cohort, CohortMember, ModuleCompletion, UnitModule
from inquiry.progress import MemberProgress, UnitProgress, cohort_progress
from inquiry.services.cohorts import locked_reason


def local_words(moment: datetime) -> str:
    """“12 Mar, 19:00 GMT” in the current (the viewer's) zone."""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'j M, H:i')} {local.tzname()}"


@dataclass
class Action:
    words: str
    url: str = ""


@dataclass
class UnitView:
    """One unit as a member (or a facilitator looking over the course) sees it."""

    progress: UnitProgress | None
    cohort_unit: object
    modules: list = field(default_factory=list)  # (module, done) in order
    locked_reason: str = ""
    now: datetime | None = None

    @property
    def unit(self):
        return self.cohort_unit.unit

    @property
    def session_at(self):
        return self.cohort_unit.session_at

    @property
    def session_ends_at(self):
        at = self.cohort_unit.session_at
        return at + timedelta(minutes=self.unit.session_minutes) if at else None

    @property
    def session_over(self) -> bool:
        return bool(self.session_ends_at and self.session_ends_at <= self.now)

    @property
    def missed(self) -> bool:
        """A session that happened without the member (absent, apologies, not marked)."""
        if not self.progress or not self.unit.has_session or not self.session_over:
            return False
        return not self.progress.attended


def _session_words(unit_view: UnitView) -> str:
    return f"Join the session on {local_words(unit_view.session_at)}"


def next_action(cohort: Cohort, member: MemberProgress, views: list[UnitView]) -> Action:
    """What the member does next, in words, with where to do it."""
    page = cohort.get_absolute_url()
    view = next((v for v in views if v.progress is member.next_unit), None)
    if view is None:
        if member.complete:
            return Action("Course complete: well done", page)
        locked = next((v for v in views if not v.progress.open), None)
        if locked is not None:
            return Action(locked.locked_reason, page)
        return Action("Catch up on what you missed", page)
    progress, anchor = view.progress, f"{page}#unit-{view.unit.number}"
    if not progress.prelearning_done:
        module = next(module for module, done in view.modules if not done)
        return Action(f"Complete the pre-learning: {module.title}", module.get_absolute_url())
    if view.unit.has_session and not progress.attended and not view.session_over:
        if view.session_at:
            return Action(_session_words(view), anchor)
    if not progress.task_done:
        if progress.cycle is None:
            return Action("Start the classroom task", anchor)
        return Action("Carry on with your classroom task", progress.cycle.get_absolute_url())
    if not progress.reflection_shared:
        return Action("Share your reflection", progress.cycle.get_absolute_url())
    return Action("Catch up on the session you missed", f"{anchor}-catch-up")


def _unit_views(cohort: Cohort, member: MemberProgress | None, user, now) -> list[UnitView]:
    """The units with their modules (in order) and, for a member, what they completed:
    two queries."""
    links = list(
        UnitModule.objects.filter(unit__course_id=cohort.course_id)
        .select_related("module")
        .order_by("unit_id", "order", "pk")
    )
    done = set()
    if member is not None:
        done = set(
            ModuleCompletion.objects.filter(
                user=user,
                module_id__in=[link.module_id for link in links],
                completed_at__isnull=False,
            ).values_list("module_id", flat=True)
        )
    by_unit: dict[int, list] = {}
    for link in links:
        by_unit.setdefault(link.unit_id, []).append((link.module, link.module_id in done))
    if member is not None:
        pairs = [(u, u.cohort_unit) for u in member.units]
    else:
        pairs = [(None, cu) for cu in cohort.cohort_units.select_related("unit")]
    views = []
    for progress, cohort_unit in pairs:
        view = UnitView(progress, cohort_unit, by_unit.get(cohort_unit.unit_id, []), now=now)
        if progress is not None and not progress.open:
            view.locked_reason = locked_reason(cohort, member, progress)
        views.append(view)
    return views


@dataclass
class CohortPage:
    cohort: Cohort
    member: MemberProgress | None
    units: list[UnitView]
    next: Action | None
    room_url: str
    facilitators: list
    member_count: int


def cohort_page(cohort: Cohort, user, now: datetime | None = None) -> CohortPage:
    """Everything the cohort page shows: a fixed number of queries, however many members
    and units (progress is the viewer's own; the dashboard reads everyone's)."""
    now = now or timezone.now()
    member = None
    if rules.is_cohort_member(user, cohort):
        member = cohort_progress(cohort, [user.pk], now=now)[user.pk]
    units = _unit_views(cohort, member, user, now)
    facilitators = list(cohort.facilitators.select_related("profile").order_by("pk"))
    cohort._staffroom_facilitator_ids = frozenset(f.pk for f in facilitators)
    return CohortPage(
        cohort=cohort,
        member=member,
        units=units,
        next=next_action(cohort, member, units) if member else None,
        room_url=reverse("community:chat", kwargs={"slug": cohort.space.slug}),
        facilitators=facilitators,
        member_count=len(rules.cohort_member_ids(cohort)),
    )


@dataclass
class MyCohort:
    cohort: Cohort
    progress: MemberProgress
    next: Action


def my_cohorts(user, now: datetime | None = None) -> list[MyCohort]:
    """The cohorts the teacher is a member of now, newest first, each with their progress
    and next action (the progress reads are per cohort: a teacher is in a few)."""
    now = now or timezone.now()
    cohorts = list(
        Cohort.objects.filter(members__user=user, members__removed_at__isnull=True)
        .select_related("course", "space")
        .order_by("-created_at", "pk")
    )
    result = []
    for cohort in cohorts:
        progress = cohort_progress(cohort, [user.pk], now=now)[user.pk]
        views = _unit_views(cohort, progress, user, now)
        result.append(MyCohort(cohort, progress, next_action(cohort, progress, views)))
    return result


def facilitated_cohorts(user):
    return (
        Cohort.objects.filter(facilitators=user)
        .select_related("course")
        .prefetch_related(
            Prefetch("members", queryset=CohortMember.objects.filter(removed_at__isnull=True))
        )
        .order_by("-created_at", "pk")
    )
