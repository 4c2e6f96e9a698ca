"""The facilitator's pages of a cohort: the dashboard (members × units, who is at risk),
its CSV, the register of each unit's session, and nudges.

Every page loads the cohort through Cohort.objects.visible_to (outside it: 404) and then
asks rules.can_facilitate (a member who sees the cohort: 403)."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from inquiry import queries_facilitation as queries
from inquiry import rules
from inquiry.forms_facilitation import DashboardFilterForm, NudgeForm, RegisterForm
from inquiry.models import Cohort, CohortMember, CohortUnit
from inquiry.services import facilitation as service
from inquiry.views.record import csv_cell


def _facilitated(request, slug) -> Cohort:
    cohort = get_object_or_404(
        Cohort.objects.visible_to(request.user).select_related("course"), slug=slug
    )
    if not rules.can_facilitate(request.user, cohort):
        raise PermissionDenied("Only the cohort's facilitators see this page.")
    return cohort


def _dashboard_url(cohort, days=None) -> str:
    url = reverse("inquiry:cohort-dashboard", kwargs={"slug": cohort.slug})
    return f"{url}?days={days}" if days and days != queries.DEFAULT_QUIET_DAYS else url


@login_required
@require_GET
def dashboard(request, slug):
    cohort = _facilitated(request, slug)
    form = DashboardFilterForm(
        request.GET or None, initial={"days": queries.DEFAULT_QUIET_DAYS, "sort": "behind"}
    )
    days, sort = form.values()
    board = queries.dashboard(cohort, days=days, sort=sort)
    context = {
        "cohort": cohort,
        "board": board,
        "form": form,
        "days": days,
        "sort": sort,
        "default_days": queries.DEFAULT_QUIET_DAYS,
    }
    return render(request, "inquiry/facilitation/dashboard.html", context)


CSV_PARTS = ["pre-learning", "session", "task", "reflection"]


def _session_word(unit_progress) -> str:
    if not unit_progress.unit.has_session:
        return "no session"
    return unit_progress.attendance or "not marked"


@login_required
@require_GET
def dashboard_csv(request, slug):
    cohort = _facilitated(request, slug)
    days, sort = DashboardFilterForm(request.GET).values()
    board = queries.dashboard(cohort, days=days, sort="name")
    zone = timezone.get_current_timezone()
    header = ["member", "username", "joined", "last activity", "timezone", "units done"]
    for cu in board.cohort_units:
        header += [f"unit {cu.unit.number} {part}" for part in CSV_PARTS]
    header.append("at risk")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in board.rows:
        cells = [
            row.name,
            row.user.username,
            timezone.localtime(row.member.joined_at, zone).date().isoformat(),
            timezone.localtime(row.last_activity, zone).strftime("%Y-%m-%d %H:%M"),
            zone.key,
            row.progress.done_count,
        ]
        for unit in row.progress.units:
            cells += [
                f"{unit.modules_done}/{unit.modules}" if unit.modules else "none",
                _session_word(unit),
                "yes" if unit.task_done else "no",
                "yes" if unit.reflection_shared else "no",
            ]
        cells.append("; ".join(row.reasons))
        writer.writerow([csv_cell(value) for value in cells])
    name = f"{cohort.slug}-{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def register(request, slug, number):
    cohort = _facilitated(request, slug)
    cohort_unit = get_object_or_404(
        CohortUnit.objects.select_related("unit"), cohort=cohort, unit__number=number
    )
    if not cohort_unit.unit.has_session:
        raise Http404("This unit has no session, so it has no register.")
    cohort_unit.cohort = cohort  # the one already loaded, with its course
    rows = queries.register(cohort_unit)
    form = RegisterForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            changed = service.mark_attendance(
                actor=request.user, cohort_unit=cohort_unit, marks=form.marks()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = len(changed)
            messages.success(
                request,
                f"The register is saved ({count} mark{'s' if count != 1 else ''} changed).",
            )
            return redirect(request.path)
    context = {"cohort": cohort, "cohort_unit": cohort_unit, "form": form}
    return render(request, "inquiry/facilitation/register.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def nudge_member(request, slug, username):
    cohort = _facilitated(request, slug)
    member = get_object_or_404(
        CohortMember.objects.select_related("user__profile"),
        cohort=cohort,
        removed_at__isnull=True,
        user__username=username,
    )
    form = NudgeForm(request.POST or None, initial={"text": service.default_nudge_text(cohort)})
    if request.method == "POST" and form.is_valid():
        try:
            sent = service.nudge_member(
                actor=request.user, cohort=cohort, member=member, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            name = queries.member_name(member)
            if sent:
                messages.success(request, f"{name} is nudged.")
            else:
                messages.info(request, f"{name} was nudged in the last day: nothing sent.")
            return redirect(_dashboard_url(cohort))
    context = {
        "cohort": cohort,
        "form": form,
        "recipients": [queries.member_name(member)],
        "member": member,
    }
    return render(request, "inquiry/facilitation/nudge.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def nudge_behind(request, slug):
    cohort = _facilitated(request, slug)
    days, _ = DashboardFilterForm(request.GET).values()
    form = NudgeForm(request.POST or None, initial={"text": service.default_nudge_text(cohort)})
    if request.method == "POST" and form.is_valid():
        try:
            nudged = service.nudge_behind(
                actor=request.user, cohort=cohort, text=form.cleaned_data["text"], days=days
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = len(nudged)
            if count:
                messages.success(request, f"{count} member{'s' if count != 1 else ''} nudged.")
            else:
                messages.info(request, "Nobody to nudge: everyone at risk was nudged today.")
            return redirect(_dashboard_url(cohort, days))
    board = queries.dashboard(cohort, days=days)
    context = {
        "cohort": cohort,
        "form": form,
        "recipients": [row.name for row in board.to_nudge],
        "skipped": [row.name for row in board.at_risk if row.nudged_recently],
        "days": days,
    }
    return render(request, "inquiry/facilitation/nudge.html", context)


urlpatterns = [
    path("cohorts/<slug:slug>/dashboard/", dashboard, name="cohort-dashboard"),
    path("cohorts/<slug:slug>/dashboard.csv", dashboard_csv, name="cohort-dashboard-csv"),
    path("cohorts/<slug:slug>/units/<int:number>/register/", register, name="cohort-register"),
    path("cohorts/<slug:slug>/nudge/", nudge_behind, name="cohort-nudge-behind"),
    path(
        "cohorts/<slug:slug>/members/<str:username>/nudge/",
        nudge_member,
        name="cohort-nudge",
    ),
]
