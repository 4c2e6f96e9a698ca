"""Cohorts: starting one from a course (its units' dates, its private space, the invite
code), joining with the code, facilitators adding and removing members, a new code, and
moving the unit dates. Personas: fran facilitates (an author of the course), amira and
tom are teachers who join, olly is an outsider, stella is staff."""

import html
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.models import ChatRoom, Membership, Space
from community.services.chat import room_for
from inquiry.models import Cohort, CohortMember, CohortUnit
from inquiry.services import cohorts as services
from tests.factories import make_course, make_user

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def facilitator(db):
    return make_user(username="fran", display_name="Fran Facilitator")


@pytest.fixture
def co_author(db):
    return make_user(username="cal", display_name="Cal Coauthor")


@pytest.fixture
def course(facilitator, co_author):
    return make_course(authors=[facilitator, co_author], units=3, title="Talk for learning")


def unit_dates(course, start=None):
    start = start or timezone.localdate() - timedelta(days=20)
    return services.default_unit_dates(
        list(course.units.order_by("number")), start=start, zone=LONDON
    )


def start(course, actor, **overrides):
    fields = {"name": "Spring 2027", "capacity": 3, "unit_dates": unit_dates(course)}
    fields.update(overrides)
    return services.create_cohort(actor=actor, course=course, **fields)


@pytest.fixture
def cohort(course, facilitator):
    return start(course, facilitator)


def page(response) -> str:
    return html.unescape(response.content.decode())


def login(client, user):
    client.force_login(user)
    return client


# --- Creating a cohort ---------------------------------------------------------------------


def test_creating_a_cohort_makes_its_units_space_room_and_code(course, facilitator, co_author):
    cohort = start(course, facilitator, facilitators=[co_author])
    assert cohort.cohort_units.count() == 3
    assert set(cohort.facilitators.all()) == {facilitator, co_author}
    assert cohort.space.kind == Space.Kind.PRIVATE and cohort.space.name == "Spring 2027"
    moderators = Membership.objects.filter(space=cohort.space, role="moderator")
    assert {m.user for m in moderators} == {facilitator, co_author}
    assert len(cohort.invite_code) == 8
    assert set(cohort.invite_code) <= set(services.CODE_ALPHABET)
    assert not set(cohort.invite_code) & set("IOL01")
    assert room_for(cohort.space) == ChatRoom.objects.get(space=cohort.space)
    assert cohort.timezone_name == "Europe/London"


def test_default_dates_are_a_unit_a_fortnight_with_the_session_a_week_in(course):
    dates = services.default_unit_dates(
        list(course.units.order_by("number")), start=date(2030, 3, 4), zone=LONDON
    )
    assert [d.opens_at for d in dates] == [
        datetime(2030, 3, 4, tzinfo=LONDON),
        datetime(2030, 3, 18, tzinfo=LONDON),
        datetime(2030, 4, 1, tzinfo=LONDON),  # after the clocks change: still midnight there
    ]
    assert dates[0].session_at == datetime(2030, 3, 11, 19, 0, tzinfo=LONDON)


def test_only_authors_and_staff_start_a_cohort_of_a_published_course(
    course, teacher, staff, facilitator
):
    with pytest.raises(PermissionDenied):
        start(course, teacher)
    assert start(course, staff).facilitators.get() == staff
    draft = make_course(authors=[facilitator], units=1, published=False)
    with pytest.raises(PermissionDenied):
        start(draft, facilitator)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"capacity": 201}, "capacity"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"invite_expires_at": timezone.now() - timedelta(days=1)}, "invite_expires"),
    ],
)
def test_bad_input_creates_nothing(course, facilitator, overrides, field):
    spaces = Space.objects.count()
    with pytest.raises(ValidationError) as error:
        start(course, facilitator, **overrides)
    assert field in error.value.message_dict
    assert not Cohort.objects.exists() and Space.objects.count() == spaces


def test_a_facilitator_must_be_an_author_and_every_unit_needs_its_dates(
    course, facilitator, teacher
):
    with pytest.raises(ValidationError) as error:
        start(course, facilitator, facilitators=[teacher])
    assert "facilitators" in error.value.message_dict
    dates = unit_dates(course)
    with pytest.raises(ValidationError):
        start(course, facilitator, unit_dates=dates[:2])
    dates[1].session_at = None
    with pytest.raises(ValidationError) as error:
        start(course, facilitator, unit_dates=dates)
    assert "unit_2_session" in error.value.message_dict
    dates[1].session_at = dates[1].opens_at - timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        start(course, facilitator, unit_dates=dates)
    assert "before the unit opens" in str(error.value)
    assert not Cohort.objects.exists()


def test_create_page_takes_unit_dates_in_the_facilitators_zone(client, course, facilitator):
    facilitator.profile.timezone = "Africa/Nairobi"
    facilitator.profile.save(update_fields=["timezone"])
    login(client, facilitator)
    url = reverse("inquiry:cohort-create", kwargs={"slug": course.slug})
    assert client.get(url).status_code == 200
    data = {"name": "Nairobi 2030", "capacity": "12"}
    for n in (1, 2, 3):
        data[f"unit_{n}_opens"] = f"2030-03-{n * 7:02d}"
        data[f"unit_{n}_session"] = f"2030-03-{n * 7 + 2:02d}T19:00"
    response = client.post(url, data)
    cohort = Cohort.objects.get()
    assert response.status_code == 302 and response["Location"] == cohort.get_absolute_url()
    first = cohort.cohort_units.get(unit__number=1)
    assert first.session_at == datetime(2030, 3, 9, 16, 0, tzinfo=ZoneInfo("UTC"))  # EAT +3
    assert first.opens_at == datetime(2030, 3, 6, 21, 0, tzinfo=ZoneInfo("UTC"))
    assert cohort.timezone_name == "Africa/Nairobi" and cohort.capacity == 12


def test_create_page_spaces_units_from_a_start_date_or_asks_for_one(client, course, facilitator):
    login(client, facilitator)
    url = reverse("inquiry:cohort-create", kwargs={"slug": course.slug})
    response = client.post(url, {"name": "Spring", "capacity": "10"})
    assert response.status_code == 200 and "Give a start date" in page(response)
    response = client.post(url, {"name": "Spring", "capacity": "500", "start": "2030-01-07"})
    assert response.status_code == 200 and not Cohort.objects.exists()
    client.post(url, {"name": "Spring", "capacity": "10", "start": "2030-01-07"})
    opens = list(Cohort.objects.get().cohort_units.values_list("opens_at", flat=True))
    assert [o.astimezone(LONDON).date() for o in opens] == [
        date(2030, 1, 7),
        date(2030, 1, 21),
        date(2030, 2, 4),
    ]


def test_create_page_refuses_teachers_and_visitors(client, course, teacher):
    url = reverse("inquiry:cohort-create", kwargs={"slug": course.slug})
    assert "/accounts/login/" in client.get(url)["Location"]
    assert login(client, teacher).get(url).status_code == 403
    assert (
        client.post(url, {"name": "Mine", "capacity": "3", "start": "2030-01-07"}).status_code
        == 403
    )
    assert not Cohort.objects.exists()


# --- Joining --------------------------------------------------------------------------------


def test_joining_with_the_code_adds_the_member_to_the_cohort_and_its_space(cohort, teacher):
    member = services.join_with_code(
        actor=teacher, code=f" {cohort.invite_code.lower()[:4]}-{cohort.invite_code.lower()[4:]} "
    )
    assert member.cohort == cohort and member.added_by is None
    assert Membership.objects.get(space=cohort.space, user=teacher).role == "member"
    assert Cohort.objects.visible_to(teacher).get() == cohort


@pytest.mark.parametrize("code", ["", "NOTACODE", "ABC"])
def test_a_wrong_code_is_refused(cohort, teacher, code):
    with pytest.raises(ValidationError) as error:
        services.join_with_code(actor=teacher, code=code)
    assert "doesn't match a cohort" in str(error.value)
    assert not CohortMember.objects.exists()


def test_an_expired_code_is_refused(cohort, teacher):
    Cohort.objects.filter(pk=cohort.pk).update(invite_expires_at=timezone.now())
    with pytest.raises(ValidationError, match="expired"):
        services.join_with_code(actor=teacher, code=cohort.invite_code)
    assert not CohortMember.objects.exists()
    assert not Membership.objects.filter(space=cohort.space, user=teacher).exists()


def test_joining_twice_or_as_a_facilitator_is_refused(cohort, teacher, facilitator):
    services.join_with_code(actor=teacher, code=cohort.invite_code)
    with pytest.raises(ValidationError, match="already in this cohort"):
        services.join_with_code(actor=teacher, code=cohort.invite_code)
    with pytest.raises(ValidationError, match="You facilitate"):
        services.join_with_code(actor=facilitator, code=cohort.invite_code)
    assert CohortMember.objects.count() == 1


def test_the_last_place_goes_to_one_of_two_people_joining_at_once(cohort, teacher, colleague):
    """Capacity 3, two in: the two joins are counted one after the other under the
    cohort's row lock, so the second finds it full."""
    for _ in range(2):
        services.add_member(actor=cohort.created_by, cohort=cohort, user=make_user())
    services.join_with_code(actor=teacher, code=cohort.invite_code)
    with pytest.raises(ValidationError, match="full: all 3 places"):
        services.join_with_code(actor=colleague, code=cohort.invite_code)
    assert cohort.members.filter(removed_at=None).count() == 3
    assert not Membership.objects.filter(space=cohort.space, user=colleague).exists()


def test_the_invite_link_asks_first_then_joins(client, cohort, teacher):
    login(client, teacher)
    url = reverse("inquiry:cohort-join-code", kwargs={"code": cohort.invite_code})
    response = client.get(url)
    assert response.status_code == 200 and "Join Spring 2027" in page(response)
    assert not CohortMember.objects.exists()  # a GET writes nothing
    response = client.post(url, {"code": cohort.invite_code})
    assert response.status_code == 302 and response["Location"] == cohort.get_absolute_url()
    assert CohortMember.objects.get().user == teacher
    assert client.get(url)["Location"] == cohort.get_absolute_url()  # a member is sent in


def test_a_wrong_invite_link_says_so_and_saves_nothing(client, cohort, teacher):
    login(client, teacher)
    response = client.get(reverse("inquiry:cohort-join-code", kwargs={"code": "WRONG234"}))
    assert response.status_code == 200
    assert "doesn't work" in page(response)
    assert "Spring 2027" not in page(response)  # nothing about any cohort
    response = client.post(
        reverse("inquiry:cohort-join-code", kwargs={"code": "WRONG234"}), {"code": "WRONG234"}
    )
    assert response.status_code == 200 and not CohortMember.objects.exists()


def test_typing_the_code(client, cohort, teacher, colleague):
    url = reverse("inquiry:cohort-join")
    assert "/accounts/login/" in client.get(url)["Location"]
    login(client, teacher)
    response = client.post(url, {"code": "nope"})
    assert "doesn't match a cohort" in page(response)
    assert client.post(url, {"code": cohort.invite_code})["Location"] == cohort.get_absolute_url()
    Cohort.objects.filter(pk=cohort.pk).update(capacity=1)
    login(client, colleague)
    response = client.post(url, {"code": cohort.invite_code})
    assert response.status_code == 200 and "This cohort is full" in page(response)
    assert cohort.members.count() == 1


# --- Members, the code and the dates -----------------------------------------------------------


def test_a_facilitator_adds_someone_by_email_or_username(client, cohort, facilitator, teacher):
    login(client, facilitator)
    url = reverse("inquiry:cohort-members", kwargs={"slug": cohort.slug})
    assert client.get(url).status_code == 200
    response = client.post(url, {"who": teacher.email.upper()})
    assert response.status_code == 302
    member = CohortMember.objects.get()
    assert member.user == teacher and member.added_by == facilitator
    assert "Amira Khan" in page(client.get(url))
    response = client.post(url, {"who": "@amira"})
    assert "already in this cohort" in page(response)
    response = client.post(url, {"who": "nobody-here"})
    assert "Nobody on Staffroom" in page(response)
    assert CohortMember.objects.count() == 1


def test_adding_respects_capacity(cohort, facilitator, teacher):
    Cohort.objects.filter(pk=cohort.pk).update(capacity=1)
    services.add_member(actor=facilitator, cohort=cohort, user=make_user())
    with pytest.raises(ValidationError, match="full"):
        services.add_member(actor=facilitator, cohort=cohort, user=teacher)
    assert cohort.members.count() == 1


def test_members_and_outsiders_cannot_run_the_cohort(client, cohort, teacher, colleague, outsider):
    services.join_with_code(actor=teacher, code=cohort.invite_code)
    with pytest.raises(PermissionDenied):
        services.add_member(actor=teacher, cohort=cohort, user=colleague)
    url = reverse("inquiry:cohort-members", kwargs={"slug": cohort.slug})
    login(client, teacher)
    assert client.get(url).status_code == 403
    assert client.post(url, {"who": "tom"}).status_code == 403
    code_url = reverse("inquiry:cohort-code", kwargs={"slug": cohort.slug})
    assert client.post(code_url).status_code == 403
    login(client, outsider)
    assert client.post(url, {"who": "tom"}).status_code == 404
    assert client.get(cohort.get_absolute_url()).status_code == 404
    assert cohort.members.count() == 1


def test_removing_a_member_takes_them_out_of_the_space(client, cohort, facilitator, teacher):
    services.join_with_code(actor=teacher, code=cohort.invite_code)
    login(client, facilitator)
    url = reverse("inquiry:cohort-member-remove", kwargs={"slug": cohort.slug, "username": "amira"})
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert CohortMember.objects.get().removed_at is not None
    assert not Membership.objects.filter(space=cohort.space, user=teacher).exists()
    assert Membership.objects.filter(space=cohort.space, user=facilitator).exists()
    assert not Cohort.objects.visible_to(teacher).exists()
    with pytest.raises(ValidationError, match="took you off"):
        services.join_with_code(actor=teacher, code=cohort.invite_code)
    services.add_member(actor=facilitator, cohort=cohort, user=teacher)  # they come back
    assert CohortMember.objects.get().removed_at is None
    with pytest.raises(ValidationError):
        services.remove_member(actor=facilitator, cohort=cohort, user=make_user())


def test_a_new_code_stops_the_old_one(client, cohort, facilitator, teacher):
    old = cohort.invite_code
    login(client, facilitator)
    url = reverse("inquiry:cohort-code", kwargs={"slug": cohort.slug})
    assert client.get(url).status_code == 405
    assert client.post(url, {"invite_expires": "2099-01-31"}).status_code == 302
    cohort.refresh_from_db()
    assert cohort.invite_code != old
    assert cohort.invite_expires_at == datetime(2099, 2, 1, tzinfo=LONDON)  # end of that day
    with pytest.raises(ValidationError):
        services.join_with_code(actor=teacher, code=old)
    services.join_with_code(actor=teacher, code=cohort.invite_code)


def test_moving_unit_dates_in_the_facilitators_zone(client, cohort, facilitator, teacher):
    facilitator.profile.timezone = "America/New_York"
    facilitator.profile.save(update_fields=["timezone"])
    url = reverse("inquiry:cohort-dates", kwargs={"slug": cohort.slug})
    login(client, facilitator)
    assert client.get(url).status_code == 200
    data = {}
    for n in (1, 2, 3):
        data[f"unit_{n}_opens"] = f"2030-06-{n:02d}"
        data[f"unit_{n}_session"] = f"2030-06-{n + 3:02d}T18:30"
    assert client.post(url, data).status_code == 302
    first = CohortUnit.objects.get(cohort=cohort, unit__number=1)
    assert first.session_at == datetime(2030, 6, 4, 22, 30, tzinfo=ZoneInfo("UTC"))  # EDT -4
    data["unit_2_session"] = "2030-06-01T10:00"  # before unit 2 opens
    response = client.post(url, data)
    assert "before the unit opens" in page(response)
    assert CohortUnit.objects.get(cohort=cohort, unit__number=2).session_at.day == 5
    services.join_with_code(actor=teacher, code=cohort.invite_code)
    login(client, teacher)
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
