"""Staff log in to /admin/ through the site's own login (allauth: rate-limited, verified
email) and never through a second form; behind a proxy, the login limits count each
client by the address the proxy saw, not the proxy's."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")


def wrong_password(client, email, **headers):
    return client.post(LOGIN, {"login": email, "password": "wrong"}, headers=headers)


def test_the_admin_login_sends_visitors_to_the_sites_login_with_next_kept(client):
    response = client.get("/admin/login/?next=/admin/community/user/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/admin/community/user/"


def test_the_admin_sends_a_visitor_through_the_sites_login(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == f"{LOGIN}?next=/admin/"
    assert response.status_code == 200


def test_the_admin_login_takes_no_posted_password(client, staff):
    for _ in range(20):  # the old form had no limit: none of these may sign anyone in
        response = client.post(
            "/admin/login/", {"username": staff.username, "password": PASSWORD, "next": "/admin/"}
        )
        assert response.status_code == 405
    assert "_auth_user_id" not in client.session


def test_staff_log_in_through_the_sites_login_and_reach_the_admin(client, staff):
    response = client.post(
        f"{LOGIN}?next=/admin/", {"login": "stella@example.org", "password": PASSWORD}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/")["Location"] == "/admin/"  # already in


def test_wrong_staff_passwords_are_rate_limited_on_the_way_to_the_admin(client, staff):
    for _ in range(5):
        wrong_password(client, "stella@example.org")
    response = client.post(
        f"{LOGIN}?next=/admin/", {"login": "stella@example.org", "password": PASSWORD}
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_signed_in_teacher_who_is_not_staff_is_refused_not_looped(teacher_client):
    response = teacher_client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1  # /admin/ -> /admin/login/, and there it stops


def test_without_a_trusted_proxy_every_client_behind_it_shares_one_limit(client):
    # The default: X-Forwarded-For is ignored, so the proxy's address is everyone's.
    for n in range(10):  # "10/m/ip": ten failures, each for another account
        wrong_password(client, f"nobody{n}@example.org", x_forwarded_for=f"203.0.113.{n}")
    make_user(username="late")
    response = client.post(
        LOGIN,
        {"login": "late@example.org", "password": PASSWORD},
        headers={"x_forwarded_for": "198.51.100.7"},
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_with_a_trusted_proxy_each_client_has_its_own_limit(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n in range(10):
        wrong_password(client, f"nobody{n}@example.org", x_forwarded_for="203.0.113.9")
    response = wrong_password(client, "nobody@example.org", x_forwarded_for="203.0.113.9")
    assert "Too many failed login attempts" in response.content.decode()  # the busy one...
    make_user(username="other")
    response = client.post(
        LOGIN,
        {"login": "other@example.org", "password": PASSWORD},
        headers={"x_forwarded_for": "198.51.100.7"},
    )
    assert response.status_code == 302  # ...and another behind the same proxy is not
    assert "_auth_user_id" in client.session
