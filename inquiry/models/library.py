"""The micro-learning library: short modules (20 minutes at most) with resources,
curriculum tags and a "try this in class" prompt. Any teacher drafts a module; network
staff review it and publish it; a published module has a discussion thread."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

MAX_MODULE_MINUTES = 20
RESOURCE_MAX_BYTES = 10 * 1024 * 1024


class CurriculumArea(models.Model):
    """The curriculum vocabulary beside community's phases and subjects: the EYFS areas
    of learning and the National Curriculum key stages. Rows come from a migration."""

    class Kind(models.TextChoices):
        EYFS = "eyfs", "EYFS area of learning"
        KEY_STAGE = "key_stage", "Key stage"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=80)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "order"]

    def __str__(self):
        return self.name


class ModuleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Module.Status.PUBLISHED)

    def visible_to(self, user):
        """Published modules for every signed-in teacher; drafts for their author; and
        everything for network staff, who review them."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(Q(status=Module.Status.PUBLISHED) | Q(author=user))


class Module(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "Waiting for review"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    summary = models.CharField(max_length=300)
    body = models.TextField()
    body_html = models.TextField(editable=False)
    minutes = models.PositiveSmallIntegerField()  # estimated, 1 to MAX_MODULE_MINUTES
    try_prompt = models.TextField("Try this in class")
    try_prompt_html = models.TextField(editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="modules"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField(blank=True)  # staff's word when they send a draft back
    review_note_html = models.TextField(blank=True, editable=False)
    phases = models.ManyToManyField("community.Phase", blank=True, related_name="modules")
    subjects = models.ManyToManyField("community.Subject", blank=True, related_name="modules")
    areas = models.ManyToManyField(CurriculumArea, blank=True, related_name="modules")
    tags = models.ManyToManyField("community.Tag", blank=True, related_name="modules")
    # The module's discussion, opened when it is published.
    thread = models.ForeignKey(
        "community.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # PostgreSQL full-text search and suggestions (title A, summary B, body C); kept by the
    # library service on every write. Empty on SQLite, where search matches words.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ModuleQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=MAX_MODULE_MINUTES),
                name="module_minutes_in_range",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("inquiry:module", kwargs={"slug": self.slug})


class ModuleResource(models.Model):
    """A file that comes with a module: its type checked by its content, not its name;
    served only to signed-in teachers who can see the module."""

    class Kind(models.TextChoices):
        LESSON_PLAN = "lesson_plan", "Lesson plan"
        TEMPLATE = "template", "Template"
        SLIDES = "slides", "Slides"
        IMAGE = "image", "Image"
        OTHER = "other", "Other"

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=120)
    file = models.FileField(upload_to="resources/%Y/%m/")
    content_type = models.CharField(max_length=120)  # what the content is, as sniffed
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["module", "pk"]

    def __str__(self):
        return self.title


class ModuleCompletion(models.Model):
    """A teacher started a module, and (completed_at) finished it: the minutes go to
    their CPD record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="module_completions"
    )
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="completions")
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="module_completion_unique")
        ]

    def __str__(self):
        return f"{self.user} · {self.module}"
