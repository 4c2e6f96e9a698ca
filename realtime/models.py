"""The durable stream log: the database is the truth, the channel layer a fast path."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class StreamHead(models.Model):
    """The last sequence number handed out in a stream. Incrementing it takes the row's
    lock until the writer commits, so sequence numbers are gapless and committed in order."""

    key = models.CharField(max_length=64, primary_key=True)
    head = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.key} at {self.head}"


class StreamEvent(models.Model):
    stream = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=40)  # noun.verb: "post.new", "message.new"
    data = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The sender's id for what it sent: the same client_id never makes a second event.
    client_id = models.CharField(max_length=64, blank=True)
    # What the event shows ("message:12"): what the log keeps of it is rewritten when it
    # is edited, hidden, deleted or its author erased (streams.rewrite).
    ref = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["stream", "seq"]
        indexes = [models.Index(fields=["ref"], condition=~Q(ref=""), name="stream_event_ref")]
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="stream_event_seq_unique"),
            models.UniqueConstraint(
                fields=["stream", "client_id"],
                condition=~Q(client_id=""),
                name="stream_event_client_id_unique",
            ),
        ]

    def __str__(self):
        return f"{self.stream}#{self.seq} {self.kind}"

    def as_frame(self) -> dict:
        """The event as clients receive it (docs/realtime.md)."""
        return {"seq": self.seq, "kind": self.kind, "at": self.created_at.isoformat(), **self.data}


class Presence(models.Model):
    """Who is in a room now: a row per person per server process with open connections
    to it. Each process keeps its rows fresh (seen_at), so a dead process's fade out."""

    stream = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The server process whose connections these are (realtime.presence.PROCESS).
    process = models.CharField(max_length=32, blank=True)
    connections = models.PositiveIntegerField(default=0)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stream", "user", "process"], name="presence_unique_per_process"
            ),
        ]
        indexes = [models.Index(fields=["process"]), models.Index(fields=["seen_at"])]

    def __str__(self):
        return f"{self.user} in {self.stream}"
