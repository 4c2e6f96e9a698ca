"""Creating notifications and reading them. Rows are written in the caller's transaction,
so a rolled-back post notifies nobody; anything sent outside the database (email) waits
for the commit."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from community.models import Notification, NotificationSettings, Post, User
from community.services.emails import send_mention_emails
from realtime import streams

SETTINGS_FIELDS = (
    "mentions",
    "replies",
    "reactions",
    "invites",
    "sessions",
    "inquiry",
    "email_mentions",
    "email_sessions",
    "email_inquiry",
    "digest",
)


def settings_for(user: User) -> NotificationSettings:
    settings, _ = NotificationSettings.objects.get_or_create(user=user)
    return settings


def notify(
    *,
    users: Iterable[User],
    kind: str,
    text: str,
    actor: User | None = None,
    post: Post | None = None,
    thread=None,
    space=None,
    session=None,
    link: str = "",
) -> list[Notification]:
    """Tell each of `users` (except the actor) about something, as their settings allow.
    `link` is a path on this site, for what is none of the objects above (a module)."""
    users = {u.pk: u for u in users if actor is None or u.pk != actor.pk}
    if not users:
        return []
    if post is not None:
        thread = thread or post.thread
    if thread is not None:
        space = space or thread.space
    declined = {
        s.user_id
        for s in NotificationSettings.objects.filter(user_id__in=users)
        if not s.wants(kind)
    }
    created = Notification.objects.bulk_create(
        Notification(
            user_id=pk,
            kind=kind,
            text=text[:300],
            actor=actor,
            post=post,
            thread=thread,
            space=space,
            session=session,
            link=link,
        )
        for pk in users
        if pk not in declined
    )
    for notification in created:
        # The personal stream: open pages update the count and show a toast.
        streams.append(
            stream=f"user:{notification.user_id}",
            kind="notification.new",
            data={"id": notification.pk, "text": notification.text, "category": kind},
        )
    if kind == Notification.Kind.MENTION and created:
        ids = [n.pk for n in created]
        # robust: the post is already committed when this runs, so a mail server that is
        # down must not turn the author's successful reply into an error page.
        transaction.on_commit(lambda: send_mention_emails(ids), robust=True)
    return created


def mark_notification_read(*, actor: User, notification: Notification) -> Notification:
    if notification.user_id != actor.pk:
        raise PermissionDenied("That is someone else's notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor read; returns how many were unread."""
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def update_notification_settings(*, actor: User, **fields) -> NotificationSettings:
    """Change some of the actor's notification settings (any of SETTINGS_FIELDS)."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"Not a notification setting: {', '.join(sorted(unknown))}")
    if "digest" in fields and fields["digest"] not in NotificationSettings.Digest.values:
        raise ValueError(f"Not a digest frequency: {fields['digest']!r}")
    settings_for(actor)
    settings = NotificationSettings.objects.select_for_update().get(user=actor)
    for name, value in fields.items():
        setattr(settings, name, value)
    if fields:
        settings.save(update_fields=list(fields))
    return settings
