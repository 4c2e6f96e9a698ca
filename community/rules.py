"""Who may do what. Pure functions: no writes, no queries beyond the objects given."""

from community.models import Profile, User


def can_edit_profile(user: User, profile: Profile) -> bool:
    return user.is_authenticated and user.is_active and profile.user_id == user.pk


def can_add_school(user: User) -> bool:
    return user.is_authenticated and user.is_active
