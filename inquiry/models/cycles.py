"""Inquiry cycles: a teacher's own short cycle of professional learning. They learn
something small, plan a trial in their classroom, try it, reflect on four prompts, share
the reflection for peer feedback, and start the next cycle. Developmental, never
evaluative: a cycle is private until its owner shares it, and only as far as they say."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from community.models import Membership

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

# The structured reflection (Gibbs/Rolfe-style prompts, in the teacher's own words).
REFLECTION_PROMPTS = {
    "reflect_did": "What did I do?",
    "reflect_means": "What does it mean?",
    "reflect_came_to": "How did I come to do it this way?",
    "reflect_differently": "How might I do it differently?",
}


class InquiryCycleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The owner; beyond them, only as far as the owner shared it: their school, the
        members of one space (a cohort's, a group's), or the whole network. Not staff,
        not school leaders: private means private."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        V = InquiryCycle.Visibility
        seen = Q(owner=user) | Q(visibility=V.NETWORK)
        school_id = getattr(getattr(user, "profile", None), "school_id", None)
        if school_id:
            seen |= Q(visibility=V.SCHOOL, school_id=school_id)
        spaces = Membership.objects.active().filter(user=user).values("space_id")
        seen |= Q(visibility=V.SPACE, space__in=spaces)
        return self.filter(seen)


class InquiryCycle(models.Model):
    class Stage(models.TextChoices):
        LEARN = "learn", "Learn"
        PLAN = "plan", "Plan"
        TRY = "try", "Try"
        REFLECT = "reflect", "Reflect"
        SHARE = "share", "Share"
        DONE = "done", "Done"

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Only me"
        SCHOOL = "school", "My school"
        SPACE = "space", "A group or cohort I'm in"
        NETWORK = "network", "The whole network"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inquiry_cycles"
    )
    focus_question = models.CharField(max_length=300)
    module = models.ForeignKey(
        "inquiry.Module", null=True, blank=True, on_delete=models.SET_NULL, related_name="cycles"
    )
    # The cycle this one follows on from ("how might I do it differently?").
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_cycles"
    )
    priority = models.ForeignKey(
        "inquiry.SchoolPriority",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cycles",
    )
    # A course unit's classroom task, when the cycle was started from one.
    cohort_unit = models.ForeignKey(
        "inquiry.CohortUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cycles",
    )
    stage = models.CharField(max_length=8, choices=Stage.choices, default=Stage.LEARN)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    # Who "my school" and "a group" mean, fixed when the owner chose them (a teacher who
    # moves school does not take their old school's view with them, nor give it a new one).
    school = models.ForeignKey(
        "community.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    space = models.ForeignKey(
        "community.Space", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The trial plan.
    trial_class = models.CharField("Class or year group", max_length=80, blank=True)
    trial_date = models.DateField(null=True, blank=True)
    trial_what = models.TextField("What I will try", blank=True)
    trial_what_html = models.TextField(blank=True, editable=False)
    trial_look_for = models.TextField("What I will look for", blank=True)
    trial_look_for_html = models.TextField(blank=True, editable=False)
    # The reflection, on the four prompts of REFLECTION_PROMPTS.
    reflect_did = models.TextField(blank=True)
    reflect_did_html = models.TextField(blank=True, editable=False)
    reflect_means = models.TextField(blank=True)
    reflect_means_html = models.TextField(blank=True, editable=False)
    reflect_came_to = models.TextField(blank=True)
    reflect_came_to_html = models.TextField(blank=True, editable=False)
    reflect_differently = models.TextField(blank=True)
    reflect_differently_html = models.TextField(blank=True, editable=False)
    # Sharing: the community thread where peers give feedback (linked both ways).
    thread = models.ForeignKey(
        "community.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(null=True, blank=True)
    nudged_at = models.DateTimeField(null=True, blank=True)  # the last "stalled" nudge
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)  # the owner's last step

    objects = InquiryCycleQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="cycle_owner_updated")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(visibility="space") | Q(space__isnull=False),
                name="cycle_space_visibility_has_space",
            ),
            models.CheckConstraint(
                condition=~Q(visibility="school") | Q(school__isnull=False),
                name="cycle_school_visibility_has_school",
            ),
        ]

    def __str__(self):
        return self.focus_question

    def get_absolute_url(self):
        return reverse("inquiry:cycle", kwargs={"pk": self.pk})


class Evidence(models.Model):
    """Classroom evidence: a note, a photo of pupils' work (re-encoded, EXIF and GPS
    removed) or a file (type checked by its content)."""

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        PHOTO = "photo", "Photo"
        FILE = "file", "File"

    cycle = models.ForeignKey(InquiryCycle, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    note = models.TextField(blank=True)
    note_html = models.TextField(blank=True, editable=False)
    file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveIntegerField(default=0)
    original_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cycle", "created_at", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return f"{self.get_kind_display()} for {self.cycle}"


class Feedback(models.Model):
    """Peer feedback on a shared reflection, in a simple protocol: warm (what worked)
    and cool (a question or a suggestion). Posted as a reply in the cycle's thread."""

    cycle = models.ForeignKey(InquiryCycle, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cycle_feedback"
    )
    warm = models.TextField("What worked")
    cool = models.TextField("A question or a suggestion", blank=True)
    post = models.ForeignKey(
        "community.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cycle", "created_at", "pk"]
        verbose_name_plural = "feedback"

    def __str__(self):
        return f"Feedback from {self.author} on {self.cycle}"
