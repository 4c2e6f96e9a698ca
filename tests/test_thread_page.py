"""Reading a thread: pages, permalinks, unread markers, and what each reader sees."""

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Post, ReadState
from community.services import forum
from tests.factories import make_thread, post_of


def test_thread_page_shows_posts_and_marks_them_read(teacher_client, thread, teacher):
    response = teacher_client.get(thread.get_absolute_url())
    assert response.status_code == 200
    assert "Number talks in Year 4" in response.content.decode()
    assert ReadState.objects.get(user=teacher, thread=thread).last_read_number == 1


def test_a_wrong_slug_redirects_to_the_right_one(teacher_client, thread):
    response = teacher_client.get(f"/t/old-title/{thread.pk}/")
    assert response["Location"] == thread.get_absolute_url()


def test_permalinks_find_the_page_a_post_is_on(teacher_client, space, teacher):
    thread = make_thread(space=space, author=teacher, replies=45)
    post = post_of(thread, 42)
    response = teacher_client.get(reverse("community:post", args=[post.pk]))
    assert response["Location"] == f"{thread.get_absolute_url()}?page=3#post-42"


def test_jump_to_first_unread(teacher_client, space, colleague, teacher):
    thread = make_thread(space=space, author=colleague, replies=30)
    forum.mark_read(actor=teacher, thread=thread, number=25)
    response = teacher_client.get(reverse("community:thread-unread", args=[thread.pk]))
    assert response["Location"] == reverse("community:post", args=[post_of(thread, 26).pk])


def test_reading_an_earlier_page_never_moves_the_marker_back(
    teacher_client, space, colleague, teacher
):
    thread = make_thread(space=space, author=colleague, replies=30)
    forum.mark_read(actor=teacher, thread=thread, number=31)
    teacher_client.get(thread.get_absolute_url())
    assert ReadState.objects.get(user=teacher, thread=thread).last_read_number == 31


def test_hidden_and_deleted_posts_keep_their_place_without_their_text(
    client, thread, colleague, moderator
):
    hidden = forum.post_reply(actor=colleague, thread=thread, body="secret words")
    Post.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now(), hidden_reason="Unkind")
    gone = forum.post_reply(actor=colleague, thread=thread, body="deleted words")
    forum.delete_post(actor=colleague, post=gone)
    client.force_login(make_reader := thread.author)
    body = client.get(thread.get_absolute_url()).content.decode()
    assert "secret words" not in body and "deleted words" not in body
    assert "A moderator hid this post." in body and "This post was deleted." in body
    client.force_login(colleague)
    assert (
        "secret words" in client.get(thread.get_absolute_url()).content.decode()
    )  # author: told why
    client.force_login(moderator)
    body = client.get(thread.get_absolute_url()).content.decode()
    # A hidden post is for moderators to review; deleted words are gone for everyone.
    assert "secret words" in body and "deleted words" not in body
    assert make_reader


def test_private_thread_is_404_to_outsiders(client, private_space, teacher, outsider):
    thread = make_thread(space=private_space, author=teacher)
    client.force_login(outsider)
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert client.get(reverse("community:post", args=[post_of(thread).pk])).status_code == 404


@pytest.mark.parametrize("replies", [4, 499])
def test_thread_page_query_count_does_not_grow(
    client, space, teacher, colleague, django_assert_num_queries, replies
):
    thread = make_thread(
        space=space, author=teacher, replies=replies, repliers=[colleague, teacher]
    )
    client.force_login(teacher)
    last_page = (replies + 1 + 19) // 20
    # A first visit: it also creates the reader's read marker.
    with django_assert_num_queries(19):  # the last includes the live stream's head
        response = client.get(f"{thread.get_absolute_url()}?page={last_page}")
    assert response.status_code == 200
