"""Chat rooms: sending, editing, deleting and hiding messages. Each change is an event
in the room's stream (realtime.streams), committed with the change."""

from datetime import timedelta
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from community import queries, rules
from community.markdown import render_markdown
from community.models import ChatMessage, ChatReaction, ChatRoom, Reaction, Space, User
from community.models.chat import MESSAGE_MAX_LENGTH
from community.services import sessions
from community.services.audit import log_action
from realtime import kinds, streams
from realtime.validation import is_whole, text_problem

BURST = 5  # messages in a row before the pace applies
BURST_SECONDS = 10
PACE_SECONDS = 2  # then one message every this many seconds
ROOM_CAP = 100  # messages per ROOM_CAP_SECONDS from everyone: a flood is refused
ROOM_CAP_SECONDS = 10
SLOW_MODE_CHOICES = (0, 10, 30, 60, 120)


class Send(NamedTuple):
    """One message to send. In a session's room, `question` is the number of the
    question it answers (left out: the question of the message it replies to, else the
    latest released one). `reply_to` is the id of a message in the same room."""

    actor: User
    body: str
    client_id: str = ""
    question: int | None = None
    reply_to: int | None = None


MAX_QUESTION = 99  # a session has at most 8 questions; a number beyond this is nonsense


class ChatRefused(kinds.Refused):
    """A message refused for a reason the live protocol names (code: too_long, ...)."""


def check_send_fields(frame: dict) -> tuple[dict | None, str | None]:
    """A room's own fields of a live `send` frame, checked before it joins a batch:
    ({"question", "reply_to"}, None), or (None, what is wrong)."""
    question, reply_to = frame.get("question"), frame.get("reply_to")
    if question is not None and not is_whole(question, maximum=MAX_QUESTION):
        return None, "'question' is a question's number."
    if reply_to is not None and not is_whole(reply_to):
        return None, "'reply_to' is the id of a message."
    return {"question": question, "reply_to": reply_to}, None


def send_to_room(room_id: int, sends: list[kinds.Send]) -> list:
    """The live layer's batch of sends to a room (realtime/writer.py): as send_messages."""
    room = ChatRoom.objects.select_related("space", "session").filter(pk=room_id).first()
    if room is None:
        return [ChatRefused("not_found", "")] * len(sends)
    return send_messages(
        room=room,
        sends=[
            Send(s.actor, s.body, s.client_id, s.fields.get("question"), s.fields.get("reply_to"))
            for s in sends
        ],
    )


def room_for(space: Space) -> ChatRoom:
    """Every space has a room, opened the first time someone needs it."""
    room, _ = ChatRoom.objects.get_or_create(space=space)
    return room


def _html(message: ChatMessage) -> str:
    # One fragment for the page and the live push, so the two never drift.
    return render_to_string("community/chat/_message.html", {"message": message})


def _event(message: ChatMessage, kind: str, client_id: str = "") -> dict:
    return {
        "kind": kind,
        "data": {
            "id": message.pk,
            "author": message.author.username,
            "client_id": client_id,
            "html": _html(message),
        },
        "actor": message.author if kind == "message.new" else None,
        "client_id": client_id,
        "ref": f"message:{message.pk}",
    }


def _announce(message: ChatMessage, kind: str) -> int:
    # A re-rendered message keeps its reaction counts (a new one has none yet).
    queries.with_chat_reactions([message])
    return streams.append(stream=message.room.stream, **_event(message, kind)).seq


def refresh_logged(messages) -> None:
    """Make the stream log show these messages as they are now, and the replies to them
    (whose "in reply to" line quotes them): an edited, deleted, hidden or erased
    message's old words are never served again by a replay, a resume or the history.
    In the caller's transaction."""
    ids = {message.pk for message in messages}
    if not ids:
        return
    shown = ChatMessage.objects.filter(Q(pk__in=ids) | Q(reply_to__in=ids)).select_related(
        "author__profile", "question", "reply_to__author__profile"
    )
    shown = list(shown)
    queries.with_chat_reactions(shown)
    for message in shown:
        streams.rewrite(f"message:{message.pk}", {"html": _html(message)})


def _recent(room: ChatRoom, now) -> list[tuple[int, object]]:
    """(author id, sent at) of the room's messages in the longest window a limit looks at."""
    longest = max(ROOM_CAP_SECONDS, BURST_SECONDS, room.slow_mode_seconds)
    since = now - timedelta(seconds=longest)
    recent = ChatMessage.objects.filter(room=room, created_at__gte=since)
    return list(recent.order_by().values_list("author_id", "created_at"))


def _refusal(
    actor: User, room: ChatRoom, body: str, recent: list, now, audience: set | None = None
) -> ChatRefused | None:
    """Why this message may not be sent now, if it may not: the room's cap, slow mode
    (moderators are exempt) and the person's pace are counted in `recent`; `audience` is
    who the session lets chat (a session's room: loaded once per batch)."""
    if not rules.can_chat(actor, room, audience=audience):
        if room.space_id is None and room.session.mutes.filter(user=actor).exists():
            return ChatRefused("not_allowed", sessions.MUTED_NOTICE)
        if room.space_id is None:
            return ChatRefused("not_allowed", "You can read this session's room, not send to it.")
        return ChatRefused("not_allowed", "Join this space to chat in its room.")
    if room.closed_at and not rules.can_moderate_room(actor, room):
        return ChatRefused("closed", "Moderators have closed this room for now.")
    if not body.strip():
        return ChatRefused("bad_request", "Write something first.")
    if len(body) > MESSAGE_MAX_LENGTH:
        return ChatRefused("too_long", f"Messages are at most {MESSAGE_MAX_LENGTH:,} characters.")
    if problem := text_problem(body):
        return ChatRefused("bad_request", problem)

    def count(seconds, mine=True):
        since = now - timedelta(seconds=seconds)
        return sum(1 for author, at in recent if at >= since and (not mine or author == actor.pk))

    if count(ROOM_CAP_SECONDS, mine=False) >= ROOM_CAP:
        return ChatRefused("rate_limited", "The room is very busy: try again in a few seconds.")
    slow = room.slow_mode_seconds
    if slow and count(slow) and not rules.can_moderate_room(actor, room):
        return ChatRefused("rate_limited", f"Slow mode is on: one message every {slow} seconds.")
    if count(BURST_SECONDS) >= BURST and count(PACE_SECONDS):
        return ChatRefused("rate_limited", "You're sending quickly: wait a moment.")
    return None


class _SessionClock:
    """A session room's state at the moment of a send: open or not, which questions are
    out (releasing any that are due: the sender may be the first to notice), and which of
    the senders it lets chat. A few queries per batch, none per send."""

    def __init__(self, session, now, senders=()):
        self.state = session.state(now)
        questions = list(session.questions.all())
        if self.state == session.State.LIVE and any(
            q.released_at is None and (due := session.due_at(q)) is not None and due <= now
            for q in questions
        ):
            sessions.release_due(session, now)
            questions = list(session.questions.all())  # as released, by us or another process
        self.released = {q.number: q for q in questions if q.released_at is not None}
        self.audience = rules.session_audience(session, senders)

    def answering(self, number: int | None) -> tuple:
        """(the question a message answers, or the ChatRefused that says why not)."""
        if self.state == "upcoming":
            return None, ChatRefused("closed", "The session hasn't started yet.")
        if self.state == "ended":
            return None, ChatRefused("closed", "The session has ended: its archive stays.")
        if number is None:
            return (self.released[max(self.released)] if self.released else None), None
        if number not in self.released:
            return None, ChatRefused("bad_request", f"Q{number} hasn't been released yet.")
        return self.released[number], None


def _session_clock(room: ChatRoom, now, senders=()) -> _SessionClock | None:
    return _SessionClock(room.session, now, senders) if room.space_id is None else None


def send_message(
    *,
    actor: User,
    room: ChatRoom,
    body: str,
    client_id: str = "",
    question: int | None = None,
    reply_to: int | None = None,
) -> tuple:
    """Send a message; returns (message, seq). The same client_id from the same person
    returns the first message and its seq; from someone else it is refused."""
    send = Send(actor, body, client_id, question, reply_to)
    (result,) = send_messages(room=room, sends=[send])
    if isinstance(result, ChatRefused):
        raise result
    return result


def send_messages(*, room: ChatRoom, sends: list[Send]) -> list:
    """Send several messages to one room in one transaction, in order, by the same rules
    as one at a time: for each Send (or (actor, body, client_id)), (message, seq) or the
    ChatRefused that says why not. The live layer batches a busy room's sends this way:
    one transaction, one range of numbers, one publish for the lot.

    One send can't fail the others: if the batch's transaction fails, each send is tried
    again in a transaction of its own, so only the one at fault fails (its exception is
    its result). A client_id that another process stored meanwhile is found on the retry,
    which answers with the stored message."""
    try:
        return _send_messages(room, sends)
    except IntegrityError:
        if len(sends) == 1:  # the same client_id, stored at the same moment elsewhere
            return _send_messages(room, sends)
    except DatabaseError:
        if len(sends) == 1:
            raise
    results = []
    for send in sends:
        try:
            results.append(send_messages(room=room, sends=[send])[0])
        except DatabaseError as failure:
            results.append(failure)
    return results


@transaction.atomic
def _send_messages(room: ChatRoom, sends: list[Send]) -> list:
    now = timezone.now()
    sends = [Send(*send) for send in sends]
    session = _session_clock(room, now, {send.actor for send in sends})
    ids = [send.client_id for send in sends if send.client_id]
    earlier = {m.client_id: m for m in ChatMessage.objects.filter(room=room, client_id__in=ids)}
    recent = _recent(room, now)
    parents = _parents(room, sends)
    results: list = []
    fresh: dict[int, ChatMessage] = {}  # index in sends -> the message it creates
    first_of: dict[str, int] = {}  # client_id -> the index of its first send in this batch
    for index, (actor, body, client_id, number, reply_to) in enumerate(sends):
        repeat = earlier.get(client_id) or fresh.get(first_of.get(client_id, -1))
        if client_id and repeat is not None:
            if repeat.author_id != actor.pk:
                results.append(
                    ChatRefused("bad_request", "That client_id belongs to another message.")
                )
            else:
                results.append(repeat)  # the same message again: its seq, below
            continue
        refusal = _refusal(actor, room, body, recent, now, session and session.audience)
        parent = parents.get(reply_to) if is_whole(reply_to) else None
        if not refusal and reply_to is not None and parent is None:
            refusal = ChatRefused("bad_request", "You can only reply to a message in this room.")
        question = None
        if session and not refusal:
            if number is None and parent is not None and parent.question is not None:
                number = parent.question.number  # a reply answers the same question
            question, refusal = session.answering(number)
        if refusal:
            results.append(refusal)
            continue
        fresh[index] = ChatMessage(
            question=question,
            reply_to=parent,
            room=room,
            author=actor,
            body=body,
            body_html=render_markdown(body, max_length=MESSAGE_MAX_LENGTH).html,
            client_id=client_id,
            created_at=now,
        )
        if client_id:
            first_of[client_id] = index
        recent.append((actor.pk, now))
        results.append(fresh[index])
    seqs = {}
    if fresh:
        ChatMessage.objects.bulk_create(fresh.values())
        items = [_event(m, "message.new", m.client_id) for m in fresh.values()]
        events = streams.append_many(room.stream, items)
        seqs = {m.pk: e.seq for m, e in zip(fresh.values(), events, strict=True)}
    for index, result in enumerate(results):
        if isinstance(result, ChatMessage):
            seq = seqs.get(result.pk) or streams.seq_of(room.stream, result.client_id)
            results[index] = (result, seq)
    return results


def _parents(room: ChatRoom, sends: list[Send]) -> dict[int, ChatMessage]:
    """The messages these sends reply to, by id: in this room and still there (one query,
    with what the "in reply to" line shows)."""
    ids = {send.reply_to for send in sends if is_whole(send.reply_to)}
    if not ids:
        return {}
    found = ChatMessage.objects.filter(room=room, pk__in=ids, deleted_at=None, hidden_at=None)
    return {m.pk: m for m in found.select_related("author__profile", "question")}


@transaction.atomic
def edit_message(*, actor: User, message: ChatMessage, body: str) -> ChatMessage:
    if not rules.can_edit_message(actor, message):
        raise PermissionDenied("You can edit your own messages for five minutes.")
    if not body.strip():
        raise ValidationError("Write something first.")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ValidationError(f"Messages are at most {MESSAGE_MAX_LENGTH:,} characters.")
    if problem := text_problem(body):
        raise ValidationError(problem)
    message.body = body
    message.body_html = render_markdown(body, max_length=MESSAGE_MAX_LENGTH).html
    message.edited_at = timezone.now()
    message.save(update_fields=["body", "body_html", "edited_at"])
    _announce(message, "message.edited")
    refresh_logged([message])  # the log forgets the words before the edit
    return message


@transaction.atomic
def delete_message(*, actor: User, message: ChatMessage) -> ChatMessage:
    if not rules.can_delete_message(actor, message):
        raise PermissionDenied("You can delete only your own messages.")
    # Deleted words stay deleted: the text goes from the table and from the log.
    message.deleted_at = timezone.now()
    message.body = message.body_html = ""
    message.save(update_fields=["deleted_at", "body", "body_html"])
    _announce(message, "message.deleted")
    refresh_logged([message])
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
    refresh_logged([message])  # the text stays in the table, for the moderators' review
    return message


@transaction.atomic
def toggle_pin(*, actor: User, message: ChatMessage) -> ChatMessage:
    """Hosts and moderators highlight a message (a strong answer), or stop highlighting
    it; highlights lead their question in a session's archive."""
    if message.is_gone or not rules.can_moderate_room(actor, message.room):
        raise PermissionDenied("Only this room's hosts and moderators highlight messages.")
    message.pinned_at = None if message.pinned_at else timezone.now()
    message.save(update_fields=["pinned_at"])
    _announce(message, "message.pinned" if message.pinned_at else "message.unpinned")
    return message


@transaction.atomic
def set_slow_mode(*, actor: User, room: ChatRoom, seconds: int) -> ChatRoom:
    """Moderators slow a busy room down (0 switches slow mode off)."""
    if not rules.can_moderate_room(actor, room):
        raise PermissionDenied("Only this space's moderators set slow mode.")
    if seconds not in SLOW_MODE_CHOICES:
        raise ValidationError("Choose one of the offered intervals.")
    room.slow_mode_seconds = seconds
    room.save(update_fields=["slow_mode_seconds"])
    _announce_state(room, "room.slow_mode")
    return room


@transaction.atomic
def set_closed(*, actor: User, room: ChatRoom, closed: bool, reason: str = "") -> ChatRoom:
    """Moderators close a room (members read but may not send; moderators still may)
    and reopen it. Logged; open pages hear of it at once."""
    if not rules.can_moderate_room(actor, room):
        raise PermissionDenied("Only this space's moderators close and reopen its room.")
    if bool(room.closed_at) == closed:
        return room
    room.closed_at = timezone.now() if closed else None
    room.save(update_fields=["closed_at"])
    log_action(
        actor=actor,
        action="close_room" if closed else "reopen_room",
        space=room.space,
        reason=reason,
    )
    _announce_state(room, "room.closed" if closed else "room.reopened")
    return room


def _announce_state(room: ChatRoom, kind: str) -> None:
    data = {
        "seconds": room.slow_mode_seconds,
        "closed": bool(room.closed_at),
        "notice": room.notice,
    }
    streams.append(stream=room.stream, kind=kind, data=data)


# --- Reactions ---------------------------------------------------------------------------


@transaction.atomic
def react_to_message(*, actor: User, message: ChatMessage, kind: str) -> ChatReaction:
    """One reaction of each kind per person per message, never to your own; the room
    sees the message again with its counts (`message.reacted`)."""
    if kind not in Reaction.Kind.values:
        raise ValidationError("Unknown reaction.")
    if not rules.can_react_to_message(actor, message):
        raise PermissionDenied("You can react to other people's messages while the room is open.")
    try:
        with transaction.atomic():
            reaction = ChatReaction.objects.create(message=message, user=actor, kind=kind)
    except IntegrityError:
        raise ValidationError("You have already reacted to this message that way.") from None
    _announce(message, "message.reacted")
    return reaction


@transaction.atomic
def unreact_to_message(*, actor: User, message: ChatMessage, kind: str) -> bool:
    """Take your reaction back (False if there was none)."""
    removed, _ = ChatReaction.objects.filter(message=message, user=actor, kind=kind).delete()
    if removed:
        _announce(message, "message.reacted")
    return bool(removed)
