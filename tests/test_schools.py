"""The schools directory, a school's page, and adding a school."""

import pytest
from django.urls import reverse

from community.models import School
from tests.factories import make_school, make_user


def test_directory_lists_schools_with_member_counts(teacher_client, teacher, colleague, school):
    make_school(name="Hillcrest Academy", town="Bristol")
    response = teacher_client.get(reverse("community:schools"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Riverside Primary" in body and "Hillcrest Academy" in body
    assert "2 members" in body and "2 schools" in body


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"q": "crest"}, ["Hillcrest Academy"]),
        ({"q": "bristol"}, ["Hillcrest Academy"]),
        ({"q": "nairobi"}, ["Nairobi Hills"]),
        ({"country": "KE"}, ["Nairobi Hills"]),
        ({"phase": "secondary"}, ["Hillcrest Academy", "Nairobi Hills"]),
        ({"q": "zzz"}, []),
    ],
)
def test_directory_search_and_filters(teacher_client, school, query, expected):
    make_school(name="Hillcrest Academy", town="Bristol", phase="secondary")
    make_school(
        name="Nairobi Hills",
        town="Nairobi",
        country="KE",
        phase="secondary",
        timezone="Africa/Nairobi",
    )
    page = teacher_client.get(reverse("community:schools"), query).context["page"]
    assert [s.name for s in page] == expected


def test_directory_ignores_a_bad_filter_value_with_a_message(teacher_client, school):
    response = teacher_client.get(reverse("community:schools"), {"country": "XX"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_directory_query_count_does_not_grow(client, db, django_assert_num_queries, size):
    user = make_user()
    for n in range(size):
        make_user(school=make_school(name=f"S{n}"))
    client.force_login(user)
    # session, user, profile (timezone), countries for the filter, count, page of schools,
    # and the page frame's unread count and moderator check
    with django_assert_num_queries(8):
        assert client.get(reverse("community:schools")).status_code == 200


@pytest.mark.parametrize("size", [2, 25])
def test_school_page_query_count_does_not_grow(client, school, django_assert_num_queries, size):
    user = make_user(school=school)
    for _ in range(size):
        make_user(school=school)
    client.force_login(user)
    # session, user, profile, school, member count, members page, phases, subjects, the
    # school's priorities and whether the viewer leads the school (inquiry), and the page
    # frame's unread count and moderator check
    with django_assert_num_queries(12):
        response = client.get(school.get_absolute_url())
    assert response.status_code == 200
    assert f"Members ({size + 1})" in response.content.decode()


def test_anonymous_is_sent_to_login(client, school):
    for url in [
        reverse("community:schools"),
        school.get_absolute_url(),
        reverse("community:school-create"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_unknown_school_is_404(teacher_client):
    assert teacher_client.get("/schools/no-such-school/").status_code == 404


def test_wrong_methods_are_405(teacher_client, school):
    assert teacher_client.post(reverse("community:schools")).status_code == 405
    assert teacher_client.post(school.get_absolute_url()).status_code == 405
    assert teacher_client.delete(reverse("community:school-create")).status_code == 405


def add(client, **overrides):
    data = {
        "name": "Colegio Sierra Nevada",
        "town": "Granada",
        "country": "ES",
        "timezone": "Europe/Madrid",
        "phase": "all_through",
    }
    data.update(overrides)
    return client.post(reverse("community:school-create"), data)


def test_teacher_adds_a_school(teacher_client, teacher):
    response = add(teacher_client)
    school = School.objects.get(name="Colegio Sierra Nevada")
    assert (
        response["Location"]
        == school.get_absolute_url()
        == "/schools/colegio-sierra-nevada-granada/"
    )
    assert school.created_by == teacher and school.timezone == "Europe/Madrid"


def test_two_schools_with_the_same_slug_get_distinct_urls(teacher_client):
    add(teacher_client)
    add(teacher_client, country="MX", timezone="America/Mexico_City")
    assert sorted(
        School.objects.filter(name__startswith="Colegio").values_list("slug", flat=True)
    ) == ["colegio-sierra-nevada-granada", "colegio-sierra-nevada-granada-2"]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"name": ""}, "This field is required."),
        ({"name": "n" * 121}, "at most 120 characters"),
        ({"timezone": "Europe/Atlantis"}, "Select a valid choice"),
        ({"country": "ZZ"}, "Select a valid choice"),
        ({"phase": "university"}, "Select a valid choice"),
    ],
)
def test_bad_school_input_is_refused(teacher_client, overrides, message):
    response = add(teacher_client, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not School.objects.filter(town="Granada").exists()


def test_a_school_already_listed_is_refused(teacher_client):
    add(teacher_client)
    response = add(teacher_client, name="colegio sierra nevada", town="GRANADA")
    assert "already in the directory" in response.content.decode()
    assert School.objects.filter(town__iexact="granada").count() == 1
