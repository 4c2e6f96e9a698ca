"""The library's page-shaped reads: a fixed number of queries however many modules."""

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet

from community.models import Thread
from inquiry import search
from inquiry.models import CurriculumArea, Module, ModuleCompletion, ModuleResource
from inquiry.uploads import ACCEPTED

PER_PAGE = 24
TYPE_LABELS = {kind.content_type: kind.label for kind in ACCEPTED}
SORTS = {
    "newest": ("-published_at", "-pk"),
    "shortest": ("minutes", "title", "pk"),
    "az": ("title", "pk"),
}


def _with_viewer(modules: QuerySet, user) -> QuerySet:
    """Each module's phases and subjects (two queries for the page, not two per card) and
    whether the viewer has completed it."""
    done = ModuleCompletion.objects.filter(
        user=user, module=OuterRef("pk"), completed_at__isnull=False
    )
    return modules.annotate(completed=Exists(done)).prefetch_related("phases", "subjects")


def library(user, *, filters: dict) -> QuerySet:
    """Published modules, filtered and sorted as the library page asks (LibraryFilterForm's
    `filters()`): newest first, or the best matches first when searching."""
    modules = Module.objects.visible_to(user).published()
    if phase := filters.get("phase"):
        modules = modules.filter(phases=phase)
    if subject := filters.get("subject"):
        modules = modules.filter(subjects=subject)
    if area := filters.get("area"):
        modules = modules.filter(areas=area)
    if tag := filters.get("tag"):
        modules = modules.filter(tags=tag)
    if minutes := filters.get("minutes"):
        modules = modules.filter(minutes__lte=minutes)
    sort = filters.get("sort", "")
    if q := filters.get("q", "").strip():
        modules = search.search_modules(modules, q)
        if sort:
            modules = modules.order_by(*SORTS[sort])
        elif not modules.query.order_by:  # SQLite's search keeps the default order
            modules = modules.order_by(*SORTS["newest"])
    else:
        modules = modules.order_by(*SORTS[sort or "newest"])
    # A card shows no body: leave the long text (and the search vector) in the database.
    modules = modules.defer("body", "body_html", "try_prompt", "try_prompt_html", "search_vector")
    return _with_viewer(modules, user)


def mine(user) -> QuerySet:
    """The viewer's own modules: drafts and submissions first (the latest change first),
    then the published ones, newest first."""
    return (
        Module.objects.filter(author=user)
        .order_by(F("published_at").desc(nulls_first=True), "-updated_at", "-pk")
        .select_related("thread")
    )


def review_queue() -> QuerySet:
    """Modules waiting for review, the longest-waiting first."""
    return (
        Module.objects.filter(status=Module.Status.IN_REVIEW)
        .select_related("author__profile")
        .order_by("submitted_at", "pk")
    )


def module_page(user, slug: str) -> QuerySet:
    """The module page's module: everything it shows, in a fixed number of queries."""
    return (
        Module.objects.visible_to(user)
        .filter(slug=slug)
        .select_related("author__profile")
        .prefetch_related(
            "phases",
            "subjects",
            "tags",
            Prefetch("areas", queryset=CurriculumArea.objects.order_by("kind", "order")),
            Prefetch("resources", queryset=ModuleResource.objects.order_by("pk")),
        )
    )


def discussion(user, module: Module) -> Thread | None:
    """The module's thread, if the viewer can see it (it lives in a network space, but a
    moderator may have moved or deleted it)."""
    if module.thread_id is None:
        return None
    return Thread.objects.visible_to(user).filter(pk=module.thread_id).first()


def label_resources(resources) -> list[ModuleResource]:
    """Each resource with the name of its type ("PDF", "Word document")."""
    resources = list(resources)
    for resource in resources:
        resource.type_label = TYPE_LABELS.get(resource.content_type, "File")
        resource.is_image = resource.content_type.startswith("image/")
    return resources
