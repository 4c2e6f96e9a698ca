"""A space's chat room: the last 100 messages, earlier ones on request, and a composer
that posts normally without JavaScript (static/js/chat.js sends over the socket)."""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.text import Truncator
from django.views.decorators.http import require_http_methods, require_POST

from community import queries, rules
from community.models import ChatMessage, ChatRoom, Reaction
from community.models.chat import MESSAGE_MAX_LENGTH
from community.services import chat
from community.views.common import visible_space
from realtime import presence, streams
from realtime.validation import MAX_ID, parse_id

PAGE = 100


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message",
        max_length=MESSAGE_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    client_id = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    # "Reply" on a message: ?reply=<id> fills this in (chat.js does it without a reload).
    reply_to = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_ID
    )
    # In a session's room only: the question this answers (left empty: the latest one).
    question = forms.TypedChoiceField(
        label="Answering", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, room: ChatRoom | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if room is None or room.space_id is not None:  # editing, or a space's room
            del self.fields["question"]
            return
        released = room.session.questions.exclude(released_at=None).order_by("number")
        self.fields["question"].choices = [("", "The latest question")] + [
            (q.number, f"{q.label}: {Truncator(q.body).chars(60)}") for q in released
        ]


def _message(request, pk) -> ChatMessage:
    return get_object_or_404(
        ChatMessage.objects.filter(
            room__in=ChatRoom.objects.visible_to(request.user)
        ).select_related("room__space", "author__profile"),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def room(request, slug):
    space = visible_space(request, slug)
    room = chat.room_for(space)
    sent, context = room_page(request, room)
    if sent:
        return redirect(room)
    context.update(space=space, slow_mode_choices=chat.SLOW_MODE_CHOICES)
    return render(request, "community/chat/room.html", context)


def room_page(request, room: ChatRoom) -> tuple[bool, dict]:
    """A room's page, for a space's room and a session's alike: (whether a message was
    just sent by the form, the context for community/chat/_room.html)."""
    replying_to = _reply_target(request, room)
    initial = {"client_id": uuid.uuid4().hex, "reply_to": replying_to and replying_to.pk}
    form = MessageForm(request.POST or None, initial=initial, room=room)
    if request.method == "POST":
        if not rules.can_chat(request.user, room):
            raise PermissionDenied("You can read this room but not send to it.")
        if form.is_valid():
            try:
                chat.send_message(
                    actor=request.user,
                    room=room,
                    body=form.cleaned_data["body"],
                    client_id=form.cleaned_data["client_id"],
                    reply_to=form.cleaned_data["reply_to"],
                    question=form.cleaned_data.get("question"),
                )
            except chat.ChatRefused as refusal:
                form.add_error("body", refusal.detail)
            else:
                return True, {}
    history = room.messages.select_related(
        "author__profile", "question", "reply_to__author__profile"
    ).order_by("-pk")
    before = parse_id(request.GET.get("before", ""))
    if before:
        history = history.filter(pk__lt=before)
    page = list(history[: PAGE + 1])
    shown = list(reversed(page[:PAGE]))
    is_member = rules.can_chat(request.user, room)
    can_react = rules.can_react_in_room(request.user, room, may_chat=is_member)
    queries.with_chat_reactions(shown, request.user, in_room=can_react)
    return False, {
        "room": room,
        "chat_messages": shown,
        "replying_to": replying_to,
        "earlier": page[PAGE - 1].pk if len(page) > PAGE else None,
        "is_latest": not before,
        "stream_head": streams.head(room.stream),
        "presence": _with_viewer(presence.snapshot(room.stream), request),
        "is_member": is_member,
        "can_moderate": rules.can_moderate_room(request.user, room),
        "can_react": can_react,
        "reaction_kinds": Reaction.Kind.choices,
        "form": form,
    }


def _reply_target(request, room: ChatRoom) -> ChatMessage | None:
    """The message the composer replies to (?reply=<id>, or the form's field after a
    refused send): one in this room that is still there."""
    wanted = parse_id(request.POST.get("reply_to") or request.GET.get("reply", ""))
    if wanted is None:
        return None
    found = room.messages.filter(pk=wanted, deleted_at=None, hidden_at=None)
    return found.select_related("author__profile").first()


def _with_viewer(snapshot: dict, request) -> dict:
    """The page is drawn before the viewer's socket joins the room: count them in."""
    name = request.profile.display_name if request.profile else request.user.username
    if name in snapshot["names"]:
        return snapshot
    return {"count": snapshot["count"] + 1, "names": sorted([*snapshot["names"], name])}


@login_required
@require_http_methods(["GET", "POST"])
def message_edit(request, pk):
    message = _message(request, pk)
    if not rules.can_edit_message(request.user, message):
        raise PermissionDenied("You can edit your own messages for five minutes.")
    form = MessageForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            chat.edit_message(actor=request.user, message=message, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error("body", error)
        else:
            return redirect(message.room)
    return render(request, "community/chat/edit.html", {"form": form, "message": message})


@login_required
@require_POST
def message_delete(request, pk):
    message = _message(request, pk)
    chat.delete_message(actor=request.user, message=message)
    messages.success(request, "Your message is deleted.")
    return redirect(message.room)


@login_required
@require_POST
def message_hide(request, pk):
    message = _message(request, pk)
    chat.hide_message(actor=request.user, message=message, reason=request.POST.get("reason", ""))
    messages.success(request, "The message is hidden.")
    return redirect(message.room)


@login_required
@require_POST
def message_pin(request, pk):
    message = _message(request, pk)
    chat.toggle_pin(actor=request.user, message=message)
    return redirect(message.room)


@login_required
@require_POST
def message_react(request, pk):
    """React to a message (or, with action=remove, take it back); chat.js posts the same
    form without reloading and the room sees the counts live."""
    message = _message(request, pk)
    kind = request.POST.get("kind", "")
    if request.POST.get("action") == "remove":
        chat.unreact_to_message(actor=request.user, message=message, kind=kind)
    else:
        try:
            chat.react_to_message(actor=request.user, message=message, kind=kind)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect(f"{message.room.get_absolute_url()}#message-{message.pk}")


@login_required
@require_POST
def slow_mode(request, slug):
    space = visible_space(request, slug)
    room = chat.room_for(space)
    seconds = request.POST.get("seconds", "")
    try:
        chat.set_slow_mode(actor=request.user, room=room, seconds=parse_id(seconds, minimum=0) or 0)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Slow mode: one message every {room.slow_mode_seconds} seconds."
            if room.slow_mode_seconds
            else "Slow mode is off.",
        )
    return redirect(room)


@login_required
@require_POST
def close(request, slug):
    space = visible_space(request, slug)
    room = chat.room_for(space)
    closing = request.POST.get("closed") == "1"
    chat.set_closed(actor=request.user, room=room, closed=closing)
    messages.success(request, "The room is closed." if closing else "The room is open again.")
    return redirect(room)


urlpatterns = [
    path("s/<slug:slug>/chat/", room, name="chat"),
    path("s/<slug:slug>/chat/slow/", slow_mode, name="chat-slow-mode"),
    path("s/<slug:slug>/chat/close/", close, name="chat-close"),
    path("chat/<int:pk>/edit/", message_edit, name="chat-edit"),
    path("chat/<int:pk>/delete/", message_delete, name="chat-delete"),
    path("chat/<int:pk>/hide/", message_hide, name="chat-hide"),
    path("chat/<int:pk>/pin/", message_pin, name="chat-pin"),
    path("chat/<int:pk>/react/", message_react, name="chat-react"),
]
