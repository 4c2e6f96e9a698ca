"""Cohorts: starting one from a course, joining with the invite code (typed or from the
link), My courses, the cohort page (a member's units, sessions, tasks and catch-up; a
facilitator's invite code), members, unit dates, a unit's classroom task and the cohort's
calendar feed. Thin views over inquiry.services.cohorts; every cohort is loaded through
Cohort.objects.visible_to (else 404). The facilitator's dashboard and register are
inquiry/views/facilitation.py's."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community import calendar
from community.models import User
from community.views.common import feed_reader, field_errors
from inquiry import queries_cohorts as queries
from inquiry import rules
from inquiry.forms_cohorts import (
    AddMemberForm,
    CohortForm,
    JoinForm,
    RegenerateCodeForm,
    UnitDatesForm,
)
from inquiry.models import Cohort, CohortMember, CohortUnit, Course
from inquiry.services import cohorts as services


def _visible(request, slug) -> Cohort:
    cohorts = Cohort.objects.visible_to(request.user).select_related("course", "space")
    return get_object_or_404(cohorts, slug=slug)


def _managed(request, slug) -> Cohort:
    """A cohort the viewer runs: not visible → 404; a member or course author → 403."""
    cohort = _visible(request, slug)
    if not rules.can_manage_cohort(request.user, cohort):
        raise PermissionDenied("Only the cohort's facilitators can do that.")
    return cohort


def _zone() -> ZoneInfo:
    return timezone.get_current_timezone()  # the viewer's own (the middleware set it)


# --- Starting a cohort ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def cohort_create(request, slug):
    course = get_object_or_404(Course.objects.visible_to(request.user), slug=slug)
    if not rules.can_start_cohort(request.user, course):
        raise PermissionDenied("Only the course's authors and staff start its cohorts.")
    form = CohortForm(request.POST or None, course=course, actor=request.user, zone=_zone())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cohort = services.create_cohort(
                actor=request.user,
                course=course,
                name=data["name"],
                capacity=data["capacity"],
                facilitators=list(data.get("facilitators") or []),
                unit_dates=data["unit_dates"],
                invite_expires_at=data["invite_expires_at"],
                timezone_name=str(_zone()),
            )
        except ValidationError as error:
            field_errors(form, error)
        else:
            messages.success(request, f"Cohort started. Its invite code is {cohort.invite_code}.")
            return redirect(cohort)
    return render(request, "inquiry/cohorts/create.html", {"course": course, "form": form})


# --- Joining --------------------------------------------------------------------------------


def _join(request, form):
    try:
        member = services.join_with_code(actor=request.user, code=form.cleaned_data["code"])
    except ValidationError as error:
        field_errors(form, error)
        return None
    messages.success(request, f"Welcome to {member.cohort.name}.")
    return redirect(member.cohort)


@login_required
@require_http_methods(["GET", "POST"])
def cohort_join(request):
    """Type the code from the facilitator."""
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (response := _join(request, form)):
        return response
    return render(request, "inquiry/cohorts/join.html", {"form": form, "cohort": None})


@login_required
@require_http_methods(["GET", "POST"])
def cohort_join_code(request, code):
    """The invite link: says which cohort it is, and joins on the button (a GET writes
    nothing). A wrong or expired code says so, with the box to type one."""
    form = JoinForm(request.POST or {"code": code})
    code = services.normalise_code(code)
    cohort = Cohort.objects.select_related("course").filter(invite_code=code).first()
    if request.method == "POST" and form.is_valid() and (response := _join(request, form)):
        return response
    if cohort is None or (cohort.invite_expires_at and cohort.invite_expires_at <= timezone.now()):
        if request.method == "GET":
            form.is_valid()
            field_errors(
                form,
                ValidationError(
                    {"code": ["That invite link doesn't work (a wrong or expired code)."]}
                ),
            )
        cohort = None
    elif rules.is_cohort_member(request.user, cohort) and request.method == "GET":
        return redirect(cohort)
    return render(request, "inquiry/cohorts/join.html", {"form": form, "cohort": cohort})


# --- My courses and the cohort page ----------------------------------------------------------


@login_required
@require_GET
def my_courses(request):
    context = {
        "mine": queries.my_cohorts(request.user),
        "facilitating": list(queries.facilitated_cohorts(request.user)),
    }
    return render(request, "inquiry/cohorts/mine.html", context)


@login_required
@require_GET
def cohort(request, slug):
    cohort = _visible(request, slug)
    page = queries.cohort_page(cohort, request.user)
    feed = reverse("inquiry:cohort-calendar", kwargs={"slug": cohort.slug})
    token = calendar.cohort_feed_token(user_id=request.user.pk, cohort_id=cohort.pk)
    context = {
        "cohort": cohort,
        "page": page,
        "now": timezone.now(),
        "can_manage": rules.can_manage_cohort(request.user, cohort),
        "can_facilitate": rules.can_facilitate(request.user, cohort),
        "feed_url": request.build_absolute_uri(f"{feed}?token={token}"),
        "join_url": request.build_absolute_uri(
            reverse("inquiry:cohort-join-code", kwargs={"code": cohort.invite_code})
        ),
    }
    return render(request, "inquiry/cohorts/detail.html", context)


@login_required
@require_POST
def cohort_task(request, slug, number):
    """Start (or open again) the member's cycle for a unit's classroom task."""
    cohort = _visible(request, slug)
    cohort_unit = get_object_or_404(
        CohortUnit.objects.select_related("unit"), cohort=cohort, unit__number=number
    )
    if not rules.is_cohort_member(request.user, cohort):
        raise PermissionDenied("Only the cohort's members do its classroom tasks.")
    try:
        cycle, created = services.start_unit_task(
            actor=request.user, cohort=cohort, cohort_unit=cohort_unit
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{cohort.get_absolute_url()}#unit-{number}")
    if created:
        messages.success(request, "Your classroom task is an inquiry cycle: start by learning.")
    return redirect(cycle)


# --- Running the cohort: dates, members, the code -------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def cohort_dates(request, slug):
    cohort = _managed(request, slug)
    form = UnitDatesForm(request.POST or None, cohort=cohort, zone=_zone())
    if request.method == "POST" and form.is_valid():
        try:
            services.set_unit_dates(
                actor=request.user, cohort=cohort, unit_dates=form.cleaned_data["unit_dates"]
            )
        except ValidationError as error:
            field_errors(form, error)
        else:
            messages.success(request, "Unit dates saved.")
            return redirect(cohort)
    return render(request, "inquiry/cohorts/dates.html", {"cohort": cohort, "form": form})


def _members_page(request, cohort, form, status=200):
    members = (
        CohortMember.objects.filter(cohort=cohort, removed_at__isnull=True)
        .select_related("user__profile")
        .order_by("user__profile__display_name", "pk")
    )
    context = {
        "cohort": cohort,
        "members": members,
        "form": form,
        "code_form": RegenerateCodeForm(zone=_zone()),
        "join_url": request.build_absolute_uri(
            reverse("inquiry:cohort-join-code", kwargs={"code": cohort.invite_code})
        ),
    }
    return render(request, "inquiry/cohorts/members.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def cohort_members(request, slug):
    """The members, with adding someone by username or email (the capacity rule holds)."""
    cohort = _managed(request, slug)
    form = AddMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.cleaned_data["who"]
        try:
            services.add_member(actor=request.user, cohort=cohort, user=user)
        except ValidationError as error:
            field_errors(form, error)
        else:
            messages.success(request, f"{user.profile.display_name} is in the cohort.")
            return redirect("inquiry:cohort-members", slug=cohort.slug)
    return _members_page(request, cohort, form)


@login_required
@require_POST
def cohort_member_remove(request, slug, username):
    cohort = _managed(request, slug)
    user = get_object_or_404(User, username=username)
    try:
        services.remove_member(actor=request.user, cohort=cohort, user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{user.profile.display_name} has left the cohort.")
    return redirect("inquiry:cohort-members", slug=cohort.slug)


@login_required
@require_POST
def cohort_code(request, slug):
    """A new invite code: the old one stops working."""
    cohort = _managed(request, slug)
    form = RegenerateCodeForm(request.POST, zone=_zone())
    if form.is_valid():
        try:
            cohort = services.regenerate_code(
                actor=request.user,
                cohort=cohort,
                invite_expires_at=form.cleaned_data["invite_expires_at"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"New invite code: {cohort.invite_code}.")
    else:
        messages.error(request, "That date is not valid; the code did not change.")
    return redirect("inquiry:cohort-members", slug=cohort.slug)


# --- The calendar feed -------------------------------------------------------------------------


@require_GET
def cohort_calendar(request, slug):
    """Every unit's session as an event in the reader's own zone. Calendar apps send no
    cookies: the signed token says whose eyes to read it with. No token and no login, a
    token for another cohort, or a reader who is no longer in it: 404."""
    cohort = get_object_or_404(Cohort.objects.select_related("course"), slug=slug)
    reader = feed_reader(
        request, lambda token: calendar.read_cohort_feed_token(token, cohort_id=cohort.pk)
    )
    if not Cohort.objects.visible_to(reader).filter(pk=cohort.pk).exists():
        raise Http404("No such feed.")
    zone = ZoneInfo(getattr(getattr(reader, "profile", None), "timezone", "") or "UTC")
    page = request.build_absolute_uri(cohort.get_absolute_url())
    room = request.build_absolute_uri(reverse("community:chat", args=[cohort.space.slug]))
    sessions = []
    for cu in cohort.cohort_units.select_related("unit").exclude(session_at=None):
        unit = cu.unit
        where = {
            unit.SessionKind.IN_PERSON: unit.session_place,
            unit.SessionKind.LINK: unit.session_link,
            unit.SessionKind.LIVE_ROOM: room,
        }.get(unit.session_kind, "")
        sessions.append(
            {
                "uid": f"cohort-unit-{cu.pk}@staffroom",
                "starts_at": cu.session_at,
                "minutes": unit.session_minutes,
                "summary": f"{cohort.course.title}: unit {unit.number} session",
                "description": f"{unit.title} ({unit.get_session_kind_display()})\n\n{page}",
                "url": f"{page}#unit-{unit.number}",
                "location": where,
            }
        )
    body = calendar.cohort_ics(f"{cohort.course.title} · {cohort.name}", sessions, zone=zone)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{cohort.slug}.ics"'
    return response


urlpatterns = [
    path("courses/mine/", my_courses, name="my-courses"),
    path("courses/<slug:slug>/cohorts/new/", cohort_create, name="cohort-create"),
    # Before cohorts/<slug>/: a cohort slugged "join" must not hide the join pages.
    path("cohorts/join/", cohort_join, name="cohort-join"),
    path("cohorts/join/<str:code>/", cohort_join_code, name="cohort-join-code"),
    path("cohorts/<slug:slug>/", cohort, name="cohort"),
    path("cohorts/<slug:slug>/calendar.ics", cohort_calendar, name="cohort-calendar"),
    path("cohorts/<slug:slug>/dates/", cohort_dates, name="cohort-dates"),
    path("cohorts/<slug:slug>/members/", cohort_members, name="cohort-members"),
    path(
        "cohorts/<slug:slug>/members/<str:username>/remove/",
        cohort_member_remove,
        name="cohort-member-remove",
    ),
    path("cohorts/<slug:slug>/code/", cohort_code, name="cohort-code"),
    path("cohorts/<slug:slug>/units/<int:number>/task/", cohort_task, name="cohort-task"),
]
