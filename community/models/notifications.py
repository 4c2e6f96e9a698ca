"""What the network tells a teacher, and how they want to be told."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", "Mentions of me"
        REPLY = "reply", "Replies in threads I follow"
        REACTION = "reaction", "Reactions to my posts"
        MODERATION = "moderation", "Moderator actions on my content"
        INVITE = "invite", "Invitations to spaces"
        SESSION = "session", "Reminders of live sessions I'm going to"
        INQUIRY = "inquiry", "Nudges about my inquiry cycles"
        ACCOUNT = "account", "About my account and data"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    space = models.ForeignKey(
        "community.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    thread = models.ForeignKey(
        "community.Thread", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey(
        "community.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    session = models.ForeignKey(
        "community.ChatSession", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Where it leads when it is about none of the above (a path on this site, e.g. an
    # inquiry cycle in the inquiry app, which community does not depend on).
    link = models.CharField(max_length=300, blank=True)
    # Written by the system, plain text (never user Markdown): "Amira mentioned you in …".
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self):
        return self.text


class NotificationSettings(models.Model):
    class Digest(models.TextChoices):
        OFF = "off", "Off"
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    # In-app notifications, per kind (moderator actions on your content always arrive).
    mentions = models.BooleanField(default=True)
    replies = models.BooleanField(default=True)
    reactions = models.BooleanField(default=True)
    invites = models.BooleanField(default=True)
    sessions = models.BooleanField(default=True)  # reminders 15 minutes before
    inquiry = models.BooleanField(default=True)  # a cycle stalled for 14 days
    # Email is opt-in: immediate mail for mentions, and a digest that is off by default.
    email_mentions = models.BooleanField(default=False)
    email_sessions = models.BooleanField(default=False)
    email_inquiry = models.BooleanField(default=False)
    digest = models.CharField(max_length=6, choices=Digest.choices, default=Digest.OFF)
    digest_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Notification settings of {self.user}"

    def wants(self, kind: str) -> bool:
        field = {
            Notification.Kind.MENTION: "mentions",
            Notification.Kind.REPLY: "replies",
            Notification.Kind.REACTION: "reactions",
            Notification.Kind.INVITE: "invites",
            Notification.Kind.SESSION: "sessions",
            Notification.Kind.INQUIRY: "inquiry",
        }.get(kind)
        return True if field is None else getattr(self, field)
