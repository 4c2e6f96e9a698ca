"""Weekly series: planned from the run-sheet, kept by "Reuse as a template", a page of
their own, and a calendar feed (one recurring event, each session as its week's
occurrence) that calendar apps subscribe to with a signed per-person address."""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from community import calendar
from community.models import ChatSession, Membership, SessionSeries
from community.services import sessions
from community.services.sessions import RunSheet
from tests.factories import make_space, make_user

LONDON = ZoneInfo("Europe/London")
# Wednesday 23 October 2030, 19:00 in London (BST, UTC+1). The clocks go back on Sunday
# the 27th, so the next Wednesday's 19:00 is GMT (UTC+0).
FIRST = dt.datetime(2030, 10, 23, 19, 0, tzinfo=LONDON)
NOW = FIRST - dt.timedelta(days=30)


def sheet(**changes) -> RunSheet:
    fields = {
        "title": "Oracy in maths",
        "starts_at": FIRST,
        "duration_minutes": 60,
        "questions": ["What do they say first?", "How do you model it?"],
    }
    return RunSheet(**{**fields, **changes})


def plan(actor, **changes) -> ChatSession:
    return sessions.create_session(actor=actor, sheet=sheet(**changes), now=NOW)


@pytest.fixture
def series(moderator, space):
    """Three weeks in the network space `space`, hosted by its moderator (London)."""
    first = plan(moderator, space=space, new_series=True)
    for week in (1, 2):
        plan(
            moderator, space=space, series=first.series, starts_at=FIRST + dt.timedelta(weeks=week)
        )
    return first.series


def feed(client, series, token=None):
    url = reverse("community:series-calendar", args=[series.slug])
    return client.get(url, {"token": token} if token else None)


def token_for(user, series) -> str:
    return calendar.feed_token(user_id=user.pk, series_id=series.pk)


# --- Planning a series ---------------------------------------------------------------------


def test_repeat_weekly_starts_a_series_named_after_the_session_in_the_hosts_zone(moderator, space):
    session = plan(moderator, space=space, new_series=True)
    series = session.series
    assert (series.title, series.slug, series.host) == (
        "Oracy in maths",
        "oracy-in-maths",
        moderator,
    )
    assert series.timezone_name == "Europe/London"
    again = plan(moderator, space=space, new_series=True)
    assert again.series != series and again.series.slug == "oracy-in-maths-2"


def test_a_session_joins_a_series_its_host_has(moderator, space, series):
    later = plan(moderator, space=space, series=series, starts_at=FIRST + dt.timedelta(weeks=5))
    assert later.series == series and series.sessions.count() == 4


def test_only_the_series_host_adds_to_it_and_nothing_is_saved_otherwise(series, other_moderator):
    before = ChatSession.objects.count()
    with pytest.raises(PermissionDenied):
        plan(other_moderator, series=series)
    assert ChatSession.objects.count() == before


def test_a_refused_run_sheet_starts_no_series(moderator, space):
    with pytest.raises(Exception):  # noqa: B017 - the ValidationError of a bad run-sheet
        plan(moderator, space=space, new_series=True, questions=[])
    assert not SessionSeries.objects.exists()


def test_the_form_offers_repeat_weekly_and_only_the_hosts_own_series(
    client, moderator, other_moderator, space, series
):
    theirs = plan(other_moderator, new_series=True, title="Behaviour club").series
    client.force_login(moderator)
    page = client.get(reverse("community:session-create")).content.decode()
    assert "Repeat weekly" in page and "Oracy in maths" in page and "Behaviour club" not in page
    data = {
        "title": "Oracy in maths",
        "space": space.pk,
        "starts_at": "2030-12-04T19:00",
        "duration_minutes": "60",
        "questions": "One?\nTwo?",
    }
    url = reverse("community:session-create")
    response = client.post(url, {**data, "repeat": str(theirs.pk)})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert theirs.sessions.count() == 1
    client.post(url, {**data, "repeat": str(series.pk)})
    assert series.sessions.count() == 4
    client.post(url, {**data, "title": "Wait time", "repeat": "new"})
    assert SessionSeries.objects.get(title="Wait time").sessions.get().host == moderator
    client.post(url, {**data, "title": "Just once", "repeat": ""})
    assert ChatSession.objects.get(title="Just once").series is None


def test_the_edit_form_offers_no_repeat_and_keeps_the_series(client, moderator, series):
    session = series.sessions.first()
    client.force_login(moderator)
    page = client.get(reverse("community:session-edit", args=[session.slug])).content.decode()
    assert "Repeat weekly" not in page
    assert reverse("community:series", args=[series.slug]) in page


def test_reusing_a_session_as_a_template_keeps_its_series_even_for_a_cohost(
    client, moderator, space
):
    cohost = make_user(username="cora", display_name="Cora Cohost")
    Membership.objects.create(space=space, user=cohost, role=Membership.Role.MODERATOR)
    session = plan(moderator, space=space, new_series=True, cohosts=(cohost,))
    copy = sessions.duplicate_session(
        actor=cohost, session=session, starts_at=FIRST + dt.timedelta(weeks=1)
    )
    assert copy.series == session.series and copy.host == cohost
    copy.refresh_from_db()
    assert copy.series == session.series
    client.force_login(moderator)
    client.post(reverse("community:session-duplicate", args=[session.slug]))
    assert session.series.sessions.count() == 3


# --- The series page -----------------------------------------------------------------------


def test_the_series_page_lists_coming_then_past_sessions_and_the_feed(client, teacher, series):
    past = series.sessions.first()
    ChatSession.objects.filter(pk=past.pk).update(ended_at=FIRST + dt.timedelta(hours=1))
    client.force_login(teacher)
    response = client.get(reverse("community:series", args=[series.slug]))
    page = response.content.decode()
    assert response.status_code == 200 and "<h1>Oracy in maths</h1>" in page
    assert "Wednesdays at 19:00, Europe/London time" in page
    coming, archive = page.index("Coming up"), page.index("Past sessions")
    assert coming < archive < page.index(past.get_absolute_url())
    later = list(series.sessions.exclude(pk=past.pk))
    assert all(coming < page.index(s.get_absolute_url()) < archive for s in later)
    assert "Subscribe in your calendar" in page
    assert f"webcal://testserver/sessions/series/{series.slug}/calendar.ics?token=" in page
    assert token_for(teacher, series) in page


def test_the_session_page_links_to_its_series(client, teacher, series):
    client.force_login(teacher)
    page = client.get(series.sessions.first().get_absolute_url()).content.decode()
    assert reverse("community:series", args=[series.slug]) in page


def test_a_series_in_a_private_space_is_404_to_an_outsider(
    client, moderator, private_space, teacher, outsider
):
    series = plan(moderator, space=private_space, new_series=True).series
    url = reverse("community:series", args=[series.slug])
    client.force_login(teacher)
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("community:series", args=["no-such-series"])).status_code == 404


def test_the_series_page_needs_a_login_and_a_get(client, teacher, series):
    url = reverse("community:series", args=[series.slug])
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(teacher)
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("weeks", [2, 6])
def test_the_series_page_query_count_does_not_grow(
    client, teacher, moderator, space, django_assert_num_queries, weeks
):
    first = plan(moderator, space=space, new_series=True)
    for week in range(1, weeks):
        plan(
            moderator, space=space, series=first.series, starts_at=FIRST + dt.timedelta(weeks=week)
        )
    client.force_login(teacher)
    client.get("/")  # the session's first request loads the user's profile and memberships
    # session, user, profile, the series, its sessions (with spaces and hosts' profiles)
    with django_assert_num_queries(7):
        assert client.get(reverse("community:series", args=[first.series.slug])).status_code == 200


# --- The feed: who reads it ------------------------------------------------------------------


def test_the_feed_needs_a_token_or_a_login(client, teacher, series):
    assert feed(client, series).status_code == 404
    assert feed(client, series, token="not-a-token").status_code == 404
    response = feed(client, series, token=token_for(teacher, series))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    client.force_login(teacher)
    assert feed(client, series).status_code == 200  # a signed-in browser needs no token


def test_a_token_for_another_series_or_a_tampered_one_is_404(client, teacher, moderator, series):
    other = plan(moderator, new_series=True, title="Wait time").series
    assert feed(client, series, token=token_for(teacher, other)).status_code == 404
    good = token_for(teacher, series)
    assert feed(client, series, token=good[:-2] + "xx").status_code == 404


def test_a_token_reads_the_series_as_its_person_sees_it(
    client, moderator, space, private_space, teacher, colleague
):
    """The series' first session is in a private space that only the teacher is in."""
    hidden = plan(moderator, space=private_space, new_series=True, title="Reading for pleasure")
    series = hidden.series
    plan(
        moderator,
        space=space,
        series=series,
        title="Reading aloud",
        starts_at=FIRST + dt.timedelta(weeks=1),
    )
    client.force_login(teacher)  # a logged-in browser with someone else's token: the token wins
    _, weekly, theirs = events(feed(client, series, token_for(colleague, series)))
    assert [str(e["summary"]) for e in theirs] == ["Reading aloud"]
    assert weekly.decoded("dtstart") == FIRST + dt.timedelta(weeks=1)  # from what they see
    _, weekly, mine = events(feed(client, series, token_for(teacher, series)))
    assert [str(e["summary"]) for e in mine] == ["Reading for pleasure", "Reading aloud"]
    assert weekly.decoded("dtstart") == FIRST


def test_a_token_of_someone_who_sees_none_of_it_or_left_is_404(
    client, moderator, private_space, outsider, teacher
):
    series = plan(moderator, space=private_space, new_series=True).series
    assert feed(client, series, token_for(outsider, series)).status_code == 404
    teacher.is_active = False
    teacher.save(update_fields=["is_active"])
    assert feed(client, series, token_for(teacher, series)).status_code == 404


# --- The feed: what it says ------------------------------------------------------------------


def events(response) -> tuple[icalendar.Calendar, icalendar.Event, list[icalendar.Event]]:
    cal = icalendar.Calendar.from_ical(response.content)
    [weekly] = [e for e in cal.walk("VEVENT") if "RRULE" in e]
    return cal, weekly, [e for e in cal.walk("VEVENT") if "RRULE" not in e]


def test_the_feed_is_one_weekly_event_in_the_hosts_zone_with_each_session_as_its_week(
    client, teacher, series
):
    cal, weekly, others = events(feed(client, series, token_for(teacher, series)))
    assert str(weekly["rrule"].to_ical(), "ascii") == "FREQ=WEEKLY"
    assert weekly["dtstart"].params["TZID"] == "Europe/London"
    assert weekly.decoded("dtstart") == FIRST
    assert weekly.decoded("duration") == dt.timedelta(minutes=60)
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
    assert str(cal["x-wr-calname"]) == "Oracy in maths"
    # Each session overrides its week's occurrence: same UID, RECURRENCE-ID = the slot.
    assert len(others) == 3 and {str(e["uid"]) for e in others} == {str(weekly["uid"])}
    slots = sorted(e.decoded("recurrence-id") for e in others)
    assert slots == [
        dt.datetime(2030, 10, 23, 19, 0, tzinfo=LONDON),
        dt.datetime(2030, 10, 30, 19, 0, tzinfo=LONDON),
        dt.datetime(2030, 11, 6, 19, 0, tzinfo=LONDON),
    ]
    assert all(e["recurrence-id"].params["TZID"] == "Europe/London" for e in others)
    session = series.sessions.last()
    [last] = [e for e in others if e.decoded("recurrence-id") == slots[-1]]
    assert str(last["url"]) == f"http://testserver{session.get_absolute_url()}"
    assert str(last["summary"]) == "Oracy in maths" and str(last["url"]) in str(last["description"])


def test_the_weekly_slot_stays_at_19_00_local_across_the_end_of_summer_time(
    client, teacher, series
):
    _, weekly, _ = events(feed(client, series, token_for(teacher, series)))
    start = weekly.decoded("dtstart")
    rule = rrulestr(weekly["rrule"].to_ical().decode(), dtstart=start.replace(tzinfo=None))
    first, second, third = (moment.replace(tzinfo=LONDON) for moment in rule[:3])
    assert [m.strftime("%a %H:%M") for m in (first, second, third)] == ["Wed 19:00"] * 3
    assert first.utcoffset() == dt.timedelta(hours=1)  # BST
    assert second.utcoffset() == dt.timedelta(0)  # GMT, after the last Sunday of October
    assert second.astimezone(dt.UTC) - first.astimezone(dt.UTC) == dt.timedelta(days=7, hours=1)
    assert second.astimezone(dt.UTC).hour == 19


def test_an_early_start_or_a_moved_time_is_its_own_start_and_another_day_its_own_event(
    client, teacher, moderator, space, series
):
    week_two = series.sessions.all()[1]
    ChatSession.objects.filter(pk=week_two.pk).update(
        starts_at=FIRST + dt.timedelta(weeks=1, minutes=30)  # 19:30 that Wednesday
    )
    thursday = plan(
        moderator,
        space=space,
        series=series,
        title="Extra: Q&A",
        starts_at=FIRST + dt.timedelta(weeks=3, days=1),
    )
    _, weekly, others = events(feed(client, series, token_for(teacher, series)))
    [moved] = [e for e in others if e.get("recurrence-id") and e.decoded("recurrence-id").day == 30]
    assert moved.decoded("dtstart") == dt.datetime(2030, 10, 30, 19, 30, tzinfo=LONDON)
    [extra] = [e for e in others if str(e["summary"]) == "Extra: Q&A"]
    assert "RECURRENCE-ID" not in extra and str(extra["uid"]) == f"session-{thursday.pk}@staffroom"
    assert extra.decoded("dtstart") == dt.datetime(2030, 11, 14, 19, 0, tzinfo=LONDON)


def test_a_host_in_another_zone_gets_a_feed_in_their_zone(client, db):
    host = make_user(username="hana", display_name="Hana Host", timezone_name="Africa/Nairobi")
    make_space(name="Oracy", slug="oracy", moderators=[host])
    plan(
        host,
        new_series=True,
        starts_at=dt.datetime(2030, 10, 23, 19, 0, tzinfo=ZoneInfo("Africa/Nairobi")),
    )
    series = SessionSeries.objects.get(host=host)
    _, weekly, _ = events(feed(client, series, token_for(host, series)))
    assert weekly["dtstart"].params["TZID"] == "Africa/Nairobi"
    assert weekly.decoded("dtstart").hour == 19


def test_the_single_session_ics_and_the_feed_describe_a_session_alike(client, teacher, series):
    session = series.sessions.first()
    client.force_login(teacher)
    single = icalendar.Calendar.from_ical(
        client.get(reverse("community:session-calendar", args=[session.slug])).content
    )
    [alone] = single.walk("VEVENT")
    _, _, others = events(feed(client, series))
    [same] = [e for e in others if e.decoded("recurrence-id") == FIRST]
    for field in ("dtstart", "dtend", "summary", "description", "url"):
        assert alone.decoded(field) == same.decoded(field), field
