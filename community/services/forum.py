"""Spaces, threads, posts, reactions, follows and reading: every write goes through here."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from community import rules
from community.markdown import render_markdown
from community.models import (
    Follow,
    Membership,
    Notification,
    Phase,
    Post,
    PostRevision,
    Reaction,
    ReadState,
    School,
    Space,
    Subject,
    Tag,
    Thread,
    User,
)
from community.services.audit import log_action
from community.services.notifications import notify
from community.slugs import unique_slug
from realtime import access, streams

POST_MAX_LENGTH = 20_000
# Posts per minute for everyone, and stricter limits on an account's first day.
POSTS_PER_MINUTE = 6
NEW_ACCOUNT_POSTS_PER_MINUTE = 2
NEW_ACCOUNT_POSTS_FIRST_DAY = 20


class RateLimited(Exception):
    """Too many posts too quickly; the message says when to try again."""


# --- Spaces ---------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    return unique_slug(Space, Space.slug_base(name))


@transaction.atomic
def create_space(
    *,
    actor: User,
    name: str,
    kind: str,
    description: str = "",
    school: School | None = None,
    phases: list[Phase] = (),
    subjects: list[Subject] = (),
) -> Space:
    """Open a space; its creator is its first moderator."""
    if not rules.can_create_space(actor, kind):
        raise PermissionDenied("You can't open that kind of space.")
    if (kind == Space.Kind.SCHOOL) != (school is not None):
        raise ValidationError("A school space belongs to exactly one school.")
    space = Space.objects.create(
        name=name,
        slug=_unique_slug(name),
        kind=kind,
        school=school,
        description=description,
        description_html=render_markdown(description, max_length=2000).html,
        created_by=actor,
    )
    space.phases.set(phases)
    space.subjects.set(subjects)
    Membership.objects.create(space=space, user=actor, role=Membership.Role.MODERATOR)
    rules.forget_memberships(actor)
    return space


@transaction.atomic
def join_space(*, actor: User, space: Space) -> Membership:
    if not rules.can_join(actor, space):
        if Membership.objects.filter(space=space, user=actor, removed_until__gt=timezone.now()):
            raise PermissionDenied("A moderator removed you from this space for now.")
        raise PermissionDenied("You can't join this space.")
    membership, _ = Membership.objects.update_or_create(
        space=space, user=actor, defaults={"role": Membership.Role.MEMBER, "removed_until": None}
    )
    rules.forget_memberships(actor)
    return membership


@transaction.atomic
def leave_space(*, actor: User, space: Space) -> None:
    if not rules.can_leave(actor, space):
        raise PermissionDenied("You are not a member of this space.")
    Membership.objects.filter(space=space, user=actor).delete()
    rules.forget_memberships(actor)
    access.changed(users=[actor.pk])  # a private space's room and threads, on open sockets


@transaction.atomic
def invite_member(*, actor: User, space: Space, user: User) -> Membership:
    """Moderators of school and private spaces add people; the invitee is told."""
    if not rules.can_invite(actor, space):
        raise PermissionDenied("Only this space's moderators can invite people.")
    existing = Membership.objects.filter(space=space, user=user).first()
    if existing and not existing.is_removed():
        raise ValidationError(f"{user.profile.display_name} is already a member.")
    membership, _ = Membership.objects.update_or_create(
        space=space,
        user=user,
        defaults={"role": Membership.Role.MEMBER, "invited_by": actor, "removed_until": None},
    )
    notify(
        users=[user],
        kind=Notification.Kind.INVITE,
        actor=actor,
        space=space,
        text=f"{actor.profile.display_name} added you to {space.name}.",
    )
    return membership


# --- Posting --------------------------------------------------------------------------


def announce_post(post: Post, kind: str, **extra) -> None:
    """Add an event to the thread's stream (published to open thread pages on commit)."""
    streams.append(
        stream=f"thread:{post.thread_id}",
        kind=kind,
        data={"post": post.pk, "number": post.number, **extra},
    )


def _check_rate(actor: User) -> None:
    """Counted in the database, so every server process enforces the same limit."""
    now = timezone.now()
    recent = Post.objects.filter(author=actor, created_at__gte=now - timedelta(minutes=1)).count()
    new_account = actor.date_joined > now - timedelta(days=1)
    limit = NEW_ACCOUNT_POSTS_PER_MINUTE if new_account else POSTS_PER_MINUTE
    if recent >= limit:
        raise RateLimited("You're posting quickly. Please wait a minute before posting again.")
    if new_account:
        today = Post.objects.filter(author=actor, created_at__gte=actor.date_joined).count()
        if today >= NEW_ACCOUNT_POSTS_FIRST_DAY:
            raise RateLimited(
                "New accounts can post 20 times on their first day. "
                "Thank you for joining in: you can post again tomorrow."
            )


def _render(body: str):
    if not body.strip():
        raise ValidationError("Write something first.")
    return render_markdown(body, max_length=POST_MAX_LENGTH)


def _existing(actor: User, client_token: str) -> Post | None:
    if not client_token:
        return None
    return Post.objects.filter(author=actor, client_token=client_token).first()


def _attach(post: Post, rendered, *, actor: User) -> None:
    """Tags and mentions of a post, and the notifications of the people mentioned."""
    tags = [Tag.objects.get_or_create(name=name)[0] for name in rendered.tags]
    post.tags.set(tags)
    post.thread.tags.add(*tags)
    mentioned = list(
        User.objects.filter(username__in=rendered.mentions, is_active=True).exclude(
            mentioned_in=post
        )
    )
    # Only people who can see the thread hear about it.
    mentioned = [
        u for u in mentioned if Thread.objects.visible_to(u).filter(pk=post.thread_id).exists()
    ]
    post.mentions.add(*mentioned)
    notify(
        users=mentioned,
        kind=Notification.Kind.MENTION,
        actor=actor,
        post=post,
        text=f"{actor.profile.display_name} mentioned you in “{post.thread.title}”.",
    )


@transaction.atomic
def start_thread(
    *,
    actor: User,
    space: Space,
    title: str,
    body: str,
    kind: str = Thread.Kind.DISCUSSION,
    client_token: str = "",
    rate_limited: bool = True,
) -> Thread:
    """`rate_limited=False` is for threads the system opens on someone's behalf, once per
    thing (a library module's discussion, opened when staff publish it)."""
    if not rules.can_post(actor, space):
        raise PermissionDenied("Join this space to post in it.")
    if existing := _existing(actor, client_token):
        return existing.thread
    title = " ".join(title.split())
    if not title:
        raise ValidationError("Give your thread a title.")
    rendered = _render(body)
    if rate_limited:
        _check_rate(actor)
    now = timezone.now()
    thread = Thread.objects.create(
        space=space,
        author=actor,
        title=title,
        kind=kind,
        created_at=now,
        last_activity_at=now,
        post_count=1,
    )
    post = Post.objects.create(
        thread=thread,
        number=1,
        author=actor,
        body=body,
        body_html=rendered.html,
        client_token=client_token,
        created_at=now,
    )
    Follow.objects.get_or_create(user=actor, thread=thread)
    ReadState.objects.update_or_create(user=actor, thread=thread, defaults={"last_read_number": 1})
    _attach(post, rendered, actor=actor)
    return thread


@transaction.atomic
def post_reply(
    *, actor: User, thread: Thread, body: str, quote_of: Post | None = None, client_token: str = ""
) -> Post:
    if existing := _existing(actor, client_token):
        return existing
    # The row lock orders concurrent replies: numbers stay gapless and unique.
    thread = Thread.objects.select_for_update().select_related("space").get(pk=thread.pk)
    if not rules.can_reply(actor, thread):
        if thread.is_locked:
            raise PermissionDenied("This thread is locked: no new replies.")
        raise PermissionDenied("Join this space to reply.")
    if quote_of is not None and (
        quote_of.thread_id != thread.pk or not rules.can_read_post(actor, quote_of)
    ):
        raise ValidationError("You can only quote a post from this thread.")
    rendered = _render(body)
    _check_rate(actor)
    now = timezone.now()
    number = thread.post_count + 1
    try:
        with transaction.atomic():
            post = Post.objects.create(
                thread=thread,
                number=number,
                author=actor,
                body=body,
                body_html=rendered.html,
                quote_of=quote_of,
                client_token=client_token,
                created_at=now,
            )
    except IntegrityError:
        # The same form, submitted twice at once: the other request made the post.
        if existing := _existing(actor, client_token):
            return existing
        raise
    Thread.objects.filter(pk=thread.pk).update(post_count=number, last_activity_at=now)
    thread.post_count, thread.last_activity_at = number, now
    post.thread = thread
    followers = User.objects.filter(follows__thread=thread, is_active=True).exclude(pk=actor.pk)
    Follow.objects.get_or_create(user=actor, thread=thread)
    ReadState.objects.update_or_create(
        user=actor, thread=thread, defaults={"last_read_number": number}
    )
    _attach(post, rendered, actor=actor)
    announce_post(post, "post.new")
    notify(
        users=followers.exclude(mentioned_in=post),
        kind=Notification.Kind.REPLY,
        actor=actor,
        post=post,
        text=f"{actor.profile.display_name} replied in “{thread.title}”.",
    )
    return post


@transaction.atomic
def edit_post(*, actor: User, post: Post, body: str) -> Post:
    post = Post.objects.select_for_update().select_related("thread__space").get(pk=post.pk)
    if not rules.can_edit_post(actor, post):
        raise PermissionDenied("You can't edit this post.")
    rendered = _render(body)
    if body == post.body:
        return post
    PostRevision.objects.create(post=post, body=post.body, edited_by=actor)
    post.body, post.body_html, post.edited_at = body, rendered.html, timezone.now()
    post.save(update_fields=["body", "body_html", "edited_at"])
    _attach(post, rendered, actor=actor)
    announce_post(post, "post.edited")
    if actor.pk != post.author_id:
        log_action(actor=actor, action="edit_post", post=post, reason="Edited by a moderator")
    return post


@transaction.atomic
def delete_post(*, actor: User, post: Post) -> Post:
    """Soft delete: the post keeps its number (permalinks hold) and loses its text, its
    earlier versions included: deleted words stay deleted (a moderator who wants to keep
    them for review hides the post instead)."""
    if not rules.can_delete_post(actor, post):
        raise PermissionDenied("You can't delete this post.")
    post.deleted_at = timezone.now()
    post.body = post.body_html = ""
    post.save(update_fields=["deleted_at", "body", "body_html"])
    post.revisions.all().delete()
    announce_post(post, "post.deleted")
    if post.number == 1:
        Thread.objects.filter(pk=post.thread_id).update(deleted_at=post.deleted_at)
        access.changed(streams=[f"thread:{post.thread_id}"])
    if actor.pk != post.author_id:
        log_action(actor=actor, action="delete_post", post=post, reason="Deleted by a moderator")
    return post


# --- Reactions, answers, follows, reading ----------------------------------------------


@transaction.atomic
def react(*, actor: User, post: Post, kind: str) -> Reaction:
    if kind not in Reaction.Kind.values:
        raise ValidationError("Unknown reaction.")
    if not rules.can_react(actor, post):
        raise PermissionDenied("You can't react to this post.")
    try:
        with transaction.atomic():
            reaction = Reaction.objects.create(post=post, user=actor, kind=kind)
    except IntegrityError:
        raise ValidationError("You have already reacted to this post that way.") from None
    announce_post(post, "reaction.added", reaction=kind)
    notify(
        users=[post.author],
        kind=Notification.Kind.REACTION,
        actor=actor,
        post=post,
        text=f"{actor.profile.display_name} found your post in “{post.thread.title}” "
        f"{Reaction.Kind(kind).label.lower()}.",
    )
    return reaction


@transaction.atomic
def unreact(*, actor: User, post: Post, kind: str) -> None:
    if Reaction.objects.filter(post=post, user=actor, kind=kind).delete()[0]:
        announce_post(post, "reaction.removed", reaction=kind)


@transaction.atomic
def mark_answer(*, actor: User, thread: Thread, post: Post | None) -> Thread:
    """Mark one reply as the answer to a question (None clears it)."""
    if not rules.can_mark_answer(actor, thread):
        raise PermissionDenied("Only the person who asked, or a moderator, marks the answer.")
    if post is not None and (post.thread_id != thread.pk or post.number == 1 or post.is_hidden):
        raise ValidationError("Choose a visible reply in this thread.")
    thread.answer = post
    thread.save(update_fields=["answer"])
    return thread


def follow_thread(*, actor: User, thread: Thread) -> None:
    if not rules.can_follow(actor, thread):
        raise PermissionDenied
    Follow.objects.get_or_create(user=actor, thread=thread)


def unfollow_thread(*, actor: User, thread: Thread) -> None:
    Follow.objects.filter(user=actor, thread=thread).delete()


def mark_read(*, actor: User, thread: Thread, number: int) -> None:
    """Remember the furthest post read; reading an earlier page never moves it back."""
    if not actor.is_authenticated:
        return
    number = min(number, thread.post_count)
    updated = ReadState.objects.filter(
        user=actor, thread=thread, last_read_number__lt=number
    ).update(last_read_number=number)
    if not updated:
        ReadState.objects.get_or_create(
            user=actor, thread=thread, defaults={"last_read_number": number}
        )


def open_school_space(*, school: School) -> Space:
    """Every school has its own space, opened with the school (a system action: no rule)."""
    return Space.objects.create(
        name=school.name,
        slug=_unique_slug(school.name),
        kind=Space.Kind.SCHOOL,
        school=school,
        description=f"The staffroom of {school.name}: only its teachers see this space.",
        description_html=render_markdown(
            f"The staffroom of {school.name}: only its teachers see this space."
        ).html,
    )
