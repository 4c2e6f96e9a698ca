"""The teacher's data: the privacy page, exporting one's data, closing one's account, and
the staff page for requests made outside Staffroom."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community import personal_data, rules
from community.forms_data import DeleteAccountForm, FindAccountForm, StaffEraseForm
from community.models import DataExport, User
from community.models.data import EXPORT_KEEP_DAYS
from community.services import personal_data as services


def _period(days: int) -> str:
    """A retention setting in words ("for 90 days", "for 2 years"; 0 keeps for ever)."""
    if not days:
        return "with no time limit"
    if days % 365 == 0:
        years = days // 365
        return f"for {years} year{'s' if years != 1 else ''}"
    return f"for {days} day{'s' if days != 1 else ''}"


@require_GET
def privacy(request):
    return render(
        request,
        "community/data/privacy.html",
        {
            "keep_days": EXPORT_KEEP_DAYS,
            "sections": personal_data.sections(),
            # What the retention settings say now (config/settings.py).
            "read_notifications_kept": _period(settings.STAFFROOM_RETAIN_READ_NOTIFICATIONS_DAYS),
            "presence_kept": _period(settings.STAFFROOM_RETAIN_ATTENDANCE_DAYS),
            "audit_kept": _period(settings.STAFFROOM_RETAIN_MODERATION_LOG_DAYS),
        },
    )


def _export_context(export: DataExport | None) -> dict:
    return {"export": export, "state": export.state() if export else None}


@login_required
@require_GET
def data(request):
    export = DataExport.objects.visible_to(request.user).filter(user=request.user).first()
    return render(
        request,
        "community/data/data.html",
        {
            **_export_context(export),
            "keep_days": EXPORT_KEEP_DAYS,
            "sections": personal_data.sections(),
            "can_export": rules.can_export_data(request.user, request.user),
        },
    )


@login_required
@require_POST
def data_export(request):
    try:
        services.request_export(actor=request.user, user=request.user)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, "Your export is on its way.")
    return redirect("community:data")


@login_required
@require_GET
def data_download(request, pk):
    """Only for whoever asked for it, while it is ready: never a public media URL."""
    export = get_object_or_404(
        DataExport.objects.visible_to(request.user).select_related("user"), pk=pk
    )
    if export.state() != DataExport.State.READY or not export.file:
        raise Http404("This export has expired or is not ready yet.")
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:
        raise Http404("This export is no longer here.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        content_type="application/zip",
        filename=f"staffroom-data-{export.user.username}-{export.finished_at:%Y-%m-%d}.zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        keep_shared = not form.cleaned_data["delete_shared"]
        services.erase_account(actor=request.user, user=request.user, keep_shared=keep_shared)
        logout(request)
        messages.success(
            request,
            "Your account is closed and your data erased. Thank you for learning with "
            "colleagues here.",
        )
        return redirect("home")
    return render(
        request,
        "community/data/delete.html",
        {"form": form, "sections": personal_data.sections()},
    )


# --- Staff: requests made outside Staffroom ---------------------------------------------


def _staff_only(request) -> None:
    if not rules.can_handle_data_requests(request.user):
        raise PermissionDenied("Only Staffroom staff handle data requests.")


def _account(username: str) -> User:
    return get_object_or_404(
        User.objects.filter(erased_at=None).select_related("profile"), username__iexact=username
    )


def _staff_page(username: str) -> str:
    return reverse("community:staff-data") + f"?q={username}"


@login_required
@require_GET
def staff_data(request):
    _staff_only(request)
    form = FindAccountForm(request.GET or None)
    target = export = None
    if form.is_valid():
        q = form.cleaned_data["q"]
        target = (
            User.objects.filter(erased_at=None)
            .filter(Q(username__iexact=q) | Q(email__iexact=q))
            .select_related("profile")
            .first()
        )
        if target is None:
            form.add_error("q", "No account has that handle or email address.")
        else:
            export = DataExport.objects.visible_to(request.user).filter(user=target).first()
    return render(
        request,
        "community/data/staff.html",
        {
            "form": form,
            "target": target,
            **_export_context(export),
            "keep_days": EXPORT_KEEP_DAYS,
            "can_erase": target is not None and rules.can_erase_account(request.user, target),
        },
    )


@login_required
@require_POST
def staff_data_export(request, username):
    _staff_only(request)
    target = _account(username)
    try:
        services.request_export(actor=request.user, user=target)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"The export of @{target.username} is on its way: you will be told under "
            "Notifications when you can download it for them.",
        )
    return redirect(_staff_page(target.username))


@login_required
@require_http_methods(["GET", "POST"])
def staff_data_erase(request, username):
    _staff_only(request)
    target = _account(username)
    if not rules.can_erase_account(request.user, target):
        raise PermissionDenied("A staff account is closed by its owner, from Your data.")
    form = StaffEraseForm(request.POST or None, target=target)
    if request.method == "POST" and form.is_valid():
        handle = target.username
        keep_shared = not form.cleaned_data["delete_shared"]
        services.erase_account(actor=request.user, user=target, keep_shared=keep_shared)
        messages.success(request, f"@{handle}'s account is erased (the audit log says so).")
        return redirect("community:staff-data")
    return render(
        request,
        "community/data/staff_erase.html",
        {"form": form, "target": target, "sections": personal_data.sections()},
    )


urlpatterns = [
    path("privacy/", privacy, name="privacy"),
    path("account/data/", data, name="data"),
    path("account/data/export/", data_export, name="data-export"),
    path("account/data/exports/<int:pk>/download/", data_download, name="data-download"),
    path("account/delete/", account_delete, name="account-delete"),
    path("staff/data/", staff_data, name="staff-data"),
    path("staff/data/<str:username>/export/", staff_data_export, name="staff-data-export"),
    path("staff/data/<str:username>/erase/", staff_data_erase, name="staff-data-erase"),
]
