"""Plain factory functions: each makes one valid object, with keyword overrides."""

import itertools

from allauth.account.models import EmailAddress
from django.utils import timezone

from community.models import Profile, School, User

_n = itertools.count(1)
PASSWORD = "correct-horse-battery"


def make_school(**overrides) -> School:
    n = next(_n)
    fields = {
        "name": f"School {n}",
        "slug": f"school-{n}",
        "country": "GB",
        "town": "Leeds",
        "timezone": "Europe/London",
        "phase": School.Phase.PRIMARY,
    }
    fields.update(overrides)
    return School.objects.create(**fields)


def make_user(
    *,
    username: str | None = None,
    email: str | None = None,
    school=None,
    onboarded: bool = True,
    timezone_name: str = "Europe/London",
    **profile,
) -> User:
    """An active account with a verified email and a profile (onboarded unless told)."""
    n = next(_n)
    username = username or f"teacher{n}"
    email = email or f"{username}@example.org"
    user = User.objects.create_user(username=username, email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Profile.objects.create(
        user=user,
        display_name=profile.pop("display_name", f"Teacher {n}"),
        school=school,
        timezone=timezone_name,
        onboarded_at=timezone.now() if onboarded else None,
        **profile,
    )
    return user
