"""School improvement priorities: a page per priority with the cycles shared with it, and
the school leads' forms. The school page's section is community's school_detail with
inquiry.queries_priorities.school_priorities."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community.models import School
from inquiry import rules
from inquiry.forms_priorities import PriorityForm
from inquiry.models import SchoolPriority
from inquiry.queries_priorities import shared_cycles
from inquiry.services import priorities as service

CYCLES_PER_PAGE = 25


def _school(request, slug) -> School:
    return get_object_or_404(School.objects.visible_to(request.user), slug=slug)


def _priority(request, slug, pk) -> SchoolPriority:
    school = _school(request, slug)
    priority = get_object_or_404(SchoolPriority.objects.filter(school=school), pk=pk)
    priority.school = school
    return priority


def _on_school_page(priority) -> str:
    return f"{priority.school.get_absolute_url()}#priority-{priority.pk}"


@login_required
@require_GET
def priority_detail(request, slug, pk):
    priority = _priority(request, slug, pk)
    cycles = shared_cycles(request.user, priority.school).filter(priority=priority)
    page = Paginator(cycles, CYCLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "inquiry/priorities/priority_detail.html",
        {
            "school": priority.school,
            "priority": priority,
            "page": page,
            "can_edit": rules.can_edit_priority(request.user, priority),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def priority_create(request, slug):
    school = _school(request, slug)
    if not rules.can_lead_school(request.user, school):
        raise PermissionDenied("Only this school's leads publish its priorities.")
    form = PriorityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            priority = service.create_priority(
                actor=request.user, school=school, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{priority.title}” is published on the school page.")
            return redirect(_on_school_page(priority))
    return render(
        request,
        "inquiry/priorities/priority_form.html",
        {"form": form, "school": school, "priority": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def priority_edit(request, slug, pk):
    priority = _priority(request, slug, pk)
    if not rules.can_edit_priority(request.user, priority):
        raise PermissionDenied("Only this school's leads edit its current priorities.")
    initial = {"title": priority.title, "description": priority.description}
    form = PriorityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service.update_priority(actor=request.user, priority=priority, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The priority is saved.")
            return redirect(_on_school_page(priority))
    return render(
        request,
        "inquiry/priorities/priority_form.html",
        {"form": form, "school": priority.school, "priority": priority},
    )


@login_required
@require_POST
def priority_archive(request, slug, pk):
    priority = _priority(request, slug, pk)
    try:
        service.archive_priority(actor=request.user, priority=priority)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"“{priority.title}” is archived: no longer offered for new cycles. "
            "Cycles already linked to it keep the link.",
        )
    return redirect(priority.school)


urlpatterns = [
    path("schools/<slug:slug>/priorities/new/", priority_create, name="priority-create"),
    path("schools/<slug:slug>/priorities/<int:pk>/", priority_detail, name="priority"),
    path("schools/<slug:slug>/priorities/<int:pk>/edit/", priority_edit, name="priority-edit"),
    path(
        "schools/<slug:slug>/priorities/<int:pk>/archive/",
        priority_archive,
        name="priority-archive",
    ),
]
