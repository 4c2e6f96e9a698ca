import zoneinfo
from functools import cache

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django_countries.fields import CountryField

USERNAME_PATTERN = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,28}[A-Za-z0-9_])?"
username_validator = RegexValidator(
    rf"^{USERNAME_PATTERN}\Z",
    "Use 1 to 30 letters, digits, '_', '.' or '-', starting and ending with a letter, "
    "digit or '_'.",
)


@cache
def timezone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in timezone_names():
        raise ValidationError("“%(value)s” is not a timezone we know.", params={"value": value})


class User(AbstractUser):
    """An account. The username is the teacher's @handle; they log in with their email."""

    username = models.CharField(
        "handle",
        max_length=30,
        unique=True,
        validators=[username_validator],
        help_text="How colleagues @mention you. Letters, digits, '_', '.' and '-'.",
        error_messages={"unique": "That handle is taken."},
    )
    email = models.EmailField("email address", blank=True)
    # Network-wide suspension by staff; "suspended now" is derived from the clock.
    suspended_until = models.DateTimeField(null=True, blank=True)
    # When the account was erased (community.services.personal_data.erase_account): the
    # row stays, deactivated and anonymised, so that shared discussions keep their author.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="user_email_unique_ci"
            ),
            models.UniqueConstraint(Lower("username"), name="user_username_unique_ci"),
        ]

    def __str__(self):
        return self.username

    def is_suspended(self, at=None) -> bool:
        return self.suspended_until is not None and self.suspended_until > (at or timezone.now())


class Phase(models.Model):
    """A phase of education a teacher works in (EYFS, primary, ...). Rows come from a migration."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.name


class Subject(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SchoolQuerySet(models.QuerySet):
    def visible_to(self, user):
        # The school directory is open to every signed-in teacher.
        return self if user.is_authenticated else self.none()

    def with_member_count(self):
        return self.annotate(
            member_count=models.Count(
                "profiles", filter=models.Q(profiles__user__is_active=True), distinct=True
            )
        )


class School(models.Model):
    class Phase(models.TextChoices):
        NURSERY = "nursery", "Nursery"
        PRIMARY = "primary", "Primary"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all_through", "All-through"
        SPECIAL = "special", "Special school"
        COLLEGE = "college", "Sixth form / college"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    country = CountryField()
    town = models.CharField(max_length=80, blank=True)
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    phase = models.CharField(max_length=20, choices=Phase.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "country", "town", name="school_name_place_unique_ci"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("community:school", kwargs={"slug": self.slug})

    @staticmethod
    def slug_base(name: str, town: str) -> str:
        return slugify(f"{name} {town}")[:120] or "school"


class ProfileQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Profiles are shown to signed-in members of the network, never to the open web.
        if not user.is_authenticated:
            return self.none()
        return self.filter(user__is_active=True)

    def for_cards(self):
        return self.select_related("user", "school").prefetch_related("phases", "subjects")


class Profile(models.Model):
    class CareerStage(models.TextChoices):
        TRAINEE = "trainee", "Trainee teacher"
        EARLY_CAREER = "early_career", "Early-career teacher"
        TEACHER = "teacher", "Teacher"
        MIDDLE_LEADER = "middle_leader", "Middle leader"
        SENIOR_LEADER = "senior_leader", "Senior leader"
        SUPPORT = "support", "Teaching assistant / support staff"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=80)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.SET_NULL, related_name="profiles"
    )
    career_stage = models.CharField(max_length=20, choices=CareerStage.choices, blank=True)
    phases = models.ManyToManyField(Phase, blank=True, related_name="profiles")
    subjects = models.ManyToManyField(Subject, blank=True, related_name="profiles")
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    bio = models.TextField(blank=True)
    bio_html = models.TextField(blank=True, editable=False)
    # A fact, not a flag: when the teacher finished the onboarding step.
    onboarded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProfileQuerySet.as_manager()

    BIO_MAX_LENGTH = 1000

    def __str__(self):
        return self.display_name or self.user.username

    def get_absolute_url(self):
        return reverse("community:profile", kwargs={"username": self.user.username})

    @property
    def is_onboarded(self) -> bool:
        return self.onboarded_at is not None

    @property
    def initials(self) -> str:
        parts = (self.display_name or self.user.username).split()
        return "".join(p[0] for p in parts[:2]).upper() or "?"
