"""Live chat rooms: every space has one; messages are short and stay in the log."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from community.models.forum import Reaction, Space
from community.models.sessions import ChatSession

EDIT_WINDOW_SECONDS = 5 * 60
MESSAGE_MAX_LENGTH = 1000


class ChatRoomQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A space's room: whoever sees the space. A session's room: whoever sees the
        session."""
        return self.filter(
            Q(space__in=Space.objects.visible_to(user))
            | Q(session__in=ChatSession.objects.visible_to(user))
        )


class ChatRoom(models.Model):
    # A space's room, or (no space) a timed session's room (community.models.sessions).
    space = models.OneToOneField(
        "community.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="chat_room"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set by moderators: members may send one message every this many seconds (0: off).
    slow_mode_seconds = models.PositiveSmallIntegerField(default=0)
    # Set by moderators: members read the room but may not send (moderators still may).
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ChatRoomQuerySet.as_manager()

    def __str__(self):
        return f"Chat in {self.space}"

    def get_absolute_url(self):
        if self.space_id is None:
            return self.session.get_absolute_url()
        return reverse("community:chat", kwargs={"slug": self.space.slug})

    @property
    def stream(self) -> str:
        return f"room:{self.pk}"

    @property
    def notice(self) -> str:
        """What a reader is told about the room's state ("" when there is nothing to say)."""
        parts = []
        if self.closed_at:
            parts.append("Moderators have closed this room for now: you can read, not send.")
        if self.slow_mode_seconds:
            parts.append(f"Slow mode is on: one message every {self.slow_mode_seconds} seconds.")
        return " ".join(parts)


class ChatMessage(models.Model):
    room = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chat_messages"
    )
    body = models.TextField()
    body_html = models.TextField(editable=False)
    # The sender's id for this message: sending it again never makes a second message.
    client_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    # In a timed session: the question this answers (A1 answers Q1), the message it
    # replies to, and when a host highlighted it.
    question = models.ForeignKey(
        "community.SessionQuestion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
    )
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    pinned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        # (room, created_at): the pace and cap checks read a room's last few seconds.
        indexes = [
            models.Index(fields=["room", "-id"]),
            models.Index(fields=["room", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "client_id"],
                condition=~Q(client_id=""),
                name="chat_message_client_id_unique",
            )
        ]

    def __str__(self):
        return f"{self.author}: {self.body[:40]}"

    @property
    def is_gone(self) -> bool:
        return self.deleted_at is not None or self.hidden_at is not None

    def editable_until(self):
        return self.created_at + timedelta(seconds=EDIT_WINDOW_SECONDS)

    @property
    def is_editable_now(self) -> bool:
        return timezone.now() <= self.editable_until()


class ChatReaction(models.Model):
    """A participant's reaction to someone else's message: the forum's kinds, one of each
    per person per message."""

    message = models.ForeignKey(ChatMessage, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Reaction.Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "user", "kind"], name="chat_reaction_unique")
        ]

    def __str__(self):
        return f"{self.user} → {self.message_id}: {self.kind}"
