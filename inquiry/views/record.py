"""My CPD record: the list of entries with the total, editing one, adding one's own."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from inquiry.forms_record import EntryForm, ManualEntryForm
from inquiry.models import RecordEntry
from inquiry.services import record as record_service


@login_required
@require_GET
def record(request):
    entries = list(RecordEntry.objects.visible_to(request.user))
    minutes = sum(entry.minutes for entry in entries)
    return render(
        request,
        "inquiry/record.html",
        {"entries": entries, "total_minutes": minutes, "total_hours": minutes / 60},
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, pk):
    entry = get_object_or_404(RecordEntry.objects.visible_to(request.user), pk=pk)
    initial = {"title": entry.title, "minutes": entry.minutes, "notes": entry.notes}
    form = EntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record_service.update_entry(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)  # field by field, where the service named fields
        else:
            messages.success(request, "Your record is saved.")
            return redirect("inquiry:record")
    return render(request, "inquiry/entry_form.html", {"form": form, "entry": entry})


@login_required
@require_http_methods(["GET", "POST"])
def entry_add(request):
    form = ManualEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_service.add_entry(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Added to your record.")
            return redirect("inquiry:record")
    return render(request, "inquiry/entry_form.html", {"form": form, "entry": None})


urlpatterns = [
    path("record/", record, name="record"),
    path("record/new/", entry_add, name="entry-add"),
    path("record/<int:pk>/edit/", entry_edit, name="entry-edit"),
]
