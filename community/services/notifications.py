"""Creating notifications. Rows are written in the caller's transaction, so a rolled-back
post notifies nobody; anything sent outside the database waits for the commit."""

from collections.abc import Iterable

from community.models import Notification, NotificationSettings, Post, User


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
) -> list[Notification]:
    """Tell each of `users` (except the actor) about something, as their settings allow."""
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
        )
        for pk in users
        if pk not in declined
    )
    return created
