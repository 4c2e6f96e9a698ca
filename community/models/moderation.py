"""Reports from members and the append-only log of what moderators did."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class Report(models.Model):
    class Reason(models.TextChoices):
        OFF_TOPIC = "off_topic", "Off-topic"
        UNKIND = "unkind", "Unkind or disrespectful"
        SAFEGUARDING = "safeguarding", "Safeguarding concern"
        SPAM = "spam", "Spam"
        OTHER = "other", "Something else"

    class Resolution(models.TextChoices):
        HIDDEN = "hidden", "Post hidden"
        DISMISSED = "dismissed", "No action needed"

    post = models.ForeignKey("community.Post", on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    reason = models.CharField(max_length=14, choices=Reason.choices)
    note = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "reporter"], name="report_once_per_post"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} report on {self.post}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class ModerationAction(models.Model):
    """The audit log. Rows are only ever added: save() refuses an update, delete() refuses.
    Only retention removes them, in bulk, once past their keeping period
    (community/services/retention.py, STAFFROOM_RETAIN_MODERATION_LOG_DAYS)."""

    class Action(models.TextChoices):
        HIDE_POST = "hide_post", "Hid a post"
        RESTORE_POST = "restore_post", "Restored a post"
        AUTO_HIDE_POST = "auto_hide_post", "Hid a post pending review (3 reports)"
        DISMISS_REPORTS = "dismiss_reports", "Dismissed reports"
        EDIT_POST = "edit_post", "Edited someone's post"
        DELETE_POST = "delete_post", "Deleted someone's post"
        HIDE_MESSAGE = "hide_message", "Hid a chat message"
        CLOSE_ROOM = "close_room", "Closed a chat room"
        REOPEN_ROOM = "reopen_room", "Reopened a chat room"
        LOCK_THREAD = "lock_thread", "Locked a thread"
        UNLOCK_THREAD = "unlock_thread", "Unlocked a thread"
        PIN_THREAD = "pin_thread", "Pinned a thread"
        UNPIN_THREAD = "unpin_thread", "Unpinned a thread"
        MOVE_THREAD = "move_thread", "Moved a thread"
        MUTE_MEMBER = "mute_member", "Muted a member"
        MUTE_IN_SESSION = "mute_in_session", "Muted someone for a session"
        UNMUTE_IN_SESSION = "unmute_in_session", "Unmuted someone for a session"
        REMOVE_MEMBER = "remove_member", "Removed a member"
        SUSPEND_ACCOUNT = "suspend_account", "Suspended an account"
        UNSUSPEND_ACCOUNT = "unsuspend_account", "Lifted a suspension"
        EXPORT_ACCOUNT = "export_account", "Exported an account's data"
        ERASE_ACCOUNT = "erase_account", "Erased an account"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # null: the system (e.g. the three-reports rule)
    action = models.CharField(max_length=20, choices=Action.choices)
    space = models.ForeignKey(
        "community.Space", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    thread = models.ForeignKey(
        "community.Thread", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    post = models.ForeignKey(
        "community.Post", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.actor or 'Staffroom'}: {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("The moderation log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The moderation log is append-only.")
