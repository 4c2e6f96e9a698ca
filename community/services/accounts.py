"""Every write to schools, accounts and profiles goes through here."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from community import rules
from community.markdown import render_markdown
from community.models import Phase, Profile, School, Subject, User
from community.services import forum
from community.slugs import unique_slug


def ensure_profile(*, user: User) -> Profile:
    """The profile of an account, created on first need (signup, admin-made accounts)."""
    profile, _ = Profile.objects.get_or_create(
        user=user, defaults={"display_name": user.get_full_name() or user.username}
    )
    return profile


@transaction.atomic
def update_profile(
    *,
    actor: User,
    profile: Profile,
    display_name: str,
    username: str,
    school: School | None,
    career_stage: str,
    phases: Iterable[Phase],
    subjects: Iterable[Subject],
    timezone_name: str,
    bio: str,
) -> Profile:
    """Save a profile; the first save is the end of onboarding."""
    if not rules.can_edit_profile(actor, profile):
        raise PermissionDenied("You can only edit your own profile.")
    rendered = render_markdown(bio, max_length=Profile.BIO_MAX_LENGTH)
    user = profile.user
    if user.username != username:
        user.username = username
        user.save(update_fields=["username"])
    profile.display_name = display_name
    profile.school = school
    profile.career_stage = career_stage
    profile.timezone = timezone_name
    profile.bio = bio
    profile.bio_html = rendered.html
    fields = ["display_name", "school", "career_stage", "timezone", "bio", "bio_html", "updated_at"]
    if profile.onboarded_at is None:
        profile.onboarded_at = timezone.now()
        fields.append("onboarded_at")
    profile.save(update_fields=fields)
    profile.phases.set(phases)
    profile.subjects.set(subjects)
    return profile


@transaction.atomic
def create_school(
    *, actor: User, name: str, country: str, town: str, timezone_name: str, phase: str
) -> School:
    """Add a school to the directory (any teacher may: they know their own school), with
    its own space."""
    if not rules.can_add_school(actor):
        raise PermissionDenied("Sign in to add a school.")
    slug = unique_slug(School, School.slug_base(name, town))
    school = School.objects.create(
        name=name,
        slug=slug,
        country=country,
        town=town,
        timezone=timezone_name,
        phase=phase,
        created_by=actor,
    )
    forum.open_school_space(school=school)
    return school
