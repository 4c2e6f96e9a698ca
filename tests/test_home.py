"""The home page: a landing page for visitors, the teacher's own page when signed in."""

import pytest
from django.urls import reverse

from tests.factories import make_space, make_thread, make_user


def test_visitor_sees_the_landing_page(client, teacher):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Professional learning that teachers own" in body
    assert reverse("account_signup") in body
    assert "1 teacher from 1 school in 1 country" in body


def test_teacher_sees_profile_school_and_colleagues(teacher_client, colleague, teacher_elsewhere):
    body = teacher_client.get("/").content.decode()
    assert "Welcome back, Amira Khan" in body
    assert "Riverside Primary" in body
    assert "Tom Hughes" in body  # a colleague at the same school
    assert "Wanjiru Kamau" in body  # new to the network


def test_peers_share_phases_or_subjects_and_come_from_other_schools(
    teacher_client, teacher, teacher_elsewhere
):
    from community.models import Subject

    english = Subject.objects.get(name="English")
    teacher.profile.subjects.add(english)
    teacher_elsewhere.profile.subjects.add(english)
    peers = teacher_client.get("/").context["peers"]
    assert [p.display_name for p in peers] == ["Wanjiru Kamau"]


def test_newcomer_is_sent_to_complete_the_profile(client, newcomer):
    client.force_login(newcomer)
    response = client.get("/")
    assert response["Location"] == reverse("community:profile-edit", args=["newbie"])


def test_wrong_method_is_405(client):
    assert client.post("/").status_code == 405


@pytest.mark.parametrize("size", [2, 20])
def test_home_query_count_does_not_grow(client, school, django_assert_num_queries, size):
    user = make_user(school=school)
    space = make_space(members=[user])
    for _ in range(size):
        make_thread(space=space, author=make_user(school=school), replies=1)
    client.force_login(user)
    with django_assert_num_queries(20):
        client.get("/")


def test_home_shows_the_latest_threads_in_my_spaces_only(
    teacher_client, teacher, space, private_space, outsider
):
    make_thread(space=space, author=teacher, title="Visible to me")
    other = make_space(name="Not mine", slug="not-mine")
    make_thread(space=other, author=outsider, title="Elsewhere")
    body = teacher_client.get("/").content.decode()
    assert "Visible to me" in body and "Elsewhere" not in body
    assert "Reading group" in body  # my private space is listed under my spaces
