"""The append-only audit log: one `ModerationAction` row per action taken on someone
else's content or account (and per erasure or export done for someone). Its own module
because every service that acts writes to it (forum, chat, moderation, the teacher's
data), and none of them should import another to reach it."""

from community.models import ModerationAction, Post, Space, Thread, User


def log_action(
    *,
    actor: User | None,
    action: str,
    reason: str = "",
    space: Space | None = None,
    thread: Thread | None = None,
    post: Post | None = None,
    target_user: User | None = None,
) -> ModerationAction:
    """Add a row to the audit log (who, what, target, reason, when). Nothing edits it."""
    if post is not None:
        thread = thread or post.thread
        target_user = target_user or post.author
    if thread is not None:
        space = space or thread.space
    return ModerationAction.objects.create(
        actor=actor,
        action=action,
        reason=reason[:500],
        space=space,
        thread=thread,
        post=post,
        target_user=target_user,
    )
