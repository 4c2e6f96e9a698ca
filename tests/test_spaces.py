"""Spaces: who sees them, joining, leaving, inviting, and the directory."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community.models import Membership, Notification, Space
from community.services import forum
from tests.factories import make_space


def test_network_spaces_are_visible_to_every_signed_in_teacher(space, outsider):
    assert Space.objects.visible_to(outsider).filter(pk=space.pk).exists()


def test_private_spaces_are_visible_to_members_only(private_space, teacher, outsider, staff):
    assert Space.objects.visible_to(teacher).filter(pk=private_space.pk).exists()
    assert not Space.objects.visible_to(outsider).filter(pk=private_space.pk).exists()
    assert Space.objects.visible_to(staff).filter(pk=private_space.pk).exists()


def test_a_school_space_is_visible_to_that_schools_teachers(school, teacher, teacher_elsewhere):
    space = make_space(kind="school", school=school)
    assert Space.objects.visible_to(teacher).filter(pk=space.pk).exists()
    assert not Space.objects.visible_to(teacher_elsewhere).filter(pk=space.pk).exists()


def test_adding_a_school_opens_its_space(teacher_client):
    teacher_client.post(
        reverse("community:school-create"),
        {
            "name": "Banksia Bay",
            "town": "Sydney",
            "country": "AU",
            "timezone": "Australia/Sydney",
            "phase": "primary",
        },
    )
    assert Space.objects.get(kind="school", school__name="Banksia Bay").name == "Banksia Bay"


def test_join_and_leave_a_network_space(client, space, outsider):
    client.force_login(outsider)
    client.post(reverse("community:space-join", args=[space.slug]))
    assert Membership.objects.filter(space=space, user=outsider).exists()
    client.post(reverse("community:space-leave", args=[space.slug]))
    assert not Membership.objects.filter(space=space, user=outsider).exists()


def test_private_spaces_cannot_be_joined_and_are_404_to_outsiders(client, private_space, outsider):
    client.force_login(outsider)
    assert client.get(private_space.get_absolute_url()).status_code == 404
    assert (
        client.post(reverse("community:space-join", args=[private_space.slug])).status_code == 404
    )


def test_joining_twice_is_refused(space, teacher):
    with pytest.raises(PermissionDenied):
        forum.join_space(actor=teacher, space=space)
    assert Membership.objects.filter(space=space, user=teacher).count() == 1


def test_moderator_invites_a_teacher_who_is_notified(client, private_space, moderator, outsider):
    client.force_login(moderator)
    response = client.post(
        reverse("community:space-members", args=[private_space.slug]), {"username": "@olly"}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(space=private_space, user=outsider).exists()
    assert Notification.objects.get(user=outsider).kind == "invite"


def test_inviting_an_unknown_handle_or_a_member_is_a_clear_error(client, private_space, moderator):
    client.force_login(moderator)
    url = reverse("community:space-members", args=[private_space.slug])
    assert (
        "No one on Staffroom has the handle"
        in client.post(url, {"username": "ghost"}).content.decode()
    )
    assert "already a member" in client.post(url, {"username": "amira"}).content.decode()


def test_members_cannot_invite(client, private_space, teacher):
    client.force_login(teacher)
    url = reverse("community:space-members", args=[private_space.slug])
    assert client.post(url, {"username": "olly"}).status_code == 403


def test_teacher_opens_a_private_space_and_moderates_it(teacher_client, teacher):
    response = teacher_client.post(
        reverse("community:space-create"), {"name": "Year 4 team", "kind": "private"}
    )
    space = Space.objects.get(name="Year 4 team")
    assert response["Location"] == space.get_absolute_url()
    assert Membership.objects.get(space=space, user=teacher).role == "moderator"


def test_only_staff_open_network_spaces(teacher_client, client, staff):
    response = teacher_client.post(
        reverse("community:space-create"), {"name": "X", "kind": "network"}
    )
    assert "Select a valid choice" in response.content.decode()
    client.force_login(staff)
    client.post(reverse("community:space-create"), {"name": "Oracy", "kind": "network"})
    assert Space.objects.filter(name="Oracy", kind="network").exists()


def test_a_school_space_needs_a_school(staff):
    with pytest.raises(ValidationError):
        forum.create_space(actor=staff, name="Orphan", kind="school")


def test_directory_filters_and_lists_my_spaces_first(teacher_client, space):
    from community.models import Subject

    maths = Subject.objects.get(name="Mathematics")
    space.subjects.add(maths)
    make_space(name="Behaviour", slug="behaviour")
    names = [s.name for s in teacher_client.get(reverse("community:spaces")).context["spaces"]]
    assert names[0] == "Primary maths"
    filtered = teacher_client.get(reverse("community:spaces"), {"subject": "mathematics"})
    assert [s.name for s in filtered.context["spaces"]] == ["Primary maths"]


@pytest.mark.parametrize("threads", [2, 30])
def test_space_page_query_count_does_not_grow(
    client, space, teacher, django_assert_num_queries, threads
):
    from tests.factories import make_thread

    for _ in range(threads):
        make_thread(space=space, author=teacher, replies=2)
    client.force_login(teacher)
    # session, user, profile, space, memberships (rules), thread count, page of threads,
    # the frame's unread count and moderator check
    with django_assert_num_queries(9):
        response = client.get(space.get_absolute_url())
    assert response.status_code == 200


def test_space_page_shows_unread_counts(client, space, teacher, colleague):
    from tests.factories import make_thread

    thread = make_thread(space=space, author=colleague, replies=3)
    forum.mark_read(actor=teacher, thread=thread, number=2)
    client.force_login(teacher)
    row = client.get(space.get_absolute_url()).context["page"][0]
    assert row.unread == 2
