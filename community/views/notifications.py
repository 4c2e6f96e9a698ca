"""The notification centre, notification settings, and one-click unsubscribe from email."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community.forms_notifications import NotificationSettingsForm
from community.models import ChatSession, Notification, NotificationSettings, Space, Thread, User
from community.services import emails
from community.services import notifications as services

PER_PAGE = 30


def _link_for(
    notification,
    *,
    visible_threads: set[int],
    visible_spaces: set[int],
    visible_sessions: set[int],
) -> str:
    """Where a notification leads: its session, its post, else its thread, else its space,
    as long as the viewer can still see it; else the centre (the text stays readable)."""
    centre = reverse("community:notifications")
    if notification.session_id:
        if notification.session_id not in visible_sessions:
            return centre
        return notification.session.get_absolute_url()
    if notification.thread_id:
        if notification.thread_id not in visible_threads:
            return centre
        target = notification.post or notification.thread
        return target.get_absolute_url()
    if notification.space_id:
        if notification.space_id not in visible_spaces:
            return centre
        return notification.space.get_absolute_url()
    if notification.link.startswith("/") and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts=None
    ):
        # A path on this site (a library module): that page checks who may see it.
        return notification.link
    return centre


def _visible(user, notifications) -> dict:
    thread_ids = {n.thread_id for n in notifications if n.thread_id}
    space_ids = {n.space_id for n in notifications if n.space_id and not n.thread_id}
    session_ids = {n.session_id for n in notifications if n.session_id}
    return {
        "visible_sessions": set(
            ChatSession.objects.visible_to(user)
            .filter(pk__in=session_ids)
            .values_list("pk", flat=True)
        )
        if session_ids
        else set(),
        "visible_threads": set(
            Thread.objects.visible_to(user).filter(pk__in=thread_ids).values_list("pk", flat=True)
        )
        if thread_ids
        else set(),
        "visible_spaces": set(
            Space.objects.visible_to(user).filter(pk__in=space_ids).values_list("pk", flat=True)
        )
        if space_ids
        else set(),
    }


@login_required
@require_GET
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    notifications = Notification.objects.filter(user=request.user).select_related(
        "actor__profile", "post", "thread", "space", "session"
    )
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    visible = _visible(request.user, page.object_list)
    centre = reverse("community:notifications")
    for notification in page.object_list:
        # Through the open view (which marks it read) when there is somewhere to go.
        notification.gone = _link_for(notification, **visible) == centre
        notification.link = (
            centre
            if notification.gone
            else reverse("community:notification-open", kwargs={"pk": notification.pk})
        )
    return render(
        request,
        "community/notifications/list.html",
        {"page": page, "unread_only": unread_only, "query": "unread=1" if unread_only else ""},
    )


@login_required
@require_GET
def notification_open(request, pk):
    """Follow a notification: it counts as read, and the viewer lands on what it is about.
    (A GET that writes, on purpose: it is a plain link, and marking read is idempotent.)"""
    notification = get_object_or_404(
        Notification.objects.select_related("post", "thread", "space", "session"),
        pk=pk,
        user=request.user,
    )
    services.mark_notification_read(actor=request.user, notification=notification)
    return redirect(_link_for(notification, **_visible(request.user, [notification])))


@login_required
@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.mark_notification_read(actor=request.user, notification=notification)
    return redirect("community:notifications")


@login_required
@require_POST
def notifications_read_all(request):
    count = services.mark_all_read(actor=request.user)
    if count:
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("community:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    # No row yet means the defaults; the first save creates it (a GET writes nothing).
    current = NotificationSettings.objects.filter(user=request.user).first()
    current = current or NotificationSettings(user=request.user)
    form = NotificationSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.update_notification_settings(actor=request.user, **form.cleaned_data)
        messages.success(request, "Your notification settings are saved.")
        return redirect("community:notification-settings")
    return render(request, "community/notifications/settings.html", {"form": form})


# The signed token is the authority here, not a session: a mail client's one-click
# unsubscribe (RFC 8058) POSTs from outside the site, with no cookie and no CSRF token.
# A forged request can only turn an email off for the person the token was made for.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        user_id, what = emails.read_unsubscribe_token(token)
        user = User.objects.get(pk=user_id)
    except (signing.BadSignature, User.DoesNotExist):
        return render(request, "community/notifications/unsubscribe_invalid.html", status=400)
    context = {"what": what, "token": token, "done": False}
    if request.method == "POST":
        services.update_notification_settings(actor=user, **emails.UNSUBSCRIBE[what])
        context["done"] = True
    return render(request, "community/notifications/unsubscribe.html", context)


urlpatterns = [
    path("notifications/", notification_list, name="notifications"),
    path("notifications/read-all/", notifications_read_all, name="notifications-read-all"),
    path("notifications/settings/", notification_settings, name="notification-settings"),
    path("notifications/<int:pk>/", notification_open, name="notification-open"),
    path("notifications/<int:pk>/read/", notification_read, name="notification-read"),
    path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
]
