"""Editing, deleting, reacting, answering, following."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community.models import Follow, ModerationAction, Notification, PostRevision, Reaction
from community.services import forum
from tests.factories import make_thread, post_of


def test_author_edits_and_the_old_text_is_kept(teacher_client, thread, teacher):
    post = post_of(thread)
    response = teacher_client.post(
        reverse("community:post-edit", args=[post.pk]), {"body": "Better *words*"}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body_html == "<p>Better <em>words</em></p>" and post.edited_at is not None
    assert PostRevision.objects.get(post=post).body == "Opening post"
    assert "edited" in teacher_client.get(thread.get_absolute_url()).content.decode()


def test_editing_someone_elses_post_is_403(client, thread, colleague):
    client.force_login(colleague)
    url = reverse("community:post-edit", args=[post_of(thread).pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"body": "hijack"}).status_code == 403
    assert post_of(thread).body == "Opening post"


def test_a_moderator_edit_is_logged_and_history_is_for_moderators(
    client, thread, moderator, teacher
):
    post = post_of(thread)
    forum.edit_post(actor=moderator, post=post, body="Tidied by a moderator")
    assert ModerationAction.objects.get().action == "edit_post"
    history = reverse("community:post-history", args=[post.pk])
    client.force_login(teacher)
    assert client.get(history).status_code == 403
    client.force_login(moderator)
    assert "Opening post" in client.get(history).content.decode()


def test_an_empty_edit_is_refused_and_nothing_changes(teacher_client, thread):
    post = post_of(thread)
    response = teacher_client.post(reverse("community:post-edit", args=[post.pk]), {"body": "  "})
    assert "Write something first." in response.content.decode()
    post.refresh_from_db()
    assert post.body == "Opening post" and not PostRevision.objects.exists()


def test_delete_is_soft_and_deleting_the_opening_post_deletes_the_thread(
    teacher_client, thread, space
):
    response = teacher_client.post(reverse("community:post-delete", args=[post_of(thread).pk]))
    assert response["Location"] == space.get_absolute_url()
    thread.refresh_from_db()
    assert thread.deleted_at is not None and post_of(thread).deleted_at is not None
    assert teacher_client.get(thread.get_absolute_url()).status_code == 404


def test_others_cannot_delete(client, thread, colleague):
    client.force_login(colleague)
    assert (
        client.post(reverse("community:post-delete", args=[post_of(thread).pk])).status_code == 403
    )


def test_react_once_per_kind_and_the_author_is_told(client, thread, colleague, teacher):
    client.force_login(colleague)
    url = reverse("community:post-react", args=[post_of(thread).pk])
    client.post(url, {"kind": "tried_it"})
    client.post(url, {"kind": "tried_it"})
    client.post(url, {"kind": "thanks"})
    assert Reaction.objects.filter(user=colleague).count() == 2
    assert Notification.objects.filter(user=teacher, kind="reaction").count() == 2
    with pytest.raises(ValidationError):
        forum.react(actor=colleague, post=post_of(thread), kind="thanks")
    client.post(url, {"kind": "thanks", "action": "remove"})
    assert Reaction.objects.filter(user=colleague).count() == 1


def test_no_reacting_to_your_own_post_or_with_an_unknown_kind(thread, teacher, colleague):
    with pytest.raises(PermissionDenied):
        forum.react(actor=teacher, post=post_of(thread), kind="helpful")
    with pytest.raises(ValidationError):
        forum.react(actor=colleague, post=post_of(thread), kind="love")
    assert not Reaction.objects.exists()


def test_the_asker_marks_one_answer(client, space, teacher, colleague):
    thread = make_thread(
        space=space, author=teacher, kind="question", replies=2, repliers=[colleague]
    )
    client.force_login(colleague)
    url = reverse("community:thread-answer", args=[thread.pk])
    assert client.post(url, {"post": post_of(thread, 2).pk}).status_code == 403
    client.force_login(teacher)
    client.post(url, {"post": post_of(thread, 2).pk})
    client.post(url, {"post": post_of(thread, 3).pk})
    thread.refresh_from_db()
    assert thread.answer == post_of(thread, 3)
    with pytest.raises(ValidationError):
        forum.mark_answer(actor=teacher, thread=thread, post=post_of(thread, 1))


def test_follow_and_unfollow(teacher_client, thread, teacher):
    url = reverse("community:thread-follow", args=[thread.pk])
    teacher_client.post(url, {"action": "unfollow"})
    assert not Follow.objects.filter(user=teacher, thread=thread).exists()
    teacher_client.post(url)
    assert Follow.objects.filter(user=teacher, thread=thread).exists()
