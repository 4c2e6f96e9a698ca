"""Email we send about notifications: a mail per mention (opt-in) and a daily or weekly
digest (opt-in). Every mail carries a signed one-click unsubscribe link, so a teacher can
stop it without logging in."""

import zoneinfo
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from community.models import Notification, NotificationSettings, User

UNSUBSCRIBE_SALT = "staffroom.unsubscribe"
# What an unsubscribe link may turn off, and the settings that does it.
UNSUBSCRIBE = {
    "mentions": {"email_mentions": False},
    "digest": {"digest": NotificationSettings.Digest.OFF},
    "sessions": {"email_sessions": False},
    "inquiry": {"email_inquiry": False},
}
DIGEST_PERIOD = {
    NotificationSettings.Digest.DAILY: timedelta(days=1),
    NotificationSettings.Digest.WEEKLY: timedelta(days=7),
}
# A little under the period, so a job run at the same time each day (or week) finds the
# previous digest due even if that run finished a few minutes later than this one starts.
DIGEST_DUE_AFTER = {
    NotificationSettings.Digest.DAILY: timedelta(hours=23),
    NotificationSettings.Digest.WEEKLY: timedelta(days=6.9),
}


# --- Links ---------------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/") + path


def unsubscribe_token(*, user_id: int, what: str) -> str:
    if what not in UNSUBSCRIBE:
        raise ValueError(f"Nothing to unsubscribe from called {what!r}")
    return signing.dumps({"user": user_id, "off": what}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """The (user id, what to turn off) a token stands for; BadSignature if it is not ours.
    No expiry: an unsubscribe link in an old email must still work."""
    payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("user"), int)
        or payload.get("off") not in UNSUBSCRIBE
    ):
        raise signing.BadSignature("Unexpected unsubscribe payload")
    return payload["user"], payload["off"]


def unsubscribe_url(*, user_id: int, what: str) -> str:
    token = unsubscribe_token(user_id=user_id, what=what)
    return absolute_url(reverse("community:unsubscribe", kwargs={"token": token}))


# --- Building and sending ----------------------------------------------------------------


def verified_addresses(user_ids) -> dict[int, str]:
    """Each user's verified primary address; users without one are left out."""
    return dict(
        EmailAddress.objects.filter(
            user_id__in=user_ids, primary=True, verified=True, user__is_active=True
        ).values_list("user_id", "email")
    )


def _display_name(user: User | None) -> str:
    if user is None:
        return "Someone"
    profile = getattr(user, "profile", None)
    return profile.display_name if profile and profile.display_name else user.username


def _user_zone(user: User):
    try:
        return zoneinfo.ZoneInfo(user.profile.timezone)
    except (AttributeError, LookupError, ValueError):  # no profile, or an unknown zone
        return zoneinfo.ZoneInfo("UTC")


def _message(*, to: str, subject: str, template: str, context: dict, unsubscribe: str):
    context = {
        **context,
        "unsubscribe_url": unsubscribe,
        "settings_url": absolute_url(reverse("community:notification-settings")),
        "centre_url": absolute_url(reverse("community:notifications")),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"email/{template}.txt", context),
        to=[to],
        headers={
            # RFC 8058: mail clients show an "Unsubscribe" button that POSTs to this URL.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string(f"email/{template}.html", context), "text/html")
    return message


def send_mention_emails(notification_ids: list[int]) -> int:
    """Email each mention to a teacher who opted in and has a verified address. Runs after
    the commit of the post that mentioned them; returns how many emails went out."""
    notifications = list(
        Notification.objects.filter(
            pk__in=notification_ids, kind=Notification.Kind.MENTION, emailed_at__isnull=True
        ).select_related("user__profile", "actor__profile", "post", "thread", "space")
    )
    opted_in = set(
        NotificationSettings.objects.filter(
            user_id__in={n.user_id for n in notifications}, email_mentions=True
        ).values_list("user_id", flat=True)
    )
    addresses = verified_addresses(opted_in)
    sent = []
    try:
        with get_connection() as connection:
            for notification in notifications:
                if notification.user_id not in addresses:
                    continue
                message = _mention_message(notification, addresses[notification.user_id])
                message.connection = connection
                message.send()
                sent.append(notification.pk)
    finally:
        # Whatever went out is recorded, even if a later message failed.
        Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
    return len(sent)


def _mention_message(notification: Notification, address: str) -> EmailMultiAlternatives:
    actor = _display_name(notification.actor)
    title = notification.thread.title if notification.thread else "a thread"
    target = notification.post or notification.thread or notification.space
    url = absolute_url(target.get_absolute_url() if target else reverse("community:notifications"))
    return _message(
        to=address,
        subject=f"{actor} mentioned you in “{title}”",
        template="mention",
        context={
            "notification": notification,
            "actor_name": actor,
            "thread_title": title,
            "space": notification.space,
            "url": url,
        },
        unsubscribe=unsubscribe_url(user_id=notification.user_id, what="mentions"),
    )


# --- Digests -------------------------------------------------------------------------------


def settings_due_a_digest(*, now: datetime) -> QuerySet[NotificationSettings]:
    """Settings of active teachers whose daily or weekly digest is due (nothing about
    whether there is anything to put in it)."""
    due = Q()
    for frequency, after in DIGEST_DUE_AFTER.items():
        due |= Q(digest=frequency) & (
            Q(digest_sent_at__isnull=True) | Q(digest_sent_at__lte=now - after)
        )
    return (
        NotificationSettings.objects.filter(due, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )


def digest_notifications(
    settings_row: NotificationSettings, *, now: datetime
) -> list[Notification]:
    """What a digest would hold: unread notifications since the last digest (or the start
    of the period) that were not already emailed one by one."""
    if settings_row.digest not in DIGEST_PERIOD:
        return []
    since = settings_row.digest_sent_at or now - DIGEST_PERIOD[settings_row.digest]
    return list(
        # A session reminder ("starts in 15 minutes") is stale by the time a digest goes.
        Notification.objects.exclude(kind=Notification.Kind.SESSION)
        .filter(
            user_id=settings_row.user_id,
            read_at__isnull=True,
            emailed_at__isnull=True,
            created_at__gt=since,
            created_at__lte=now,
        )
        .select_related("actor__profile")
    )


def send_digest(user: User, *, now: datetime) -> bool:
    """Send the user's digest if they want one and there is something in it; True if sent.
    Never sends an empty digest."""
    NotificationSettings.objects.get_or_create(user=user)
    with transaction.atomic():
        # The row lock makes two overlapping runs take turns: the second one sees the
        # first's digest_sent_at and finds nothing new. The mail goes out inside the
        # transaction so that a failed send leaves the digest due for the next run.
        settings_row = NotificationSettings.objects.select_for_update().get(user=user)
        notifications = digest_notifications(settings_row, now=now)
        address = verified_addresses([user.pk]).get(user.pk)
        if not notifications or address is None:
            return False
        _digest_message(user, notifications, address).send()
        settings_row.digest_sent_at = now
        settings_row.save(update_fields=["digest_sent_at"])
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)
    return True


def _digest_message(
    user: User, notifications: list[Notification], address: str
) -> EmailMultiAlternatives:
    labels = dict(Notification.Kind.choices)
    groups = [
        {"label": labels[kind], "items": [n for n in notifications if n.kind == kind]}
        for kind in Notification.Kind.values
        if any(n.kind == kind for n in notifications)
    ]
    for notification in notifications:
        notification.url = absolute_url(
            reverse("community:notification-open", kwargs={"pk": notification.pk})
        )
    with timezone.override(_user_zone(user)):
        return _message(
            to=address,
            subject=f"Your Staffroom digest: {len(notifications)} new",
            template="digest",
            context={"name": _display_name(user), "groups": groups, "count": len(notifications)},
            unsubscribe=unsubscribe_url(user_id=user.pk, what="digest"),
        )
