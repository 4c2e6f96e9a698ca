"""The moderation log: one row per action, readable by the space's moderators and staff,
and nobody can change it."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.models import ModerationAction
from community.services import moderation
from community.views import moderation as moderation_views
from tests.factories import make_space, make_thread, make_user, post_of


def test_every_action_writes_one_row_with_who_what_target_and_reason(
    thread, space, moderator, teacher
):
    moderation.hide_post(actor=moderator, post=post_of(thread), reason="Names a pupil")
    row = ModerationAction.objects.get()
    assert row.actor == moderator and row.action == "hide_post"
    assert (row.space, row.thread, row.post, row.target_user) == (
        space,
        thread,
        post_of(thread),
        teacher,
    )
    assert row.reason == "Names a pupil" and row.created_at is not None
    assert str(row) == "rob: Hid a post"


def test_a_refused_action_writes_nothing(thread, colleague):
    with pytest.raises(PermissionDenied):
        moderation.set_thread_pinned(actor=colleague, thread=thread, pinned=True)
    assert not ModerationAction.objects.exists()


def test_the_model_refuses_to_change_or_delete_a_row(thread, moderator):
    moderation.set_thread_locked(actor=moderator, thread=thread, locked=True, reason="Heated")
    row = ModerationAction.objects.get()
    row.reason = "Nothing to see here"
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()
    assert ModerationAction.objects.get().reason == "Heated"


def test_there_is_no_url_to_edit_or_delete_the_log():
    names = {p.name for p in moderation_views.urlpatterns}
    assert not {n for n in names if "log" in n and n not in {"log", "space-log"}}
    assert not any("edit" in n or "delete" in n for n in names)


def test_the_space_log_is_readable_by_its_moderators(client, thread, space, moderator):
    moderation.set_thread_pinned(actor=moderator, thread=thread, pinned=True)
    client.force_login(moderator)
    response = client.get(reverse("community:space-log", args=[space.slug]))
    assert response.status_code == 200
    assert [r.action for r in response.context["page"]] == ["pin_thread"]
    assert "Pinned a thread" in response.content.decode()


def test_the_space_log_shows_only_that_space(client, thread, space, moderator, other_moderator):
    elsewhere = make_thread(space=make_space(moderators=[other_moderator]), author=other_moderator)
    moderation.set_thread_pinned(actor=other_moderator, thread=elsewhere, pinned=True)
    moderation.set_thread_locked(actor=moderator, thread=thread, locked=True)
    client.force_login(moderator)
    page = client.get(reverse("community:space-log", args=[space.slug])).context["page"]
    assert [r.action for r in page] == ["lock_thread"]


def test_the_space_log_is_403_for_members_and_other_moderators(
    client, space, teacher, other_moderator
):
    url = reverse("community:space-log", args=[space.slug])
    client.force_login(teacher)
    assert client.get(url).status_code == 403
    client.force_login(other_moderator)
    assert client.get(url).status_code == 403


def test_a_private_space_log_is_404_for_outsiders(client, private_space, outsider):
    client.force_login(outsider)
    assert client.get(reverse("community:space-log", args=[private_space.slug])).status_code == 404


def test_staff_read_every_log(client, thread, space, moderator, staff, teacher):
    moderation.set_thread_locked(actor=moderator, thread=thread, locked=True)
    moderation.suspend_account(
        actor=staff,
        user=teacher,
        until=timezone.now() + timedelta(days=1),
        reason="x",
    )
    client.force_login(staff)
    assert client.get(reverse("community:space-log", args=[space.slug])).status_code == 200
    response = client.get(reverse("community:log"))
    assert response.status_code == 200
    assert [r.action for r in response.context["page"]] == ["suspend_account", "lock_thread"]


def test_the_network_log_is_staff_only(client, moderator):
    client.force_login(moderator)
    assert client.get(reverse("community:log")).status_code == 403


def test_the_log_is_paginated(client, space, moderator):
    thread = make_thread(space=space, author=make_user())
    for pinned in [True, False] * 26:
        moderation.set_thread_pinned(actor=moderator, thread=thread, pinned=pinned)
    client.force_login(moderator)
    url = reverse("community:space-log", args=[space.slug])
    first = client.get(url).context["page"]
    assert len(first) == 50 and first.has_next()
    assert len(client.get(url, {"page": 2}).context["page"]) == 2


@pytest.mark.parametrize("n", [1, 5])
def test_the_log_query_count_does_not_grow(
    client, space, moderator, teacher, django_assert_num_queries, n
):
    for _ in range(n):
        thread = make_thread(space=space, author=teacher)
        moderation.hide_post(actor=moderator, post=post_of(thread), reason="x")
        moderation.set_thread_locked(actor=moderator, thread=thread, locked=True)
    client.force_login(moderator)
    url = reverse("community:space-log", args=[space.slug])
    # session, user, profile, space, memberships, count, rows; the frame's two lookups
    with django_assert_num_queries(9):
        response = client.get(url)
    assert len(response.context["page"]) == 2 * n
