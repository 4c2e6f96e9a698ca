"""Page-shaped reads for the course pages. Counts are subqueries over the visible
courses' ids, so the joins visible_to makes (cohorts, members) never multiply them."""

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from inquiry import search
from inquiry.models import Cohort, CohortMember, Course, Module, Unit, UnitModule

MODULE_RESULTS = 12


def _count(model, field: str, **filters):
    rows = (
        model.objects.filter(**{field: OuterRef("pk")}, **filters)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def _visible(user) -> QuerySet:
    return Course.objects.filter(pk__in=Course.objects.visible_to(user).values("pk")).annotate(
        unit_count=_count(Unit, "course"), cohort_count=_count(Cohort, "course")
    )


def published(user) -> QuerySet:
    """The course list: every published course the viewer sees, by title."""
    return _visible(user).filter(published_at__isnull=False)


def mine(user) -> QuerySet:
    """The courses the viewer writes: those they author, and for staff every draft."""
    condition = Q(authors=user)
    if user.is_staff:
        condition |= Q(published_at__isnull=True)
    ids = Course.objects.filter(condition).values("pk")
    return _visible(user).filter(pk__in=ids)


def course_page(user, slug: str) -> QuerySet:
    """One course with its authors, and its units with their pre-learning in order."""
    links = UnitModule.objects.select_related("module").order_by("order", "pk")
    units = Unit.objects.order_by("number").prefetch_related(
        Prefetch("unit_modules", queryset=links)
    )
    return (
        _visible(user)
        .filter(slug=slug)
        .prefetch_related(Prefetch("units", queryset=units), "authors__profile")
    )


def cohorts(user, course: Course) -> list[Cohort]:
    """The course's cohorts the viewer sees, newest first, with their active members."""
    return list(
        Cohort.objects.filter(
            pk__in=Cohort.objects.visible_to(user).filter(course=course).values("pk")
        )
        .annotate(
            member_count=_count(CohortMember, "cohort", removed_at__isnull=True),
        )
        .order_by("-created_at", "pk")
    )


def unit_links(unit: Unit) -> list[UnitModule]:
    return list(
        UnitModule.objects.filter(unit=unit).select_related("module").order_by("order", "pk")
    )


def course_module_ids(course: Course) -> set[int]:
    """The modules already pre-learning somewhere in the course (a module is there once)."""
    return set(UnitModule.objects.filter(unit__course=course).values_list("module_id", flat=True))


def module_choices(text: str, *, exclude: set[int]) -> list[Module]:
    """Published modules matching the words, for a unit's pre-learning (the library's own
    search, so ranking is the same as on the library page)."""
    if not text.strip():
        return []
    modules = Module.objects.filter(status=Module.Status.PUBLISHED).exclude(pk__in=exclude)
    return list(search.search_modules(modules, text)[:MODULE_RESULTS])
