"""A teacher's profile page, seen by colleagues across the network."""

from django.urls import reverse

from community.models import Profile


def profile_url(user):
    return reverse("community:profile", kwargs={"username": user.username})


def test_teacher_elsewhere_sees_the_profile_without_edit_link(client, teacher, teacher_elsewhere):
    Profile.objects.filter(user=teacher).update(bio_html="<p>Reading lead</p>")
    client.force_login(teacher_elsewhere)
    response = client.get(profile_url(teacher))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Amira Khan" in body and "Reading lead" in body and "Riverside Primary" in body
    assert 'class="button button-secondary" href="/people/amira/edit/"' not in body


def test_owner_sees_the_edit_link(teacher_client, teacher):
    body = teacher_client.get(profile_url(teacher)).content.decode()
    assert 'class="button button-secondary" href="/people/amira/edit/"' in body


def test_handles_are_case_insensitive(teacher_client, teacher):
    assert teacher_client.get("/people/AMIRA/").status_code == 200


def test_anonymous_is_sent_to_login(client, teacher):
    response = client.get(profile_url(teacher))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_deactivated_accounts_are_not_found(teacher_client, colleague):
    colleague.is_active = False
    colleague.save(update_fields=["is_active"])
    assert teacher_client.get(profile_url(colleague)).status_code == 404


def test_wrong_method_is_405(teacher_client, teacher):
    assert teacher_client.post(profile_url(teacher)).status_code == 405


def test_recent_posts_show_only_what_the_viewer_may_see(
    client, teacher, outsider, space, private_space
):
    from tests.factories import make_thread

    make_thread(space=space, author=teacher, title="Open to all")
    make_thread(space=private_space, author=teacher, title="Members only")
    client.force_login(outsider)
    body = client.get(profile_url(teacher)).content.decode()
    assert "Open to all" in body and "Members only" not in body
