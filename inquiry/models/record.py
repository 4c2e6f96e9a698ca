"""The CPD record: a teacher's own log of professional learning (docs/sessions.md).

Entries are written by the system when something happens (a live session attended; later
modules completed, inquiry-cycle stages, reflections shared, feedback given, cohort
sessions) and by the teacher (a course elsewhere, reading). The record hangs on the
person, not their school: it goes with them when they move, and only they read it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

MAX_MINUTES = 1440  # a day
TITLE_MAX_LENGTH = 200
NOTES_MAX_LENGTH = 5000


class RecordEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The owner only: not colleagues, school leaders or staff."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(user=user)


class RecordEntry(models.Model):
    class Kind(models.TextChoices):
        # Each written by its own service, with a `source` naming what it came from.
        MODULE = "module", "Module completed"
        STAGE = "stage", "Inquiry cycle stage"
        REFLECTION = "reflection", "Reflection shared"
        FEEDBACK = "feedback", "Feedback given"
        SESSION = "session", "Live session"
        COHORT = "cohort", "Cohort session"
        UNIT = "unit", "Course unit completed"
        CREDENTIAL = "credential", "Credential earned"
        MANUAL = "manual", "Added by me"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="record_entries"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    occurred_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=0)
    # The evidence, a path on this site (a session's archive) or empty.
    url = models.CharField(max_length=500, blank=True)
    details = models.CharField(max_length=200, blank=True)  # system-written: "6 answers"
    notes = models.TextField(blank=True)  # the teacher's own, Markdown
    notes_html = models.TextField(blank=True, editable=False)
    # What wrote it ("session:12"): one entry per source per person, so writing the
    # entries for something twice, or from two processes at once, makes no second entry.
    source = models.CharField(max_length=64, blank=True)
    tags = models.ManyToManyField("inquiry.RecordTag", blank=True, related_name="entries")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = RecordEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name_plural = "record entries"
        indexes = [models.Index(fields=["user", "-occurred_at"], name="record_entry_user_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "source"], condition=~Q(source=""), name="record_entry_source"
            ),
            models.CheckConstraint(
                condition=Q(minutes__lte=MAX_MINUTES), name="record_entry_minutes_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.title}"

    def get_absolute_url(self):
        return reverse("inquiry:entry-edit", kwargs={"pk": self.pk})


class RecordTag(models.Model):
    """A teacher's own label for entries (a standard, a focus such as oracy): the record
    totals by them. Each teacher has their own tags."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="record_tags"
    )
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="record_tag_unique")]

    def __str__(self):
        return self.name
