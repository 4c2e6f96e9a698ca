"""Page-shaped reads for school priorities: the section of the school page, and the
cycles shared with a priority. What a cycle on these pages must be, whoever looks (the
lead and the owner included): linked to the priority, seen by the viewer
(InquiryCycle.objects.visible_to), and shared with that school or the whole network.
Never a private cycle, never one shared only with a space: a school page is not the
place for them, even for someone who may see them elsewhere."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from community.models import School
from inquiry import rules
from inquiry.models import InquiryCycle, SchoolPriority

CYCLES_ON_SCHOOL_PAGE = 5  # per priority; its own page lists them all


def shared_cycles(viewer, school: School) -> QuerySet:
    """The cycles the school's pages may show this viewer."""
    V = InquiryCycle.Visibility
    shared = Q(visibility=V.NETWORK) | Q(visibility=V.SCHOOL, school=school)
    return (
        InquiryCycle.objects.visible_to(viewer)
        .filter(shared, priority__school=school, owner__is_active=True)
        .select_related("owner__profile")
        .order_by("-updated_at", "-pk")
    )


@dataclass
class SchoolPriorities:
    current: list[SchoolPriority] = field(default_factory=list)
    archived: list[SchoolPriority] = field(default_factory=list)
    can_lead: bool = False


def school_priorities(school: School, viewer) -> SchoolPriorities:
    """Current priorities, each with `.shown_cycles` (the latest few) and `.cycle_count`,
    and the archived ones by title: two queries however many priorities and cycles."""
    section = SchoolPriorities(can_lead=rules.can_lead_school(viewer, school))
    for priority in SchoolPriority.objects.filter(school=school).order_by("created_at", "pk"):
        priority.school = school
        priority.shown_cycles, priority.cycle_count = [], 0
        (section.archived if priority.archived_at else section.current).append(priority)
    section.archived.sort(key=lambda p: p.title.lower())
    if not section.current:
        return section
    by_id = {p.pk: p for p in section.current}
    per_priority = F("priority_id")
    cycles = (
        shared_cycles(viewer, school)
        .filter(priority_id__in=list(by_id))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=per_priority,
                order_by=[F("updated_at").desc(), F("pk").desc()],
            ),
            shared_count=Window(Count("pk"), partition_by=per_priority),
        )
        .filter(rank__lte=CYCLES_ON_SCHOOL_PAGE)
    )
    for cycle in cycles:
        priority = by_id[cycle.priority_id]
        priority.shown_cycles.append(cycle)
        priority.cycle_count = cycle.shared_count
    return section
