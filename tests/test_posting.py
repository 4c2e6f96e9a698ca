"""Starting threads and replying: numbering, idempotency, rules, rate limits, mentions."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from community.models import Follow, Membership, Notification, Post, Tag, Thread
from community.services import forum
from community.services.forum import RateLimited
from tests.factories import make_user


@pytest.fixture(autouse=True)
def established(teacher, colleague, moderator):
    """Accounts older than a day, so the first-day limits don't apply unless a test says."""
    from community.models import User

    User.objects.update(date_joined=timezone.now() - dt.timedelta(days=30))
    for user in (teacher, colleague, moderator):
        user.refresh_from_db()


def test_start_a_thread_in_a_space(teacher_client, space, teacher):
    response = teacher_client.post(
        reverse("community:thread-create", args=[space.slug]),
        {
            "title": "Number talks",
            "kind": "question",
            "body": "How do you start? #maths",
            "client_token": "t1",
        },
    )
    thread = Thread.objects.get(title="Number talks")
    assert response["Location"] == thread.get_absolute_url()
    assert thread.kind == "question" and thread.post_count == 1
    assert (
        thread.posts.get().body_html == '<p>How do you start? <a class="tag" href="/tags/maths/" '
        'rel="nofollow ugc noopener">#maths</a></p>'
    )
    assert list(thread.tags.values_list("name", flat=True)) == ["maths"]
    assert Follow.objects.filter(user=teacher, thread=thread).exists()


def test_double_submission_creates_one_thread_and_one_reply(teacher_client, space, thread):
    data = {"title": "Once", "kind": "discussion", "body": "Only once", "client_token": "same"}
    url = reverse("community:thread-create", args=[space.slug])
    first, second = teacher_client.post(url, data), teacher_client.post(url, data)
    assert first["Location"] == second["Location"]
    assert Thread.objects.filter(title="Once").count() == 1
    reply = {"body": "A reply", "client_token": "r1"}
    teacher_client.post(reverse("community:thread-reply", args=[thread.pk]), reply)
    teacher_client.post(reverse("community:thread-reply", args=[thread.pk]), reply)
    assert thread.posts.filter(body="A reply").count() == 1


def test_replies_are_numbered_without_gaps_and_bump_the_thread(thread, colleague, teacher):
    before = thread.last_activity_at
    first = forum.post_reply(actor=colleague, thread=thread, body="one")
    second = forum.post_reply(actor=teacher, thread=thread, body="two")
    thread.refresh_from_db()
    assert (first.number, second.number, thread.post_count) == (2, 3, 3)
    assert thread.last_activity_at > before


def test_followers_are_notified_of_replies_but_not_the_replier(thread, teacher, colleague):
    forum.post_reply(actor=colleague, thread=thread, body="I tried this!")
    assert Notification.objects.filter(user=teacher, kind="reply").count() == 1
    assert not Notification.objects.filter(user=colleague).exists()
    assert Follow.objects.filter(user=colleague, thread=thread).exists()  # posting follows


def test_mentions_notify_once_and_only_people_who_can_see_the_thread(
    private_space, teacher, outsider, moderator
):
    thread = forum.start_thread(
        actor=teacher, space=private_space, title="Q", body="@rob @olly look"
    )
    assert Notification.objects.filter(user=moderator, kind="mention").count() == 1
    assert not Notification.objects.filter(user=outsider).exists()
    assert list(thread.posts.get().mentions.all()) == [moderator]


def test_a_mention_in_a_reply_is_not_also_a_reply_notification(thread, teacher, colleague):
    forum.post_reply(actor=colleague, thread=thread, body="@amira what do you think?")
    assert list(Notification.objects.filter(user=teacher).values_list("kind", flat=True)) == [
        "mention"
    ]


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "This field is required."),
        ("   \n ", "Write something first."),
        ("x" * 20_001, "at most 20000 characters"),
    ],
)
def test_empty_or_over_long_replies_are_refused(teacher_client, thread, body, message):
    response = teacher_client.post(
        reverse("community:thread-reply", args=[thread.pk]), {"body": body}
    )
    assert message in response.content.decode()
    assert thread.posts.count() == 1


def test_a_thread_needs_a_title(teacher_client, space):
    response = teacher_client.post(
        reverse("community:thread-create", args=[space.slug]),
        {"title": " ", "kind": "discussion", "body": "text"},
    )
    assert "This field is required." in response.content.decode()
    assert not Thread.objects.exists()


def test_posting_in_a_locked_thread_is_refused(thread, colleague, moderator, client):
    Thread.objects.filter(pk=thread.pk).update(locked_at=timezone.now())
    thread.refresh_from_db()
    with pytest.raises(PermissionDenied, match="locked"):
        forum.post_reply(actor=colleague, thread=thread, body="late")
    client.force_login(colleague)
    assert (
        client.post(reverse("community:thread-reply", args=[thread.pk]), {"body": "x"}).status_code
        == 403
    )
    forum.post_reply(actor=moderator, thread=thread, body="Moderators can still reply")


def test_posting_in_a_space_you_left_is_refused(thread, colleague, space):
    forum.leave_space(actor=colleague, space=space)
    with pytest.raises(PermissionDenied):
        forum.post_reply(actor=colleague, thread=thread, body="hello?")
    assert thread.posts.count() == 1


def test_muted_and_suspended_members_cannot_post(thread, colleague, teacher, space):
    Membership.objects.filter(space=space, user=colleague).update(
        muted_until=timezone.now() + dt.timedelta(days=1)
    )
    with pytest.raises(PermissionDenied):
        forum.post_reply(actor=colleague, thread=thread, body="muted")
    teacher.suspended_until = timezone.now() + dt.timedelta(days=1)
    teacher.save(update_fields=["suspended_until"])
    with pytest.raises(PermissionDenied):
        forum.post_reply(actor=teacher, thread=thread, body="suspended")


def test_everyone_is_rate_limited_per_minute(thread, colleague):
    for n in range(forum.POSTS_PER_MINUTE):
        forum.post_reply(actor=colleague, thread=thread, body=f"quick {n}")
    with pytest.raises(RateLimited):
        forum.post_reply(actor=colleague, thread=thread, body="too quick")


def test_new_accounts_are_limited_more_strictly_on_their_first_day(thread, space, client):
    newbie = make_user(username="fresh")
    Membership.objects.create(space=space, user=newbie)
    for n in range(forum.NEW_ACCOUNT_POSTS_PER_MINUTE):
        forum.post_reply(actor=newbie, thread=thread, body=f"hello {n}")
    client.force_login(newbie)
    response = client.post(reverse("community:thread-reply", args=[thread.pk]), {"body": "more"})
    assert response.status_code == 429
    assert "posting quickly" in response.content.decode()


def test_quote_reply_prefills_the_quote_and_links_it(teacher_client, thread, colleague):
    original = forum.post_reply(actor=colleague, thread=thread, body="Try *mini whiteboards*")
    page = teacher_client.get(
        reverse("community:thread-reply", args=[thread.pk]), {"quote": original.pk}
    )
    assert "&gt; Try *mini whiteboards*" in page.content.decode()
    teacher_client.post(
        reverse("community:thread-reply", args=[thread.pk]),
        {"body": "> Try it\n\nYes!", "quote_of": original.pk},
    )
    assert Post.objects.get(body__endswith="Yes!").quote_of == original


def test_tags_link_thread_and_post(thread, colleague):
    post = forum.post_reply(actor=colleague, thread=thread, body="#oracy #Oracy #talk")
    assert sorted(post.tags.values_list("name", flat=True)) == ["oracy", "talk"]
    assert set(Tag.objects.values_list("name", flat=True)) == {"oracy", "talk"}
