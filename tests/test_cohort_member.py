"""A member's view of a cohort: My courses (a progress bar and the next action, in words),
the cohort page (units and their parts, a locked unit saying when it opens, the session
in the viewer's zone, catch-up for a missed session), starting a unit's classroom task
(once, and only when the unit is open) and the calendar feed. Personas: fran facilitates;
amira is a member; wanjiru (Nairobi) is a member elsewhere; olly is an outsider."""

import html
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from community import calendar
from inquiry.models import Attendance, InquiryCycle, ModuleCompletion, UnitModule
from inquiry.services import cohorts as services
from tests.factories import make_course, make_user

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def facilitator(db):
    return make_user(username="fran", display_name="Fran Facilitator")


def start_cohort(facilitator, *, days_ago=20, unlock="by_date", units=3, capacity=30):
    """Units a fortnight apart from `days_ago` days ago: with 20, unit 1 (session 13 days
    ago) and unit 2 (session tomorrow) are open, unit 3 opens in 8 days."""
    course = make_course(authors=[facilitator], units=units, unlock=unlock, title="Oracy")
    dates = services.default_unit_dates(
        list(course.units.order_by("number")),
        start=timezone.localdate(timezone=LONDON) - timedelta(days=days_ago),
        zone=LONDON,
    )
    return services.create_cohort(
        actor=facilitator,
        course=course,
        name="Spring",
        capacity=capacity,
        unit_dates=dates,
    )


@pytest.fixture
def cohort(facilitator, teacher):
    cohort = start_cohort(facilitator)
    services.join_with_code(actor=teacher, code=cohort.invite_code)
    return cohort


def unit(cohort, number):
    return cohort.cohort_units.select_related("unit").get(unit__number=number)


def complete_prelearning(user, cohort_unit):
    for link in UnitModule.objects.filter(unit=cohort_unit.unit):
        ModuleCompletion.objects.create(user=user, module=link.module, completed_at=timezone.now())


def page(response) -> str:
    return html.unescape(response.content.decode())


def login(client, user):
    client.force_login(user)
    return client


# --- My courses and the next action -----------------------------------------------------------


def test_my_courses_shows_progress_and_the_next_action(client, cohort, teacher):
    login(client, teacher)
    url = reverse("inquiry:my-courses")
    first_module = UnitModule.objects.get(unit=unit(cohort, 1).unit).module
    text = page(client.get(url))
    assert "Oracy" in text and 'max="100" value="0"' in text
    assert f"Complete the pre-learning: {first_module.title}" in text
    complete_prelearning(teacher, unit(cohort, 1))
    assert "Start the classroom task" in page(client.get(url))
    cycle, _ = services.start_unit_task(actor=teacher, cohort=cohort, cohort_unit=unit(cohort, 1))
    assert "Carry on with your classroom task" in page(client.get(url))
    InquiryCycle.objects.filter(pk=cycle.pk).update(stage="share")
    assert "Share your reflection" in page(client.get(url))
    InquiryCycle.objects.filter(pk=cycle.pk).update(shared_at=timezone.now())
    # Unit 1's session happened without them: catching up is what is left of it.
    assert "Catch up on the session you missed" in page(client.get(url))
    Attendance.objects.create(
        cohort_unit=unit(cohort, 1), user=teacher, status="present", marked_by=cohort.created_by
    )
    text = page(client.get(url))
    assert "1 of 3 units done" in text and 'value="33"' in text
    assert "Complete the pre-learning: " in text  # unit 2's


def test_the_next_session_is_named_in_the_viewers_zone(client, facilitator, teacher_elsewhere):
    cohort = start_cohort(facilitator, days_ago=3)  # unit 1's session in four days, 19:00
    services.join_with_code(actor=teacher_elsewhere, code=cohort.invite_code)
    complete_prelearning(teacher_elsewhere, unit(cohort, 1))
    login(client, teacher_elsewhere)
    local = unit(cohort, 1).session_at.astimezone(ZoneInfo("Africa/Nairobi"))
    words = f"Join the session on {local:%-d %b}, {local:%H:%M} EAT"
    assert words in page(client.get(reverse("inquiry:my-courses")))
    assert words in page(client.get(cohort.get_absolute_url()))


def test_my_courses_lists_only_my_cohorts(client, cohort, colleague, facilitator):
    login(client, colleague)
    text = page(client.get(reverse("inquiry:my-courses")))
    assert "Oracy" not in text and "not in a cohort yet" in text
    login(client, facilitator)
    text = page(client.get(reverse("inquiry:my-courses")))
    assert "Facilitating" in text and "1 of 30 places taken" in text


def test_my_courses_needs_a_login():
    from django.test import Client

    response = Client().get(reverse("inquiry:my-courses"))
    assert "/accounts/login/" in response["Location"]


# --- The cohort page ---------------------------------------------------------------------------


def test_the_cohort_page_shows_each_unit_and_a_locked_one_says_when_it_opens(
    client, cohort, teacher
):
    login(client, teacher)
    text = page(client.get(cohort.get_absolute_url()))
    opens = unit(cohort, 3).opens_at.astimezone(LONDON)
    assert f"Unit 3 opens on {opens:%-d %b %Y}, 00:00" in text
    assert text.count("Start the classroom task</button>") == 2  # units 1 and 2, not 3
    assert reverse("community:chat", kwargs={"slug": cohort.space.slug}) in text
    module = UnitModule.objects.get(unit=unit(cohort, 1).unit).module
    assert module.get_absolute_url() in text
    locked_module = UnitModule.objects.get(unit=unit(cohort, 3).unit).module
    assert f'href="{locked_module.get_absolute_url()}"' not in text


def test_catch_up_for_a_missed_session(client, cohort, teacher):
    login(client, teacher)
    text = page(client.get(cohort.get_absolute_url()))
    assert text.count('id="unit-1-catch-up"') == 1 and 'id="unit-2-catch-up"' not in text
    assert "chat room</a> around" in text
    Attendance.objects.create(
        cohort_unit=unit(cohort, 1), user=teacher, status="apologies", marked_by=cohort.created_by
    )
    assert "(you sent apologies)" in page(client.get(cohort.get_absolute_url()))
    Attendance.objects.filter(user=teacher).update(status="present")
    assert 'id="unit-1-catch-up"' not in page(client.get(cohort.get_absolute_url()))


def test_the_cohort_page_is_for_its_people_only(client, cohort, outsider, facilitator, staff):
    url = cohort.get_absolute_url()
    assert "/accounts/login/" in client.get(url)["Location"]
    assert login(client, outsider).get(url).status_code == 404
    text = page(login(client, facilitator).get(url))
    assert cohort.invite_code in text and "Start the classroom task" not in text
    assert login(client, staff).get(url).status_code == 200
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("members", [2, 12])
def test_the_member_cohort_page_reads_a_fixed_number_of_queries(
    client, django_assert_num_queries, facilitator, teacher, members
):
    cohort = start_cohort(facilitator, units=4)
    services.join_with_code(actor=teacher, code=cohort.invite_code)
    for _ in range(members - 1):
        other = make_user()
        services.join_with_code(actor=other, code=cohort.invite_code)
        complete_prelearning(other, unit(cohort, 1))
    complete_prelearning(teacher, unit(cohort, 1))
    services.start_unit_task(actor=teacher, cohort=cohort, cohort_unit=unit(cohort, 1))
    login(client, teacher)
    client.get(cohort.get_absolute_url())  # the session, the profile: warm
    with django_assert_num_queries(15):
        assert client.get(cohort.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("cohorts", [1, 3])
def test_my_courses_reads_a_fixed_number_of_queries_per_cohort(
    client, django_assert_num_queries, facilitator, teacher, cohorts
):
    for _ in range(cohorts):
        cohort = start_cohort(facilitator)
        services.join_with_code(actor=teacher, code=cohort.invite_code)
        for _ in range(4):
            services.join_with_code(actor=make_user(), code=cohort.invite_code)
    login(client, teacher)
    client.get(reverse("inquiry:my-courses"))
    # Per cohort: progress (5) and the units' modules and completions (2), whatever its size.
    with django_assert_num_queries(7 + 7 * cohorts):
        client.get(reverse("inquiry:my-courses"))


# --- A unit's classroom task ---------------------------------------------------------------------


def test_starting_the_task_makes_one_cycle_linked_to_the_unit(client, cohort, teacher):
    login(client, teacher)
    url = reverse("inquiry:cohort-task", kwargs={"slug": cohort.slug, "number": 1})
    assert client.get(url).status_code == 405
    response = client.post(url)
    cycle = InquiryCycle.objects.get()
    assert response["Location"] == cycle.get_absolute_url()
    assert cycle.owner == teacher and cycle.cohort_unit == unit(cohort, 1)
    assert cycle.focus_question.startswith("Unit 1 task: Try unit 1's idea with one class.")
    assert cycle.module == UnitModule.objects.get(unit=unit(cohort, 1).unit).module
    assert client.post(url)["Location"] == cycle.get_absolute_url()  # a second press opens it
    assert InquiryCycle.objects.count() == 1
    assert "Open your classroom task" in page(client.get(cohort.get_absolute_url()))


def test_a_locked_units_task_is_refused(client, cohort, teacher):
    with pytest.raises(ValidationError, match="Unit 3 opens on"):
        services.start_unit_task(actor=teacher, cohort=cohort, cohort_unit=unit(cohort, 3))
    login(client, teacher)
    url = reverse("inquiry:cohort-task", kwargs={"slug": cohort.slug, "number": 3})
    response = client.post(url, follow=True)
    assert "Unit 3 opens on" in page(response)
    assert not InquiryCycle.objects.exists()


def test_after_previous_a_unit_opens_when_the_one_before_is_done(facilitator, teacher):
    cohort = start_cohort(facilitator, unlock="after_previous", days_ago=40)
    services.join_with_code(actor=teacher, code=cohort.invite_code)
    with pytest.raises(ValidationError, match="opens when you finish unit 1"):
        services.start_unit_task(actor=teacher, cohort=cohort, cohort_unit=unit(cohort, 2))
    complete_prelearning(teacher, unit(cohort, 1))
    cycle, _ = services.start_unit_task(actor=teacher, cohort=cohort, cohort_unit=unit(cohort, 1))
    InquiryCycle.objects.filter(pk=cycle.pk).update(stage="share", shared_at=timezone.now())
    Attendance.objects.create(
        cohort_unit=unit(cohort, 1), user=teacher, status="present", marked_by=facilitator
    )
    cycle, created = services.start_unit_task(
        actor=teacher, cohort=cohort, cohort_unit=unit(cohort, 2)
    )
    assert created and cycle.cohort_unit == unit(cohort, 2)


def test_only_members_start_tasks(client, cohort, facilitator, outsider):
    with pytest.raises(PermissionDenied):
        services.start_unit_task(actor=facilitator, cohort=cohort, cohort_unit=unit(cohort, 1))
    url = reverse("inquiry:cohort-task", kwargs={"slug": cohort.slug, "number": 1})
    assert login(client, facilitator).post(url).status_code == 403
    assert login(client, outsider).post(url).status_code == 404
    assert not InquiryCycle.objects.exists()


# --- The calendar feed ----------------------------------------------------------------------------


def _feed(client, cohort, user=None, token=None):
    url = reverse("inquiry:cohort-calendar", kwargs={"slug": cohort.slug})
    if user is not None:
        token = calendar.cohort_feed_token(user_id=user.pk, cohort_id=cohort.pk)
    return client.get(url, {"token": token} if token else {})


def test_the_feed_is_every_session_in_the_members_own_zone(client, facilitator, teacher_elsewhere):
    cohort = start_cohort(facilitator)
    services.join_with_code(actor=teacher_elsewhere, code=cohort.invite_code)
    response = _feed(client, cohort, teacher_elsewhere)  # no cookie: the token is enough
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    parsed = Calendar.from_ical(response.content)
    events = [c for c in parsed.walk("VEVENT")]
    assert len(events) == 3
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Africa/Nairobi"]
    first = events[0]
    assert first["DTSTART"].params["TZID"] == "Africa/Nairobi"
    assert first.decoded("DTSTART") == unit(cohort, 1).session_at
    assert first.decoded("DTEND") - first.decoded("DTSTART") == timedelta(minutes=60)
    assert "unit 1 session" in str(first["SUMMARY"])
    assert cohort.space.slug in str(first["LOCATION"])  # live in the cohort's room


def test_the_feed_refuses_strangers_and_old_members(client, cohort, teacher, facilitator):
    assert _feed(client, cohort).status_code == 404  # no token, no login
    assert _feed(client, cohort, token="forged").status_code == 404
    other = start_cohort(facilitator)
    wrong = calendar.cohort_feed_token(user_id=teacher.pk, cohort_id=other.pk)
    assert _feed(client, cohort, token=wrong).status_code == 404
    series = calendar.feed_token(user_id=teacher.pk, series_id=cohort.pk)
    assert _feed(client, cohort, token=series).status_code == 404  # another feed's token
    assert _feed(login(client, teacher), cohort).status_code == 200  # a signed-in browser
    client.logout()
    assert _feed(client, cohort, teacher).status_code == 200
    services.remove_member(actor=facilitator, cohort=cohort, user=teacher)
    assert _feed(client, cohort, teacher).status_code == 404
