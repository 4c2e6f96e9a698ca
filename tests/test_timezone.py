"""Every time is shown in the viewer's own timezone, with the zone named."""

import datetime as dt

from django.template import Context, Template
from django.utils import timezone

from community.models import Profile
from tests.factories import make_user


def render_when(value):
    return Template("{% load staffroom %}{{ value|when }}").render(Context({"value": value}))


def test_signed_in_teacher_sees_times_in_their_zone(client, school):
    user = make_user(school=school, timezone_name="Asia/Kolkata")
    Profile.objects.filter(user=user).update(
        onboarded_at=dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)
    )
    client.force_login(user)
    body = client.get(user.profile.get_absolute_url()).content.decode()
    assert '<time datetime="2026-11-24T10:00:00+00:00">24 November 2026 IST</time>' in body
    assert "Times are shown in <strong>Asia/Kolkata</strong>" in body


def test_visitor_zone_comes_from_the_browser_cookie(client, db):
    client.cookies["tz"] = "Australia/Sydney"
    assert (
        "Times are shown in <strong>Australia/Sydney</strong>" in client.get("/").content.decode()
    )


def test_unknown_zone_in_the_cookie_falls_back_to_utc(client, db):
    client.cookies["tz"] = "Mars/Olympus_Mons"
    assert "Times are shown in <strong>UTC</strong>" in client.get("/").content.decode()


def test_when_names_the_zone_and_follows_daylight_saving():
    with timezone.override("Europe/London"):
        assert "25 Jul 2026, 13:00 BST" in render_when(
            dt.datetime(2026, 7, 25, 12, 0, tzinfo=dt.UTC)
        )
        assert "25 Jan 2026, 12:00 GMT" in render_when(
            dt.datetime(2026, 1, 25, 12, 0, tzinfo=dt.UTC)
        )
    with timezone.override("Africa/Nairobi"):
        assert "25 Jan 2026, 15:00 EAT" in render_when(
            dt.datetime(2026, 1, 25, 12, 0, tzinfo=dt.UTC)
        )
    assert render_when(None) == ""


def test_a_profile_shows_the_time_now_where_the_teacher_is(teacher_client, teacher_elsewhere):
    nairobi = dt.timezone(dt.timedelta(hours=3))
    before = timezone.now().astimezone(nairobi)
    body = teacher_client.get(teacher_elsewhere.profile.get_absolute_url()).content.decode()
    after = timezone.now().astimezone(nairobi)
    # Two candidates in case the minute turned during the request.
    shown = [f"(now {t:%H:%M} EAT)</span>" for t in (before, after)]
    assert 'Africa/Nairobi <span class="muted">' in body
    assert any(text in body for text in shown)
