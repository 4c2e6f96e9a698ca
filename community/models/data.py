"""A teacher's data export: asked for, built in the background, downloaded for a week."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

EXPORT_KEEP_DAYS = 7  # a ready export can be downloaded this long, then its file is deleted
# A worker that died mid-build leaves no failure behind: an export unfinished this long
# after it was asked for counts as failed, and the teacher may ask again.
EXPORT_STUCK_AFTER = timedelta(hours=6)


class DataExportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Whoever asked for it: the teacher for their own, or network staff for a teacher
        who asked outside Staffroom (while they are staff). Nobody else, staff included."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        mine = self.filter(requested_by=user)
        return mine if user.is_staff else mine.filter(user=user)


class DataExport(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # What the builder is doing, in words, and how far it has got (for the page).
    step = models.CharField(max_length=120, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    # Under MEDIA_ROOT with a random name; served only by the download view.
    file = models.FileField(upload_to="exports/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = DataExportQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "user", "-requested_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__lte=100), name="data_export_percent_in_range"
            )
        ]

    def __str__(self):
        return f"Data export of {self.user} ({self.requested_at:%Y-%m-%d})"

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.failed_at:
            return self.State.FAILED
        if self.finished_at:
            return self.State.EXPIRED if self.expires_at <= now else self.State.READY
        if self.requested_at + EXPORT_STUCK_AFTER <= now:
            return self.State.FAILED
        return self.State.BUILDING if self.started_at else self.State.QUEUED

    @property
    def in_progress(self) -> bool:
        return self.state() in (self.State.QUEUED, self.State.BUILDING)
