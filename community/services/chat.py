"""Chat rooms: sending, editing, deleting and hiding messages. Each change is an event
in the room's stream (realtime.streams), committed with the change."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from community import rules
from community.markdown import render_markdown
from community.models import ChatMessage, ChatRoom, Space, User
from community.models.chat import MESSAGE_MAX_LENGTH
from community.services.moderation import log_action
from realtime import streams

BURST = 5  # messages in a row before the pace applies
BURST_SECONDS = 10
PACE_SECONDS = 2  # then one message every this many seconds
ROOM_CAP = 100  # messages per ROOM_CAP_SECONDS from everyone: a flood is refused
ROOM_CAP_SECONDS = 10
SLOW_MODE_CHOICES = (0, 10, 30, 60, 120)


class ChatRefused(Exception):
    """A message refused for a reason the live protocol names (code: too_long, ...)."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


def room_for(space: Space) -> ChatRoom:
    """Every space has a room, opened the first time someone needs it."""
    room, _ = ChatRoom.objects.get_or_create(space=space)
    return room


def _html(message: ChatMessage) -> str:
    # One fragment for the page and the live push, so the two never drift.
    return render_to_string("community/chat/_message.html", {"message": message})


def _announce(message: ChatMessage, kind: str, *, client_id: str = "") -> int:
    event = streams.append(
        stream=message.room.stream,
        kind=kind,
        data={
            "id": message.pk,
            "author": message.author.username,
            "client_id": client_id,
            "html": _html(message),
        },
        actor=message.author if kind == "message.new" else None,
        client_id=client_id,
    )
    return event.seq


def _check_pace(actor: User, room: ChatRoom) -> None:
    now = timezone.now()
    recent = ChatMessage.objects.filter(room=room)
    if recent.filter(created_at__gte=now - timedelta(seconds=ROOM_CAP_SECONDS)).count() >= ROOM_CAP:
        raise ChatRefused("rate_limited", "The room is very busy: try again in a few seconds.")
    mine = recent.filter(author=actor)
    if room.slow_mode_seconds and not rules.can_moderate(actor, room.space):
        if mine.filter(created_at__gte=now - timedelta(seconds=room.slow_mode_seconds)).exists():
            raise ChatRefused(
                "rate_limited",
                f"Slow mode is on: one message every {room.slow_mode_seconds} seconds.",
            )
    if mine.filter(created_at__gte=now - timedelta(seconds=BURST_SECONDS)).count() < BURST:
        return
    if mine.filter(created_at__gte=now - timedelta(seconds=PACE_SECONDS)).exists():
        raise ChatRefused("rate_limited", "You're sending quickly: wait a moment.")


@transaction.atomic
def send_message(*, actor: User, room: ChatRoom, body: str, client_id: str = "") -> tuple:
    """Send a message; returns (message, seq). The same client_id from the same person
    returns the first message and its seq; from someone else it is refused."""
    if client_id:
        existing = ChatMessage.objects.filter(room=room, client_id=client_id).first()
        if existing is not None:
            if existing.author_id != actor.pk:
                raise ChatRefused("bad_request", "That client_id belongs to another message.")
            seq = streams.seq_of(room.stream, client_id)
            return existing, seq
    if not rules.can_chat(actor, room):
        raise ChatRefused("not_allowed", "Join this space to chat in its room.")
    if not body.strip():
        raise ChatRefused("bad_request", "Write something first.")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ChatRefused("too_long", f"Messages are at most {MESSAGE_MAX_LENGTH:,} characters.")
    _check_pace(actor, room)
    try:
        with transaction.atomic():
            message = ChatMessage.objects.create(
                room=room,
                author=actor,
                body=body,
                body_html=render_markdown(body, max_length=MESSAGE_MAX_LENGTH).html,
                client_id=client_id,
            )
    except IntegrityError:
        raise ChatRefused("bad_request", "That message was already sent.") from None
    return message, _announce(message, "message.new", client_id=client_id)


@transaction.atomic
def edit_message(*, actor: User, message: ChatMessage, body: str) -> ChatMessage:
    if not rules.can_edit_message(actor, message):
        raise PermissionDenied("You can edit your own messages for five minutes.")
    if not body.strip():
        raise ValidationError("Write something first.")
    message.body = body
    message.body_html = render_markdown(body, max_length=MESSAGE_MAX_LENGTH).html
    message.edited_at = timezone.now()
    message.save(update_fields=["body", "body_html", "edited_at"])
    _announce(message, "message.edited")
    return message


@transaction.atomic
def delete_message(*, actor: User, message: ChatMessage) -> ChatMessage:
    if not rules.can_delete_message(actor, message):
        raise PermissionDenied("You can delete only your own messages.")
    message.deleted_at = timezone.now()
    message.save(update_fields=["deleted_at"])
    _announce(message, "message.deleted")
    return message


@transaction.atomic
def hide_message(*, actor: User, message: ChatMessage, reason: str = "") -> ChatMessage:
    if not rules.can_hide_message(actor, message):
        raise PermissionDenied("Only this space's moderators hide messages.")
    message.hidden_at = timezone.now()
    message.save(update_fields=["hidden_at"])
    log_action(
        actor=actor,
        action="hide_message",
        space=message.room.space,
        target_user=message.author,
        reason=reason or "Hid a chat message",
    )
    _announce(message, "message.hidden")
    return message


@transaction.atomic
def set_slow_mode(*, actor: User, room: ChatRoom, seconds: int) -> ChatRoom:
    """Moderators slow a busy room down (0 switches slow mode off)."""
    if not rules.can_moderate(actor, room.space):
        raise PermissionDenied("Only this space's moderators set slow mode.")
    if seconds not in SLOW_MODE_CHOICES:
        raise ValidationError("Choose one of the offered intervals.")
    room.slow_mode_seconds = seconds
    room.save(update_fields=["slow_mode_seconds"])
    streams.append(stream=room.stream, kind="room.slow_mode", data={"seconds": seconds})
    return room
