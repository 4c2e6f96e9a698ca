"""Who may do what: one named function per rule, `can_<verb>(user, obj) -> bool`.

Pure: no writes. The reads are the viewer's memberships, loaded once per user object
(one query per request) by `membership_in`, and, for timed sessions, whether the viewer
hosts, sees or was muted in one (for a batch of senders at once: `session_audience`).
"""

from functools import reduce
from operator import or_

from django.db.models import Exists, Q
from django.utils import timezone

from community.models import ChatSession, Membership, Post, Profile, Space, Thread, User


def _active(user) -> bool:
    return user.is_authenticated and user.is_active


def _can_write(user) -> bool:
    return _active(user) and not user.is_suspended()


def membership_in(user, space: Space) -> Membership | None:
    """The viewer's membership of a space, if they are a member now (not removed)."""
    if not user.is_authenticated:
        return None
    cache = getattr(user, "_staffroom_memberships", None)
    if cache is None:
        cache = {m.space_id: m for m in Membership.objects.active().filter(user=user)}
        user._staffroom_memberships = cache
    return cache.get(space.pk)


def forget_memberships(user) -> None:
    """Called by services that change the viewer's memberships mid-request."""
    # delattr, not user.__dict__: request.user is a lazy proxy, whose own __dict__ is not
    # the user's (the cache would survive, and a space just joined would refuse a post).
    try:
        del user._staffroom_memberships
    except AttributeError:
        pass


def session_audience(session, users) -> set[int]:
    """The ids of those of `users` whom the session lets chat in its room: they see it
    (`ChatSession.objects.visible_to`) and its hosts have not muted them. One query
    however many people: a batch of sends asks once for all its senders."""
    people = {user.pk: user for user in users if _active(user)}
    if not people:
        return set()
    sees = reduce(
        or_,
        (
            Q(pk=pk) & Q(Exists(ChatSession.objects.visible_to(user).filter(pk=session.pk)))
            for pk, user in people.items()
        ),
    )
    muted = session.mutes.values("user_id")
    return set(User.objects.filter(sees).exclude(pk__in=muted).values_list("pk", flat=True))


# --- Accounts and schools -------------------------------------------------------------


def can_edit_profile(user: User, profile: Profile) -> bool:
    return _active(user) and profile.user_id == user.pk


def can_add_school(user: User) -> bool:
    return _active(user)


# --- Spaces ---------------------------------------------------------------------------


def is_moderator(user, space: Space) -> bool:
    if not _active(user):
        return False
    if user.is_staff:
        return True
    membership = membership_in(user, space)
    return membership is not None and membership.role == Membership.Role.MODERATOR


def can_create_space(user, kind: str) -> bool:
    """Staff open network and school spaces; any teacher may start a private group."""
    if not _can_write(user):
        return False
    return kind == Space.Kind.PRIVATE or user.is_staff


def can_join(user, space: Space) -> bool:
    if not _can_write(user) or membership_in(user, space) is not None:
        return False
    if space.kind == Space.Kind.NETWORK:
        return True
    if space.kind == Space.Kind.SCHOOL:
        profile = getattr(user, "profile", None)
        return profile is not None and profile.school_id == space.school_id
    return False  # private spaces are by invitation


def can_leave(user, space: Space) -> bool:
    return membership_in(user, space) is not None


def can_invite(user, space: Space) -> bool:
    return space.kind != Space.Kind.NETWORK and is_moderator(user, space)


def can_post(user, space: Space) -> bool:
    """Start threads and reply: members who are not muted, on an account not suspended."""
    if not _can_write(user):
        return False
    membership = membership_in(user, space)
    return membership is not None and not membership.is_muted()


def can_moderate(user, space: Space) -> bool:
    return _can_write(user) and is_moderator(user, space)


def can_moderate_member(user, membership: Membership) -> bool:
    """Moderators mute and remove members; only staff act on a moderator (or on staff);
    nobody on themselves."""
    if not can_moderate(user, membership.space) or membership.user_id == user.pk:
        return False
    target_moderates = membership.user.is_staff or membership.role == Membership.Role.MODERATOR
    return user.is_staff or not target_moderates


def can_move_thread_to(user, space: Space) -> bool:
    """The target of a move: a space the moderator can see and moderates."""
    return can_moderate(user, space) and Space.objects.visible_to(user).filter(pk=space.pk).exists()


# --- Threads and posts ----------------------------------------------------------------


def can_reply(user, thread: Thread) -> bool:
    if thread.deleted_at is not None or not can_post(user, thread.space):
        return False
    return not thread.is_locked or is_moderator(user, thread.space)


def can_read_post(user, post: Post) -> bool:
    """Hidden or deleted posts keep their place. A deleted post has no text left for
    anyone; a hidden post's is for moderators and its author, who is told why."""
    if post.deleted_at is not None:
        return False
    if post.hidden_at is not None:
        return post.author_id == user.pk or is_moderator(user, post.thread.space)
    return True


def can_edit_post(user, post: Post) -> bool:
    if post.deleted_at is not None or not _can_write(user):
        return False
    if can_moderate(user, post.thread.space):
        return True
    return post.author_id == user.pk and post.hidden_at is None and can_reply(user, post.thread)


def can_delete_post(user, post: Post) -> bool:
    if post.deleted_at is not None or not _can_write(user):
        return False
    return post.author_id == user.pk or can_moderate(user, post.thread.space)


def can_view_history(user, post: Post) -> bool:
    return is_moderator(user, post.thread.space)


def can_react(user, post: Post) -> bool:
    return (
        post.author_id != user.pk
        and post.hidden_at is None
        and post.deleted_at is None
        and can_post(user, post.thread.space)
    )


def can_mark_answer(user, thread: Thread) -> bool:
    if thread.kind != Thread.Kind.QUESTION or not _can_write(user):
        return False
    return thread.author_id == user.pk or can_moderate(user, thread.space)


def can_follow(user, thread: Thread) -> bool:
    return _active(user)


def can_report(user, post: Post) -> bool:
    return _can_write(user) and post.author_id != user.pk and post.deleted_at is None


def can_suspend(user, target: User) -> bool:
    return _can_write(user) and user.is_staff and not target.is_staff and target.pk != user.pk


# --- Chat rooms -------------------------------------------------------------------------


def can_chat(user, room, *, audience: set[int] | None = None) -> bool:
    """A space's members chat in its room (muted members and suspended accounts read).
    In a session's room: whoever sees the session, unless a host muted them for it
    (`audience`: `session_audience(room.session, ...)`, when the caller has it already)."""
    if room.space_id is not None:
        return can_post(user, room.space)
    if not _can_write(user):
        return False
    if audience is None:
        audience = session_audience(room.session, [user])
    return user.pk in audience


def can_moderate_room(user, room) -> bool:
    """A space's moderators; a session's hosts (and staff)."""
    if room.space_id is not None:
        return can_moderate(user, room.space)
    return _can_write(user) and (user.is_staff or room.session.is_host(user))


def can_edit_message(user, message, at=None) -> bool:
    """Your own message, within five minutes of sending it, while the room is open."""
    return (
        message.author_id == user.pk
        and not message.is_gone
        and not message.room.closed_at
        and (at or timezone.now()) <= message.editable_until()
        and can_chat(user, message.room)
    )


def can_delete_message(user, message) -> bool:
    return message.author_id == user.pk and not message.is_gone


def can_hide_message(user, message) -> bool:
    return (
        message.hidden_at is None
        and message.deleted_at is None
        and can_moderate_room(user, message.room)
    )


def can_react_in_room(user, room, *, may_chat: bool | None = None) -> bool:
    """Reacting is taking part: whoever may chat in the room, while it takes messages (a
    space's room that is open; a session's room while the session is on). `may_chat` is
    can_chat's answer when the caller has it already."""
    if room.closed_at:
        return False
    if room.space_id is None and room.session.state() not in {"live", "paused"}:
        return False
    return can_chat(user, room) if may_chat is None else may_chat


def can_react_to_message(user, message, *, in_room: bool | None = None) -> bool:
    """Someone else's message that is still there. `in_room` is can_react_in_room's
    answer when a page already has it (a page of messages asks once, not per message)."""
    if message.author_id == user.pk or message.is_gone:
        return False
    return can_react_in_room(user, message.room) if in_room is None else in_room


# --- Timed chat sessions ------------------------------------------------------------------


def can_host_session(user, space: Space | None) -> bool:
    """A space's moderators run its sessions; network-wide sessions are run by staff and
    by anyone who moderates a space."""
    if not _can_write(user):
        return False
    if space is not None:
        return can_moderate(user, space)
    return (
        user.is_staff
        or Membership.objects.active().filter(user=user, role=Membership.Role.MODERATOR).exists()
    )


def can_run_session(user, session) -> bool:
    """The host, co-hosts and staff run a session once it exists."""
    return _can_write(user) and (user.is_staff or session.is_host(user))


def can_add_to_series(user, series) -> bool:
    """A weekly series is its host's: they (and staff) plan its sessions. (A co-host who
    reuses one of its sessions as a template keeps the copy in it: see duplicate_session.)"""
    return _can_write(user) and (user.is_staff or series.host_id == user.pk)


def can_mute_participant(user, session, target, *, runs_it=None, host_ids=None) -> bool:
    """Hosts (and staff) mute a participant for this session only: never a host, never
    staff, never themselves. `runs_it` (can_run_session's answer) and `host_ids` (the
    host's and co-hosts' ids) are what a page already knows, so that a page of messages
    asks no query per message."""
    if target.pk == user.pk or target.is_staff:
        return False
    if not (can_run_session(user, session) if runs_it is None else runs_it):
        return False
    if host_ids is None:
        return not session.is_host(target)
    return target.pk not in host_ids


# --- The teacher's data -----------------------------------------------------------------


def can_export_data(user, owner: User) -> bool:
    """A teacher exports their own data (a suspension does not take it away); network
    staff export anyone's, for a request made outside Staffroom."""
    return _active(user) and owner.erased_at is None and (user.pk == owner.pk or user.is_staff)


def can_erase_account(user, target: User) -> bool:
    """A teacher erases their own account; staff erase a teacher's at their request made
    outside Staffroom (not another staff member's: staff erase their own)."""
    if not _active(user) or target.erased_at is not None:
        return False
    return user.pk == target.pk or (user.is_staff and not target.is_staff)


def can_handle_data_requests(user) -> bool:
    """Network staff act on export and erasure requests made outside Staffroom."""
    return _active(user) and user.is_staff
