"""Moderation: reports, the review queues' actions, and the append-only audit log.

Every action writes one `ModerationAction` row. Notifications are rows written in the same
transaction as the action, so a rolled-back action tells nobody.
"""

import zoneinfo
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from community import rules
from community.models import (
    Membership,
    ModerationAction,
    Notification,
    Post,
    Report,
    Space,
    Thread,
    User,
)
from community.services.audit import log_action
from community.services.forum import announce_post
from community.services.notifications import notify
from realtime import access

AUTO_HIDE_REPORTS = 3
AUTO_HIDE_REASON = "Hidden pending review after 3 reports"
HIDDEN_REASON_MAX_LENGTH = Post._meta.get_field("hidden_reason").max_length
NOTE_MAX_LENGTH = Report._meta.get_field("note").max_length
NOTE_EXCERPT_LENGTH = 60

Action = ModerationAction.Action


# --- Helpers --------------------------------------------------------------------------


def _excerpt(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _required_reason(reason: str, *, max_length: int = 500) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError("Give a reason: the person affected is told it.")
    if len(reason) > max_length:
        raise ValidationError(f"Keep the reason under {max_length} characters.")
    return reason


def _in_future(until: datetime) -> datetime:
    if until <= timezone.now():
        raise ValidationError("Choose a time in the future.")
    return until


def _local_time(value: datetime, user: User) -> str:
    """A time as the person it is about reads it: in their zone, with the zone named."""
    profile = getattr(user, "profile", None)
    try:
        zone = zoneinfo.ZoneInfo(profile.timezone if profile else "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = value.astimezone(zone)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def _lock_post(post: Post) -> Post:
    return (
        Post.objects.select_for_update().select_related("thread__space", "author").get(pk=post.pk)
    )


def _open_reports(post: Post):
    return Report.objects.filter(post=post, resolved_at__isnull=True)


def _require_moderator(actor: User, space: Space) -> None:
    if not rules.can_moderate(actor, space):
        raise PermissionDenied("Only this space's moderators can do that.")


def _tell_author(post: Post, *, actor: User | None, text: str) -> None:
    notify(
        users=[post.author], kind=Notification.Kind.MODERATION, actor=actor, post=post, text=text
    )


# --- Reports --------------------------------------------------------------------------


@transaction.atomic
def report_post(*, actor: User, post: Post, reason: str, note: str = "") -> Report:
    """A member flags a post for the moderators. Three members' open reports hide it
    pending review; a safeguarding concern reaches every member of staff at once."""
    post = _lock_post(post)  # the lock orders concurrent reports for the count below
    if not Post.objects.visible_to(actor).filter(pk=post.pk).exists():
        raise PermissionDenied("You can't see this post.")
    if not rules.can_report(actor, post) or not rules.can_read_post(actor, post):
        raise PermissionDenied("You can't report this post.")
    if reason not in Report.Reason.values:
        raise ValidationError("Choose a reason for the report.")
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(f"Keep the note under {NOTE_MAX_LENGTH} characters.")
    if Report.objects.filter(post=post, reporter=actor).exists():
        raise ValidationError("You have already reported this post.")
    try:
        with transaction.atomic():
            report = Report.objects.create(post=post, reporter=actor, reason=reason, note=note)
    except IntegrityError:
        raise ValidationError("You have already reported this post.") from None

    reporters = _open_reports(post).values("reporter").distinct().count()
    if post.hidden_at is None and reporters >= AUTO_HIDE_REPORTS:
        post.hidden_at, post.hidden_reason = timezone.now(), AUTO_HIDE_REASON
        post.save(update_fields=["hidden_at", "hidden_reason"])
        announce_post(post, "post.hidden" if post.hidden_at else "post.restored")
        log_action(actor=None, action=Action.AUTO_HIDE_POST, post=post, reason=AUTO_HIDE_REASON)
        _tell_author(
            post,
            actor=None,
            text=f"Your post in “{post.thread.title}” is hidden while a moderator reviews "
            f"reports about it.",
        )

    if reason == Report.Reason.SAFEGUARDING:
        text = f"Safeguarding concern reported in “{post.thread.title}” ({post.thread.space.name})"
        if note:
            text += f": “{_excerpt(note, NOTE_EXCERPT_LENGTH)}”"
        notify(
            users=User.objects.filter(is_staff=True, is_active=True),
            kind=Notification.Kind.MODERATION,
            actor=actor,
            post=post,
            text=text + ".",
        )
    return report


@transaction.atomic
def dismiss_reports(*, actor: User, post: Post) -> int:
    """No action needed: resolve the post's open reports (and bring back a post that the
    three-reports rule hid). Returns how many reports were resolved."""
    post = _lock_post(post)
    _require_moderator(actor, post.thread.space)
    now = timezone.now()
    count = _open_reports(post).update(
        resolved_at=now, resolved_by=actor, resolution=Report.Resolution.DISMISSED
    )
    if not count:
        raise ValidationError("There are no open reports on this post.")
    reason = f"Dismissed {count} report{'s' if count != 1 else ''}"
    if post.hidden_at is not None and post.hidden_reason == AUTO_HIDE_REASON:
        post.hidden_at, post.hidden_reason = None, ""
        post.save(update_fields=["hidden_at", "hidden_reason"])
        announce_post(post, "post.hidden" if post.hidden_at else "post.restored")
        reason += "; the post is visible again"
        _tell_author(
            post,
            actor=actor,
            text=f"A moderator reviewed your post in “{post.thread.title}”: it is visible again.",
        )
    log_action(actor=actor, action=Action.DISMISS_REPORTS, post=post, reason=reason)
    return count


# --- Posts ----------------------------------------------------------------------------


@transaction.atomic
def hide_post(*, actor: User, post: Post, reason: str) -> Post:
    """Hide a post (it keeps its place; its text is for its author and moderators).
    Confirms a hide pending review, and resolves the post's open reports as hidden."""
    post = _lock_post(post)
    _require_moderator(actor, post.thread.space)
    reason = _required_reason(reason, max_length=HIDDEN_REASON_MAX_LENGTH)
    if post.deleted_at is not None:
        raise ValidationError("This post has been deleted.")
    open_reports = _open_reports(post)
    if post.hidden_at is not None and not open_reports.exists():
        raise ValidationError("This post is already hidden.")
    now = timezone.now()
    post.hidden_at, post.hidden_reason = post.hidden_at or now, reason
    post.save(update_fields=["hidden_at", "hidden_reason"])
    announce_post(post, "post.hidden" if post.hidden_at else "post.restored")
    open_reports.update(resolved_at=now, resolved_by=actor, resolution=Report.Resolution.HIDDEN)
    log_action(actor=actor, action=Action.HIDE_POST, post=post, reason=reason)
    _tell_author(
        post, actor=actor, text=f"A moderator hid your post in “{post.thread.title}”: {reason}"
    )
    return post


@transaction.atomic
def restore_post(*, actor: User, post: Post, reason: str = "") -> Post:
    """Show a hidden post again; its open reports are resolved as needing no action."""
    post = _lock_post(post)
    _require_moderator(actor, post.thread.space)
    if post.hidden_at is None:
        raise ValidationError("This post is not hidden.")
    post.hidden_at, post.hidden_reason = None, ""
    post.save(update_fields=["hidden_at", "hidden_reason"])
    announce_post(post, "post.hidden" if post.hidden_at else "post.restored")
    _open_reports(post).update(
        resolved_at=timezone.now(), resolved_by=actor, resolution=Report.Resolution.DISMISSED
    )
    log_action(actor=actor, action=Action.RESTORE_POST, post=post, reason=reason.strip())
    _tell_author(
        post, actor=actor, text=f"A moderator restored your post in “{post.thread.title}”."
    )
    return post


# --- Threads --------------------------------------------------------------------------


def _lock_thread(thread: Thread) -> Thread:
    return Thread.objects.select_for_update().select_related("space").get(pk=thread.pk)


@transaction.atomic
def set_thread_locked(*, actor: User, thread: Thread, locked: bool, reason: str = "") -> Thread:
    """Lock (no new replies, except from moderators) or unlock a thread."""
    thread = _lock_thread(thread)
    _require_moderator(actor, thread.space)
    if thread.is_locked == locked:
        return thread
    thread.locked_at = timezone.now() if locked else None
    thread.save(update_fields=["locked_at"])
    action = Action.LOCK_THREAD if locked else Action.UNLOCK_THREAD
    log_action(actor=actor, action=action, thread=thread, reason=reason.strip())
    return thread


@transaction.atomic
def set_thread_pinned(*, actor: User, thread: Thread, pinned: bool) -> Thread:
    thread = _lock_thread(thread)
    _require_moderator(actor, thread.space)
    if thread.is_pinned == pinned:
        return thread
    thread.pinned_at = timezone.now() if pinned else None
    thread.save(update_fields=["pinned_at"])
    action = Action.PIN_THREAD if pinned else Action.UNPIN_THREAD
    log_action(actor=actor, action=action, thread=thread)
    return thread


@transaction.atomic
def move_thread(*, actor: User, thread: Thread, to_space: Space, reason: str = "") -> Thread:
    """Move a thread to another space; the actor moderates both and can see the target.
    The log row belongs to the space the thread left, and names where it went."""
    thread = _lock_thread(thread)
    _require_moderator(actor, thread.space)
    if not rules.can_move_thread_to(actor, to_space):
        raise PermissionDenied("You can only move threads to spaces you moderate.")
    if to_space.pk == thread.space_id:
        raise ValidationError("The thread is already in that space.")
    from_space = thread.space
    thread.space = to_space
    thread.save(update_fields=["space"])
    access.changed(streams=[f"thread:{thread.pk}"])  # its readers may not see the new space
    note = f"Moved to {to_space.name}"
    reason = reason.strip()
    log_action(
        actor=actor,
        action=Action.MOVE_THREAD,
        space=from_space,
        thread=thread,
        reason=f"{note}: {reason}" if reason else note,
    )
    return thread


# --- Members and accounts -------------------------------------------------------------


def _member_for_action(*, actor: User, space: Space, user: User) -> Membership:
    _require_moderator(actor, space)
    membership = (
        Membership.objects.active()
        .select_for_update()
        .select_related("space", "user")
        .filter(space=space, user=user)
        .first()
    )
    if membership is None:
        raise ValidationError(f"{user.username} is not a member of this space.")
    if not rules.can_moderate_member(actor, membership):
        raise PermissionDenied("Only staff can act on a moderator of this space.")
    return membership


@transaction.atomic
def mute_member(
    *, actor: User, space: Space, user: User, until: datetime, reason: str
) -> Membership:
    """A muted member still reads the space but cannot post in it until `until`."""
    membership = _member_for_action(actor=actor, space=space, user=user)
    reason = _required_reason(reason)
    membership.muted_until = _in_future(until)
    membership.save(update_fields=["muted_until"])
    rules.forget_memberships(user)
    access.changed(users=[user.pk])
    log_action(actor=actor, action=Action.MUTE_MEMBER, space=space, target_user=user, reason=reason)
    notify(
        users=[user],
        kind=Notification.Kind.MODERATION,
        actor=actor,
        space=space,
        text=f"A moderator muted you in {space.name} until {_local_time(until, user)}: {reason}",
    )
    return membership


@transaction.atomic
def remove_member(
    *, actor: User, space: Space, user: User, until: datetime, reason: str
) -> Membership:
    """A removed member is not a member until `until` (a private space disappears for them)."""
    membership = _member_for_action(actor=actor, space=space, user=user)
    reason = _required_reason(reason)
    membership.removed_until = _in_future(until)
    membership.save(update_fields=["removed_until"])
    rules.forget_memberships(user)
    access.changed(users=[user.pk])  # open sockets lose a private space at once
    log_action(
        actor=actor, action=Action.REMOVE_MEMBER, space=space, target_user=user, reason=reason
    )
    # No link to the space: it may be one they can no longer see.
    notify(
        users=[user],
        kind=Notification.Kind.MODERATION,
        actor=actor,
        text=f"A moderator removed you from {space.name} until {_local_time(until, user)}: "
        f"{reason}",
    )
    return membership


@transaction.atomic
def suspend_account(*, actor: User, user: User, until: datetime, reason: str) -> User:
    """Staff only: a suspended account reads but cannot write anywhere until `until`."""
    if not rules.can_suspend(actor, user):
        raise PermissionDenied("Only staff can suspend an account (and not a staff account).")
    reason = _required_reason(reason)
    user.suspended_until = _in_future(until)
    user.save(update_fields=["suspended_until"])
    access.changed(users=[user.pk])
    log_action(actor=actor, action=Action.SUSPEND_ACCOUNT, target_user=user, reason=reason)
    notify(
        users=[user],
        kind=Notification.Kind.MODERATION,
        actor=actor,
        text=f"Staffroom staff suspended your account until {_local_time(until, user)}: {reason}",
    )
    return user


@transaction.atomic
def lift_suspension(*, actor: User, user: User, reason: str = "") -> User:
    if not rules.can_suspend(actor, user):
        raise PermissionDenied("Only staff can lift a suspension.")
    if not user.is_suspended():
        raise ValidationError(f"{user.username} is not suspended.")
    user.suspended_until = None
    user.save(update_fields=["suspended_until"])
    log_action(
        actor=actor, action=Action.UNSUSPEND_ACCOUNT, target_user=user, reason=reason.strip()
    )
    notify(
        users=[user],
        kind=Notification.Kind.MODERATION,
        actor=actor,
        text="Staffroom staff lifted the suspension of your account.",
    )
    return user
