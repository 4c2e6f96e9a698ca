"""Signing up, confirming the email, logging in, and the account pages (django-allauth)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from community.models import Profile, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign_up(client, email="nadia@example.org", password="a-long-safe-passphrase", again=None):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": password, "password2": again or password},
    )


def confirmation_link(mail):
    return re.search(r"https?://\S+(/accounts/confirm-email/\S+/)", mail.body).group(1)


def test_sign_up_sends_a_confirmation_and_creates_a_profile(client, mailoutbox):
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="nadia@example.org")
    assert Profile.objects.filter(user=user, onboarded_at__isnull=True).exists()
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["nadia@example.org"]
    assert mailoutbox[0].subject.startswith("[Staffroom] ")


def test_confirming_the_email_logs_in_and_leads_to_onboarding(client, mailoutbox):
    sign_up(client)
    response = client.post(confirmation_link(mailoutbox[0]))
    user = User.objects.get(email="nadia@example.org")
    assert EmailAddress.objects.get(user=user).verified
    assert response["Location"] == reverse("community:profile-edit", args=[user.username])


def test_unverified_account_cannot_log_in(client, mailoutbox):
    sign_up(client)
    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": "nadia@example.org", "password": "a-long-safe-passphrase"},
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "email, password, again, message",
    [
        ("not-an-email", "a-long-safe-passphrase", None, "Enter a valid email address."),
        ("", "a-long-safe-passphrase", None, "This field is required."),
        ("x@example.org", "short", None, "too short"),
        ("x@example.org", "12345678901", None, "entirely numeric"),
        ("x@example.org", "a-long-safe-passphrase", "a-different-passphrase", "same password"),
    ],
)
def test_invalid_signup_is_refused_and_nothing_is_saved(client, email, password, again, message):
    response = sign_up(client, email=email, password=password, again=again)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_duplicate_email_makes_no_account_and_tells_the_owner(client, teacher, mailoutbox):
    # allauth's enumeration prevention: the form cannot reveal whether an address is
    # registered, so the owner of the address is told by email instead.
    response = sign_up(client, email="AMIRA@example.org")
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.count() == 1
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["amira@example.org"]
    assert "already" in mailoutbox[0].body and "/accounts/password/reset/" in mailoutbox[0].body


def test_login_by_email_goes_home(client, teacher):
    response = client.post(
        reverse("account_login"), {"login": "amira@example.org", "password": PASSWORD}
    )
    assert response["Location"] == reverse("home")


def test_login_of_a_newcomer_goes_to_onboarding(client, newcomer):
    response = client.post(
        reverse("account_login"), {"login": "newbie@example.org", "password": PASSWORD}
    )
    assert response["Location"] == reverse("community:profile-edit", args=["newbie"])


def test_wrong_passwords_are_rate_limited(client, teacher):
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": "amira@example.org", "password": "wrong"}
        )
        assert "not correct" in response.content.decode()
    response = client.post(
        reverse("account_login"), {"login": "amira@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200  # even the right password waits now
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_that_sets_a_new_password(client, teacher, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": "amira@example.org"})
    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+(/accounts/password/reset/key/\S+/)", mailoutbox[0].body).group(
        1
    )
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    client.post(
        form_url, {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"}
    )
    teacher.refresh_from_db()
    assert teacher.check_password("a-brand-new-passphrase")


def test_change_password(teacher_client, teacher):
    response = teacher_client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "another-long-passphrase",
            "password2": "another-long-passphrase",
        },
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password("another-long-passphrase")


def test_add_another_email_sends_a_confirmation(teacher_client, teacher, mailoutbox):
    teacher_client.post(
        reverse("account_email"), {"action_add": "", "email": "amira@school.example"}
    )
    assert EmailAddress.objects.filter(
        user=teacher, email="amira@school.example", verified=False
    ).exists()
    assert mailoutbox[-1].to == ["amira@school.example"]


def test_logout_needs_a_post(teacher_client):
    teacher_client.post(reverse("account_logout"))
    assert "_auth_user_id" not in teacher_client.session


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_account_pages_wear_the_site_frame(client, name):
    body = client.get(reverse(name)).content.decode()
    assert 'class="site-header"' in body and 'class="auth-page card"' in body
    assert 'class="button button-primary"' in body


@pytest.mark.parametrize("name", ["account_email", "account_change_password"])
def test_account_settings_pages_need_login_and_wear_the_frame(client, teacher, name):
    assert client.get(reverse(name)).status_code == 302
    client.force_login(teacher)
    body = client.get(reverse(name)).content.decode()
    assert 'class="settings-layout"' in body
