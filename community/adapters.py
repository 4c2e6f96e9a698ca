"""Signup and login policy: the one place it lives."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from community.models import username_validator
from community.services import ensure_profile


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            ensure_profile(user=user)
        return user

    def clean_username(self, username, shallow=False):
        username_validator(username)
        return super().clean_username(username, shallow=shallow)

    def get_login_redirect_url(self, request):
        return self._onboarding_url(request.user) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        return self._onboarding_url(request.user) or super().get_signup_redirect_url(request)

    def get_email_verification_redirect_url(self, email_address):
        user = self.request.user
        return self._onboarding_url(user) or super().get_email_verification_redirect_url(
            email_address
        )

    @staticmethod
    def _onboarding_url(user) -> str | None:
        """A teacher who has not completed their profile is sent to do so first."""
        if not user.is_authenticated:
            return None
        profile = ensure_profile(user=user)
        if profile.is_onboarded:
            return None
        return reverse("community:profile-edit", kwargs={"username": user.username})
