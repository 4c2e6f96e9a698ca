"""Blended courses and their cohorts. A course is units in order; a unit has pre-learning
(library modules), a session (in person, in the cohort's live room, or at a link), a
classroom task that starts an inquiry cycle, and a reflection prompt. A cohort is one run
of a course: its facilitators, its members, its own private space and chat room, and
the dates of its units. Roles are scoped: a course's authors, a cohort's facilitators.

Progress is derived from facts, never stored: a unit's pre-learning is done when its
modules are completed (ModuleCompletion), its session attended when the register says
present (Attendance), its task done when the member's cycle for it has been tried, and
its reflection shared when that cycle is shared."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class CourseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Published courses for every signed-in teacher; drafts for their authors and
        staff; and the course of any cohort the viewer is in or facilitates."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(
            Q(published_at__isnull=False)
            | Q(authors=user)
            | Q(cohorts__members__user=user)
            | Q(cohorts__facilitators=user)
        ).distinct()


class Course(models.Model):
    class Unlock(models.TextChoices):
        BY_DATE = "by_date", "Each unit opens on its date"
        AFTER_PREVIOUS = "after_previous", "Each unit opens when the previous one is done"

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    summary = models.CharField(max_length=300)
    outcomes = models.TextField(help_text="What a teacher will be able to do (Markdown).")
    outcomes_html = models.TextField(editable=False)
    unlock = models.CharField(max_length=16, choices=Unlock.choices, default=Unlock.BY_DATE)
    # Who writes and runs it: staff add authors; authors edit it and start its cohorts.
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="authored_courses")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)  # in the course list
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("inquiry:course", kwargs={"slug": self.slug})


class Unit(models.Model):
    class SessionKind(models.TextChoices):
        NONE = "none", "No session"
        IN_PERSON = "in_person", "In person"
        LIVE_ROOM = "live_room", "Live, in the cohort's chat room"
        LINK = "link", "Live, at a link (a video call)"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="units")
    number = models.PositiveSmallIntegerField()  # Unit 1, 2, ...
    title = models.CharField(max_length=120)
    intro = models.TextField(blank=True)
    intro_html = models.TextField(blank=True, editable=False)
    modules = models.ManyToManyField(
        "inquiry.Module", through="UnitModule", blank=True, related_name="units"
    )
    session_kind = models.CharField(
        max_length=10, choices=SessionKind.choices, default=SessionKind.NONE
    )
    session_place = models.CharField(max_length=200, blank=True)  # in person: where
    session_link = models.URLField(blank=True)  # at a link: the call's address
    session_minutes = models.PositiveSmallIntegerField(default=60)
    task = models.TextField("Classroom task", blank=True)  # starts an inquiry cycle
    task_html = models.TextField(blank=True, editable=False)
    reflection_prompt = models.TextField(blank=True)
    reflection_prompt_html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["course", "number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="unit_number_unique")
        ]

    def __str__(self):
        return f"Unit {self.number}: {self.title}"

    @property
    def has_session(self) -> bool:
        return self.session_kind != self.SessionKind.NONE


class UnitModule(models.Model):
    """A unit's pre-learning, in order."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="unit_modules")
    module = models.ForeignKey("inquiry.Module", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["unit", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "module"], name="unit_module_unique")
        ]

    def __str__(self):
        return f"{self.unit}: {self.module}"


class CohortQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A cohort exists for its members, its facilitators, its course's authors and
        staff; for anyone else it does not (joining goes by invite code)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(
            Q(members__user=user, members__removed_at__isnull=True)
            | Q(facilitators=user)
            | Q(course__authors=user)
        ).distinct()


class Cohort(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=120)  # "Spring 2027, Leeds"
    slug = models.SlugField(max_length=140, unique=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_cohorts"
    )
    # Its own private space (members and facilitators), whose chat room is the cohort's.
    space = models.OneToOneField("community.Space", on_delete=models.PROTECT, related_name="cohort")
    capacity = models.PositiveSmallIntegerField(default=30)
    invite_code = models.CharField(max_length=16, unique=True)
    invite_expires_at = models.DateTimeField(null=True, blank=True)  # null: until full
    timezone_name = models.CharField(max_length=64)  # the facilitator's zone for its dates
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]

    def __str__(self):
        return f"{self.course} · {self.name}"

    def get_absolute_url(self):
        return reverse("inquiry:cohort", kwargs={"slug": self.slug})


class CohortUnit(models.Model):
    """A unit's dates in one cohort: when it opens (for by-date courses) and when its
    session is."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="cohort_units")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    opens_at = models.DateTimeField()
    session_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cohort", "unit__number"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "unit"], name="cohort_unit_unique")
        ]

    def __str__(self):
        return f"{self.cohort} · {self.unit}"


class CohortMember(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(  # a facilitator, or null: joined with the code
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    nudged_at = models.DateTimeField(null=True, blank=True)  # the last nudge from a facilitator

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="cohort_member_unique")
        ]

    def __str__(self):
        return f"{self.user} in {self.cohort}"


class Attendance(models.Model):
    """The register of one unit's session, per member, kept by a facilitator."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"
        APOLOGIES = "apologies", "Apologies"
        # Missed it, then did the catch-up (the room's history, the notes, the task): the
        # session counts as done for the unit, but no time goes to the record for it.
        CAUGHT_UP = "caught_up", "Caught up"

    cohort_unit = models.ForeignKey(CohortUnit, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cohort_unit", "user"], name="attendance_unique")
        ]

    def __str__(self):
        return f"{self.user}: {self.status} at {self.cohort_unit}"
