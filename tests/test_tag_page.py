"""A tag's page: the threads a teacher may see with that tag."""

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Tag
from tests.factories import make_space, make_thread, make_user


@pytest.fixture
def ks2(db):
    return Tag.objects.create(name="ks2")


def url(name):
    return reverse("community:tag", kwargs={"name": name})


def test_lists_visible_threads_latest_activity_first(client, teacher, space, private_space, ks2):
    older = make_thread(space=space, author=teacher, title="Older thread")
    newer = make_thread(space=space, author=teacher, title="Newer thread")
    private = make_thread(space=private_space, author=teacher, title="Private thread")
    make_thread(space=space, author=teacher, title="Untagged thread")
    older.last_activity_at = timezone.now() - timezone.timedelta(days=1)
    older.save(update_fields=["last_activity_at"])
    for thread in (older, newer, private):
        thread.tags.add(ks2)
    client.force_login(teacher)
    response = client.get(url("ks2"))
    assert response.status_code == 200
    assert [t.title for t in response.context["page"]] == [
        "Private thread",
        "Newer thread",
        "Older thread",
    ]
    assert "<h1>#ks2</h1>" in response.content.decode()


def test_an_outsider_sees_only_threads_they_may_see(client, outsider, teacher, space, ks2):
    private_space = make_space(kind="private", members=[teacher])
    make_thread(space=private_space, author=teacher, title="Private thread").tags.add(ks2)
    make_thread(space=space, author=teacher, title="Open thread").tags.add(ks2)
    deleted = make_thread(space=space, author=teacher, title="Deleted thread")
    deleted.tags.add(ks2)
    deleted.deleted_at = timezone.now()
    deleted.save(update_fields=["deleted_at"])
    client.force_login(outsider)
    body = client.get(url("ks2")).content.decode()
    assert "Open thread" in body
    assert "Private thread" not in body and "Deleted thread" not in body


def test_a_tag_used_only_where_the_viewer_cannot_read_is_404(client, outsider, teacher, ks2):
    private_space = make_space(kind="private", members=[teacher])
    make_thread(space=private_space, author=teacher).tags.add(ks2)
    client.force_login(outsider)
    assert client.get(url("ks2")).status_code == 404
    client.force_login(teacher)
    assert client.get(url("ks2")).status_code == 200


def test_unknown_tag_is_404(teacher_client):
    assert teacher_client.get(url("no-such-tag")).status_code == 404


def test_threads_are_paginated(client, teacher, space, ks2):
    for _ in range(23):
        make_thread(space=space, author=teacher).tags.add(ks2)
    client.force_login(teacher)
    assert len(client.get(url("ks2")).context["page"].object_list) == 20
    assert len(client.get(url("ks2"), {"page": 2}).context["page"].object_list) == 3


def test_anonymous_is_sent_to_login(client, ks2):
    response = client.get(url("ks2"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_wrong_method_is_405(teacher_client, ks2):
    assert teacher_client.post(url("ks2")).status_code == 405


@pytest.mark.parametrize("size", [2, 25])
def test_query_count_does_not_grow(client, teacher, space, ks2, django_assert_num_queries, size):
    for n in range(size):
        make_thread(space=space, author=make_user(display_name=f"Author {n}")).tags.add(ks2)
    client.force_login(teacher)
    # session, user, profile (timezone), tag, count, page of threads, and the page
    # frame's unread count and moderator check
    with django_assert_num_queries(8):
        response = client.get(url("ks2"))
    assert len(response.context["page"].object_list) == min(size, 20)
