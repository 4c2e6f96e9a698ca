"""Editing my profile (and the onboarding step, which is the first edit)."""

import pytest
from django.urls import reverse

from community.models import Phase, Profile, Subject, User


def edit_url(user):
    return reverse("community:profile-edit", kwargs={"username": user.username})


def valid_data(**overrides):
    data = {
        "display_name": "Amira Khan",
        "username": "amira",
        "school": "",
        "career_stage": "teacher",
        "phases": [Phase.objects.get(slug="primary").pk],
        "subjects": [Subject.objects.get(name="English").pk],
        "timezone": "Europe/London",
        "bio": "I teach *Year 2*.",
    }
    data.update(overrides)
    return data


def test_owner_sees_the_form_filled_in(teacher_client, teacher):
    response = teacher_client.get(edit_url(teacher))
    assert response.status_code == 200
    assert b'value="Amira Khan"' in response.content
    assert b"Edit your profile" in response.content


def test_owner_saves_profile_and_bio_is_rendered(teacher_client, teacher, school):
    response = teacher_client.post(
        edit_url(teacher), valid_data(school=school.pk, timezone="Asia/Kolkata")
    )
    assert response.status_code == 302
    assert response["Location"] == "/people/amira/"
    profile = Profile.objects.get(user=teacher)
    assert profile.timezone == "Asia/Kolkata"
    assert profile.school == school
    assert profile.bio_html == "<p>I teach <em>Year 2</em>.</p>"
    assert [p.slug for p in profile.phases.all()] == ["primary"]


def test_changing_the_handle_moves_the_profile_url(teacher_client, teacher):
    response = teacher_client.post(edit_url(teacher), valid_data(username="amira.k"))
    assert response["Location"] == "/people/amira.k/"
    assert User.objects.get(pk=teacher.pk).username == "amira.k"


def test_first_save_completes_onboarding(client, newcomer):
    client.force_login(newcomer)
    response = client.get(edit_url(newcomer))
    assert b"Tell colleagues who you are" in response.content
    client.post(edit_url(newcomer), valid_data(username="newbie"))
    assert Profile.objects.get(user=newcomer).is_onboarded


def test_anonymous_is_sent_to_login(client, teacher):
    response = client.get(edit_url(teacher))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_another_teacher_may_not_edit(client, teacher, colleague):
    client.force_login(colleague)
    assert client.get(edit_url(teacher)).status_code == 403
    response = client.post(edit_url(teacher), valid_data(display_name="Hacked"))
    assert response.status_code == 403
    assert Profile.objects.get(user=teacher).display_name == "Amira Khan"


def test_unknown_handle_is_404(teacher_client):
    assert teacher_client.get("/people/nobody/edit/").status_code == 404


def test_wrong_method_is_405(teacher_client, teacher):
    assert teacher_client.put(edit_url(teacher)).status_code == 405


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("display_name", "", "This field is required."),
        ("display_name", "   ", "This field is required."),
        ("display_name", "x" * 81, "at most 80 characters"),
        ("bio", "b" * 1001, "at most 1000 characters"),
        ("timezone", "Mars/Olympus_Mons", "Select a valid choice"),
        ("username", "no spaces please", "Use 1 to 30 letters"),
        ("username", "-dash", "Use 1 to 30 letters"),
        ("username", "x" * 31, "at most 30 characters"),
        ("career_stage", "headmaster-general", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(teacher_client, teacher, field, value, message):
    before = Profile.objects.values().get(user=teacher)
    response = teacher_client.post(edit_url(teacher), valid_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert b'role="alert"' in response.content
    assert Profile.objects.values().get(user=teacher) == before
    assert User.objects.get(pk=teacher.pk).username == "amira"


def test_a_handle_taken_in_another_case_is_refused(teacher_client, teacher, colleague):
    response = teacher_client.post(edit_url(teacher), valid_data(username="TOM"))
    assert "That handle is taken" in response.content.decode()
    assert User.objects.get(pk=teacher.pk).username == "amira"
