"""Courses and their units: the course list, a course's page, and the authoring pages.
Thin views over inquiry.services.courses; a course the viewer can't see is a 404, one
they see but may not change a 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inquiry import queries_courses as queries
from inquiry import rules
from inquiry.forms_courses import AuthorForm, CourseForm, ModuleSearchForm, NewCourseForm, UnitForm
from inquiry.models import Course, Module, Unit
from inquiry.services import courses as services
from realtime.validation import parse_id


def _course(request, slug) -> Course:
    return get_object_or_404(queries.course_page(request.user, slug))


def _editable(request, slug) -> Course:
    course = _course(request, slug)
    if not rules.can_edit_course(request.user, course):
        raise PermissionDenied("Only the course's authors and staff edit it.")
    return course


def _unit(request, slug, number, *, changing=True) -> Unit:
    course = _editable(request, slug)
    unit = get_object_or_404(Unit, course=course, number=number)
    unit.course = course  # with its cohort_count, for the rule
    if changing and not rules.can_change_units(request.user, course):
        raise PermissionDenied(services.NO_UNIT_CHANGES)
    return unit


def _refused(request, error: ValidationError):
    messages.error(request, " ".join(error.messages))


# --- Reading ------------------------------------------------------------------------------


@login_required
@require_GET
def course_list(request):
    user = request.user
    return render(
        request,
        "inquiry/courses/list.html",
        {
            "courses": list(queries.published(user)),
            "mine": list(queries.mine(user)),
            "can_create": rules.can_create_course(user),
        },
    )


@login_required
@require_GET
def course_detail(request, slug):
    course = _course(request, slug)
    user = request.user
    can_edit = rules.can_edit_course(user, course)
    return render(
        request,
        "inquiry/courses/course.html",
        {
            "course": course,
            "units": course.units.all(),
            "authors": course.authors.all(),
            "cohorts": queries.cohorts(user, course),
            "can_edit": can_edit,
            "can_change_units": can_edit and rules.can_change_units(user, course),
            "can_publish": rules.can_publish_course(user, course),
            "can_start_cohort": rules.can_start_cohort(user, course),
            "can_manage_authors": rules.can_manage_course_authors(user, course),
            "is_author": user.pk in rules.course_author_ids(course),
        },
    )


# --- Writing the course -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request):
    if not rules.can_create_course(request.user):
        raise PermissionDenied("Network staff create courses.")
    form = NewCourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.create_course(
                actor=request.user, draft=form.draft(), authors=form.cleaned_data["authors"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The course is saved as a draft. Now add its units.")
            return redirect(course)
    return render(request, "inquiry/courses/course_form.html", {"form": form, "course": None})


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request, slug):
    course = _editable(request, slug)
    form = CourseForm(request.POST or None, initial=CourseForm.initial_for(course))
    if request.method == "POST" and form.is_valid():
        try:
            course = services.update_course(actor=request.user, course=course, draft=form.draft())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The course is saved.")
            return redirect(course)
    return render(request, "inquiry/courses/course_form.html", {"form": form, "course": course})


@login_required
@require_POST
def course_publish(request, slug):
    course = _editable(request, slug)
    try:
        services.publish_course(actor=request.user, course=course)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            "The course is published: it is in the course list, and "
            "its authors can start cohorts from it.",
        )
    return redirect(course)


@login_required
@require_http_methods(["GET", "POST"])
def course_authors(request, slug):
    course = _course(request, slug)
    if not rules.can_manage_course_authors(request.user, course):
        raise PermissionDenied("Network staff choose a course's authors.")
    form = AuthorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        try:
            services.add_course_author(actor=request.user, course=course, user=person)
        except ValidationError as error:
            form.add_error("person", error.messages)
        else:
            messages.success(request, f"{person.profile.display_name} is an author of the course.")
            return redirect("inquiry:course-authors", slug=course.slug)
    return render(
        request,
        "inquiry/courses/authors.html",
        {"course": course, "authors": course.authors.all(), "form": form},
    )


@login_required
@require_POST
def course_author_remove(request, slug, username):
    course = _course(request, slug)
    if not rules.can_manage_course_authors(request.user, course):
        raise PermissionDenied("Network staff choose a course's authors.")
    author = get_object_or_404(course.authors.select_related("profile"), username=username)
    services.remove_course_author(actor=request.user, course=course, user=author)
    messages.success(request, f"{author.profile.display_name} is no longer an author.")
    return redirect("inquiry:course-authors", slug=course.slug)


# --- Writing units --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request, slug):
    course = _editable(request, slug)
    if not rules.can_change_units(request.user, course):
        raise PermissionDenied(services.NO_UNIT_CHANGES)
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.create_unit(actor=request.user, course=course, draft=form.draft())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The unit is saved. Now choose its pre-learning.")
            return redirect("inquiry:unit-edit", slug=course.slug, number=unit.number)
    return render(
        request, "inquiry/courses/unit_form.html", {"form": form, "course": course, "unit": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request, slug, number):
    unit = _unit(request, slug, number)
    course = unit.course
    form = UnitForm(request.POST or None, initial=UnitForm.initial_for(unit))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_unit(actor=request.user, unit=unit, draft=form.draft())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Unit {unit.number} is saved.")
            return redirect(f"{course.get_absolute_url()}#unit-{unit.number}")
    links = queries.unit_links(unit)
    search = ModuleSearchForm(request.GET if "q" in request.GET else None)
    words = search.cleaned_data["q"] if search.is_valid() else ""
    choices = queries.module_choices(words, exclude=queries.course_module_ids(course))
    return render(
        request,
        "inquiry/courses/unit_form.html",
        {
            "form": form,
            "course": course,
            "unit": unit,
            "links": links,
            "search": search,
            "words": words,
            "choices": choices,
            "max_modules": services.MAX_UNIT_MODULES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_delete(request, slug, number):
    unit = _unit(request, slug, number)
    if request.method == "POST":
        services.delete_unit(actor=request.user, unit=unit)
        messages.success(request, f"Unit {number}, “{unit.title}”, is deleted.")
        return redirect(unit.course)
    return render(
        request, "inquiry/courses/unit_delete.html", {"unit": unit, "course": unit.course}
    )


@login_required
@require_POST
def unit_move(request, slug, number):
    unit = _unit(request, slug, number)
    try:
        unit = services.move_unit(
            actor=request.user, unit=unit, direction=request.POST.get("to", "")
        )
    except ValidationError as error:
        _refused(request, error)
    return redirect(f"{unit.course.get_absolute_url()}#unit-{unit.number}")


def _back_to_modules(unit):
    url = reverse("inquiry:unit-edit", kwargs={"slug": unit.course.slug, "number": unit.number})
    return redirect(f"{url}#prelearning")


@login_required
@require_POST
def unit_module_add(request, slug, number):
    unit = _unit(request, slug, number)
    raw = parse_id(request.POST.get("module", ""))
    module = Module.objects.filter(pk=raw).first() if raw else None
    if module is None:
        messages.error(request, "Choose a module from the library.")
        return _back_to_modules(unit)
    try:
        services.add_unit_module(actor=request.user, unit=unit, module=module)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"“{module.title}” is part of the unit's pre-learning.")
    return _back_to_modules(unit)


@login_required
@require_POST
def unit_module_remove(request, slug, number, pk):
    unit = _unit(request, slug, number)
    module = get_object_or_404(Module, pk=pk)
    try:
        services.remove_unit_module(actor=request.user, unit=unit, module=module)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"“{module.title}” is no longer part of the pre-learning.")
    return _back_to_modules(unit)


@login_required
@require_POST
def unit_module_move(request, slug, number, pk):
    unit = _unit(request, slug, number)
    module = get_object_or_404(Module, pk=pk)
    try:
        services.move_unit_module(
            actor=request.user, unit=unit, module=module, direction=request.POST.get("to", "")
        )
    except ValidationError as error:
        _refused(request, error)
    return _back_to_modules(unit)


urlpatterns = [
    path("courses/", course_list, name="courses"),
    path("courses/new/", course_create, name="course-create"),
    path("courses/<slug:slug>/", course_detail, name="course"),
    path("courses/<slug:slug>/edit/", course_edit, name="course-edit"),
    path("courses/<slug:slug>/publish/", course_publish, name="course-publish"),
    path("courses/<slug:slug>/authors/", course_authors, name="course-authors"),
    path(
        "courses/<slug:slug>/authors/<str:username>/remove/",
        course_author_remove,
        name="course-author-remove",
    ),
    path("courses/<slug:slug>/units/new/", unit_create, name="unit-create"),
    path("courses/<slug:slug>/units/<int:number>/edit/", unit_edit, name="unit-edit"),
    path("courses/<slug:slug>/units/<int:number>/delete/", unit_delete, name="unit-delete"),
    path("courses/<slug:slug>/units/<int:number>/move/", unit_move, name="unit-move"),
    path(
        "courses/<slug:slug>/units/<int:number>/modules/add/",
        unit_module_add,
        name="unit-module-add",
    ),
    path(
        "courses/<slug:slug>/units/<int:number>/modules/<int:pk>/remove/",
        unit_module_remove,
        name="unit-module-remove",
    ),
    path(
        "courses/<slug:slug>/units/<int:number>/modules/<int:pk>/move/",
        unit_module_move,
        name="unit-module-move",
    ),
]
