"""Timed chat sessions: a run-sheet (topic, questions released on a clock), a room of
their own, RSVPs, attendance, and an archive that never expires (docs/sessions.md).

The clock is derived, never ticked: a session's elapsed time comes from its start, the
time spent paused and now; a question is due when the elapsed time passes its offset (or
a host releases it early). Releasing stamps `released_at` once, whichever process gets
there first."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from community.models.forum import Space

MAX_QUESTIONS = 12
DURATIONS = range(15, 241)  # minutes


class SessionSeries(models.Model):
    """Sessions that recur weekly (a calendar feed lists them)."""

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    timezone_name = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.title


class ChatSessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A space's sessions: whoever sees the space. Network-wide ones: every signed-in
        teacher."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(Q(space__isnull=True) | Q(space__in=Space.objects.visible_to(user)))


class ChatSession(models.Model):
    class State(models.TextChoices):
        UPCOMING = "upcoming", "Upcoming"
        LIVE = "live", "Live"
        PAUSED = "paused", "Paused"
        ENDED = "ended", "Ended"

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    intro = models.TextField(blank=True)
    intro_html = models.TextField(blank=True, editable=False)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hosted_sessions"
    )
    cohosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="cohosted_sessions"
    )
    # The audience: a space's people, or (null) the whole network.
    space = models.ForeignKey(
        "community.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="sessions"
    )
    series = models.ForeignKey(
        SessionSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    room = models.OneToOneField(
        "community.ChatRoom", on_delete=models.PROTECT, related_name="session"
    )
    starts_at = models.DateTimeField()  # UTC, entered in the host's zone
    duration_minutes = models.PositiveSmallIntegerField()
    timezone_name = models.CharField(max_length=64)  # the host's zone, for the calendar
    answer_first = models.BooleanField(default=False)
    # The hosts' overrides of the clock.
    started_at = models.DateTimeField(null=True, blank=True)  # set when started early
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    extended_minutes = models.PositiveSmallIntegerField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)
    # When the participants' CPD record entries were written (once, after the end).
    recorded_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every run-sheet edit: an edit made from a stale copy is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ChatSessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=DURATIONS.start)
                & Q(duration_minutes__lt=DURATIONS.stop),
                name="session_duration_in_range",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("community:session", kwargs={"slug": self.slug})

    @property
    def began_at(self) -> datetime:
        return min(self.started_at or self.starts_at, self.starts_at)

    @property
    def ends_at(self) -> datetime:
        """When the session ends if nobody ends it first (pauses push it back)."""
        if self.ended_at:
            return self.ended_at
        length = timedelta(minutes=self.duration_minutes + self.extended_minutes)
        return self.began_at + length + timedelta(seconds=self.paused_seconds)

    def state(self, now: datetime | None = None) -> str:
        now = now or timezone.now()
        if self.ended_at or now >= self.ends_at and not self.paused_at:
            return self.State.ENDED
        if now < self.began_at:
            return self.State.UPCOMING
        return self.State.PAUSED if self.paused_at else self.State.LIVE

    def elapsed(self, now: datetime | None = None) -> timedelta:
        """Session time: since it began, not counting pauses (frozen while paused)."""
        now = now or timezone.now()
        if frozen := self.paused_at or self.ended_at:
            now = min(now, frozen)
        return max(timedelta(0), now - self.began_at - timedelta(seconds=self.paused_seconds))

    def due_at(self, question: "SessionQuestion") -> datetime | None:
        """When a question falls due by the clock (None while paused: it is not moving)."""
        if self.paused_at:
            return None
        offset = timedelta(minutes=question.offset_minutes)
        return self.began_at + timedelta(seconds=self.paused_seconds) + offset

    def is_host(self, user) -> bool:
        return user.is_authenticated and (
            user.pk == self.host_id or self.cohosts.filter(pk=user.pk).exists()
        )


class SessionQuestion(models.Model):
    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField()  # Q1, Q2, ...
    body = models.TextField()
    body_html = models.TextField(editable=False)
    offset_minutes = models.PositiveSmallIntegerField()  # after the start
    released_at = models.DateTimeField(null=True, blank=True)
    # "Continue the conversation": the community thread this question's answers became.
    thread = models.ForeignKey(
        "community.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="session_question_number")
        ]

    def __str__(self):
        return f"Q{self.number}"

    @property
    def label(self) -> str:
        return f"Q{self.number}"


class SessionRSVP(models.Model):
    """An "I'll be there": reminders go to these people."""

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="session_rsvp_unique")
        ]

    def __str__(self):
        return f"{self.user} will be at {self.session}"


class SessionAttendance(models.Model):
    """Minutes present, from joins and leaves of the session's room (for the CPD record)."""

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_joined_at = models.DateTimeField(default=timezone.now)
    present_since = models.DateTimeField(null=True, blank=True)  # null: not in the room now
    seconds = models.PositiveIntegerField(default=0)  # closed intervals so far

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="session_attendance_unique")
        ]

    def __str__(self):
        return f"{self.user} at {self.session}"


class SessionMute(models.Model):
    """A participant a host has muted for this session only."""

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="mutes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="session_mute_unique")
        ]

    def __str__(self):
        return f"{self.user} muted in {self.session}"
