"""My CPD record: the page (timeline, totals, chart, a range filter), its exports (CSV,
JSON, a page to print or save as PDF), editing an entry, adding and deleting one's own.

Every read goes through RecordEntry.objects.visible_to(request.user), and no view takes
a user from the URL: a teacher's record, and its exports, are theirs alone."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.functions import Lower
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from inquiry import charts, rules
from inquiry import queries_record as queries
from inquiry.forms_record import EntryForm, ManualEntryForm, RecordFilterForm
from inquiry.models import RecordEntry
from inquiry.services import record as record_service


def _filtered(request):
    """The filter form, the range it names (the whole record if it is not valid), the
    teacher's tags and the range's entries (a query set, not run yet): one query."""
    tags = queries.teachers_tags(request.user)
    form = RecordFilterForm(request.GET, tag_names=[tag.name for tag in tags])
    span = queries.record_range(form, tags=tags, zone=timezone.get_current_timezone())
    return form, span, tags, span.entries(request.user)


def _totals(span, tags, entries):
    return queries.record_totals(entries, zone=span.zone, with_tags=bool(tags))


@login_required
@require_GET
def record(request):
    form, span, tags, entries = _filtered(request)
    totals = _totals(span, tags, entries)
    page, timeline = queries.timeline_page(
        entries, totals=totals, zone=span.zone, number=request.GET.get("page")
    )
    months = queries.chart_months(totals, span, today=timezone.localdate())
    context = {
        "form": form,
        "span": span,
        "totals": totals,
        "page": page,
        "timeline": timeline,
        "chart": charts.month_chart(months),
        "query": span.query_string(),
    }
    return render(request, "inquiry/record.html", context)


def _download_name(extension: str) -> str:
    return f"cpd-record-{timezone.localdate().isoformat()}.{extension}"


def _evidence(request, entry) -> str:
    return request.build_absolute_uri(entry.url) if entry.url else ""


def _local(entry, zone):
    return timezone.localtime(entry.occurred_at, zone)


CSV_HEADER = [
    "date",
    "time",
    "timezone",
    "kind",
    "title",
    "minutes",
    "details",
    "tags",
    "notes",
    "evidence",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> object:
    """A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return
    before one) as a formula: such text gets a leading apostrophe, shown as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@login_required
@require_GET
def export_csv(request):
    if not rules.can_export_record(request.user):
        raise PermissionDenied
    form, span, tags, entries = _filtered(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for entry in queries.export_entries(entries):
        local = _local(entry, span.zone)
        row = [
            local.date().isoformat(),
            "" if entry.kind == RecordEntry.Kind.MANUAL else local.strftime("%H:%M"),
            span.zone.key,
            entry.get_kind_display(),
            entry.title,
            entry.minutes,
            entry.details,
            "; ".join(tag.name for tag in entry.tags.all()),
            entry.notes,
            _evidence(request, entry),
        ]
        writer.writerow([csv_cell(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name("csv")}"'
    return response


def _owner_name(request) -> str:
    profile = getattr(request, "profile", None)
    return (profile.display_name if profile else "") or request.user.username


@login_required
@require_GET
def export_json(request):
    if not rules.can_export_record(request.user):
        raise PermissionDenied
    form, span, tags, entries = _filtered(request)
    totals = _totals(span, tags, entries)
    document = {
        "owner": _owner_name(request),
        "timezone": span.zone.key,
        "exported_at": timezone.localtime(timezone.now(), span.zone).isoformat(),
        "range": {
            "from": span.start and span.start.isoformat(),
            "to": span.end and span.end.isoformat(),
            "tag": span.tag and span.tag.name,
        },
        "totals": {
            "entries": totals.entries,
            "minutes": totals.minutes,
            "hours": round(totals.hours, 2),
            "by_month": [
                {"month": m.key.strftime("%Y-%m"), "entries": m.entries, "minutes": m.minutes}
                for m in totals.months
            ],
            "by_kind": [
                {"kind": k.key, "label": k.label, "entries": k.entries, "minutes": k.minutes}
                for k in totals.kinds
            ],
            "by_tag": [
                {"tag": t.label, "entries": t.entries, "minutes": t.minutes} for t in totals.tags
            ],
        },
        "entries": [
            {
                "date": _local(entry, span.zone).isoformat(),
                "kind": entry.kind,
                "kind_label": entry.get_kind_display(),
                "title": entry.title,
                "minutes": entry.minutes,
                "details": entry.details,
                "tags": [tag.name for tag in entry.tags.all()],
                "notes": entry.notes,
                "evidence": _evidence(request, entry) or None,
            }
            for entry in queries.export_entries(entries)
        ],
    }
    response = JsonResponse(document, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{_download_name("json")}"'
    return response


@login_required
@require_GET
def record_print(request):
    """The record as a document for an appraisal meeting: the browser's Print, or Save
    as PDF, gives it black on white without the site around it."""
    if not rules.can_export_record(request.user):
        raise PermissionDenied
    form, span, tags, entries = _filtered(request)
    totals = _totals(span, tags, entries)
    rows = list(queries.export_entries(entries))
    for entry in rows:
        entry.evidence = _evidence(request, entry)  # printed in full: paper has no links
    profile = getattr(request, "profile", None)
    context = {
        "form": form,
        "span": span,
        "totals": totals,
        "entries": rows,
        "owner_name": _owner_name(request),
        "school": profile.school if profile and profile.school_id else None,
        "site": request.build_absolute_uri("/").rstrip("/"),
        "query": span.query_string(),
        "printed_on": timezone.now(),
    }
    return render(request, "inquiry/record_print.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, pk):
    entry = get_object_or_404(RecordEntry.objects.visible_to(request.user), pk=pk)
    initial = {
        "title": entry.title,
        "minutes": entry.minutes,
        "notes": entry.notes,
        "tags": ", ".join(tag.name for tag in entry.tags.order_by(Lower("name"), "name")),
    }
    tag_names = [tag.name for tag in queries.teachers_tags(request.user)]
    form = EntryForm(request.POST or None, initial=initial, tag_names=tag_names)
    if request.method == "POST" and form.is_valid():
        try:
            record_service.update_entry(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)  # field by field, where the service named fields
        else:
            messages.success(request, "Your record is saved.")
            return redirect("inquiry:record")
    context = {
        "form": form,
        "entry": entry,
        "can_delete": rules.can_delete_entry(request.user, entry),
    }
    return render(request, "inquiry/entry_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def entry_add(request):
    tag_names = [tag.name for tag in queries.teachers_tags(request.user)]
    form = ManualEntryForm(request.POST or None, tag_names=tag_names)
    if request.method == "POST" and form.is_valid():
        try:
            record_service.add_entry(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Added to your record.")
            return redirect("inquiry:record")
    return render(request, "inquiry/entry_form.html", {"form": form, "entry": None})


@login_required
@require_http_methods(["GET", "POST"])
def entry_delete(request, pk):
    """A page that asks, then the delete (no JavaScript needed for the question)."""
    entry = get_object_or_404(RecordEntry.objects.visible_to(request.user), pk=pk)
    if not rules.can_delete_entry(request.user, entry):
        raise PermissionDenied("Staffroom wrote this entry when it happened: edit it instead.")
    if request.method == "POST":
        record_service.delete_entry(actor=request.user, entry=entry)
        messages.success(request, f"“{entry.title}” is deleted from your record.")
        return redirect("inquiry:record")
    return render(request, "inquiry/record_delete.html", {"entry": entry})


urlpatterns = [
    path("record/", record, name="record"),
    path("record/export.csv", export_csv, name="record-export-csv"),
    path("record/export.json", export_json, name="record-export-json"),
    path("record/print/", record_print, name="record-print"),
    path("record/new/", entry_add, name="entry-add"),
    path("record/<int:pk>/edit/", entry_edit, name="entry-edit"),
    path("record/<int:pk>/delete/", entry_delete, name="entry-delete"),
]
