"""The notification centre, marking notifications read, and notification settings."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from community.models import Membership, Notification, NotificationSettings
from community.services.notifications import (
    mark_all_read,
    mark_notification_read,
    notify,
    update_notification_settings,
)
from tests.factories import make_space, make_thread, make_user, post_of

CENTRE = reverse("community:notifications")


def mention(user, *, actor, thread, text=None, **fields):
    [notification] = notify(
        users=[user],
        kind=Notification.Kind.MENTION,
        actor=actor,
        post=post_of(thread),
        text=text or f"{actor.profile.display_name} mentioned you in “{thread.title}”.",
    )
    if fields:
        Notification.objects.filter(pk=notification.pk).update(**fields)
        notification.refresh_from_db()
    return notification


# --- The centre ---------------------------------------------------------------------------


def test_centre_lists_only_my_notifications_newest_first(
    teacher_client, teacher, colleague, thread
):
    earlier = timezone.now() - timedelta(hours=2)
    mention(teacher, actor=colleague, thread=thread, text="Older one", created_at=earlier)
    mention(teacher, actor=colleague, thread=thread, text="Newer one")
    mention(colleague, actor=teacher, thread=thread, text="Tom's, not mine")

    response = teacher_client.get(CENTRE)

    assert response.status_code == 200
    assert [n.text for n in response.context["page"]] == ["Newer one", "Older one"]
    body = response.content.decode()
    assert "Tom's, not mine" not in body
    assert "<h1>Notifications</h1>" in body
    assert "Tom Hughes" in body  # the actor
    assert "<time datetime=" in body


def test_centre_marks_unread_and_filters_unread_only(teacher_client, teacher, colleague, thread):
    mention(teacher, actor=colleague, thread=thread, text="Already read", read_at=timezone.now())
    unread = mention(teacher, actor=colleague, thread=thread, text="Not read yet")

    body = teacher_client.get(CENTRE).content.decode()
    assert body.count('class="badge">New<') == 1
    assert f'href="{reverse("community:notification-open", args=[unread.pk])}"' in body
    assert reverse("community:notification-read", args=[unread.pk]) in body

    page = teacher_client.get(CENTRE, {"unread": "1"}).context["page"]
    assert [n.text for n in page] == ["Not read yet"]


def test_centre_shows_thirty_a_page(teacher_client, teacher, colleague, thread):
    for n in range(31):
        mention(teacher, actor=colleague, thread=thread, text=f"Mention {n}")
    first = teacher_client.get(CENTRE).context["page"]
    second = teacher_client.get(CENTRE, {"page": 2}).context["page"]
    assert len(first) == 30 and len(second) == 1


def test_centre_with_nothing_says_so(teacher_client):
    assert "No notifications yet" in teacher_client.get(CENTRE).content.decode()


def test_notification_i_can_no_longer_see_keeps_its_text_but_links_to_the_centre(
    teacher_client, teacher, moderator, private_space
):
    secret = make_thread(space=private_space, author=moderator, title="Reading list")
    notification = mention(teacher, actor=moderator, thread=secret, text="Rob mentioned you")
    Membership.objects.filter(space=private_space, user=teacher).delete()

    response = teacher_client.get(CENTRE)
    body = response.content.decode()
    assert "Rob mentioned you" in body and "no longer available to you" in body
    assert response.context["page"][0].link == CENTRE
    open_url = reverse("community:notification-open", args=[notification.pk])
    assert f'href="{open_url}"' not in body

    opened = teacher_client.get(reverse("community:notification-open", args=[notification.pk]))
    assert opened.status_code == 302 and opened.url == CENTRE


@pytest.mark.parametrize("size", [3, 40])
def test_centre_query_count_does_not_grow(
    client, space, teacher, colleague, moderator, django_assert_num_queries, size
):
    threads = [make_thread(space=space, author=colleague) for _ in range(3)]
    for n in range(size):
        mention(teacher, actor=[colleague, moderator][n % 2], thread=threads[n % 3])
    notify(users=[teacher], kind=Notification.Kind.INVITE, actor=moderator, space=space, text="In")
    client.force_login(teacher)
    # session, user, profile (timezone), count, page of notifications with actors, posts,
    # threads and spaces, which threads and which spaces the viewer can still see, and the
    # page frame's unread count and moderator check
    with django_assert_num_queries(9):
        assert client.get(CENTRE).status_code == 200


# --- Opening and marking read ------------------------------------------------------------


def test_opening_a_notification_marks_it_read_and_goes_to_the_post(
    teacher_client, teacher, colleague, thread
):
    notification = mention(teacher, actor=colleague, thread=thread)

    response = teacher_client.get(reverse("community:notification-open", args=[notification.pk]))

    assert response.status_code == 302
    assert response.url == post_of(thread).get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_an_invitation_goes_to_the_space(teacher_client, teacher, moderator):
    private = make_space(kind="private", name="Governors", slug="governors", members=[teacher])
    [invite] = notify(
        users=[teacher], kind=Notification.Kind.INVITE, actor=moderator, space=private, text="Hi"
    )
    response = teacher_client.get(reverse("community:notification-open", args=[invite.pk]))
    assert response.url == private.get_absolute_url()


@pytest.mark.parametrize(
    "name, method", [("notification-open", "get"), ("notification-read", "post")]
)
def test_another_teachers_notification_is_404(
    teacher_client, teacher, colleague, thread, name, method
):
    theirs = mention(colleague, actor=teacher, thread=thread)
    response = getattr(teacher_client, method)(reverse(f"community:{name}", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_one_read_redirects_back_to_the_centre(teacher_client, teacher, colleague, thread):
    notification = mention(teacher, actor=colleague, thread=thread)
    other = mention(teacher, actor=colleague, thread=thread)

    response = teacher_client.post(reverse("community:notification-read", args=[notification.pk]))

    assert response.status_code == 302 and response.url == CENTRE
    notification.refresh_from_db()
    other.refresh_from_db()
    assert notification.read_at is not None and other.read_at is None


def test_mark_all_read_marks_only_mine(teacher_client, teacher, colleague, thread):
    for _ in range(3):
        mention(teacher, actor=colleague, thread=thread)
    theirs = mention(colleague, actor=teacher, thread=thread)

    response = teacher_client.post(reverse("community:notifications-read-all"), follow=True)

    assert response.redirect_chain == [(CENTRE, 302)]
    assert "Marked 3 notifications read." in response.content.decode()
    assert not Notification.objects.filter(user=teacher, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_service_counts_what_it_changed(teacher, colleague, thread):
    mention(teacher, actor=colleague, thread=thread)
    mention(teacher, actor=colleague, thread=thread, read_at=timezone.now())
    assert mark_all_read(actor=teacher) == 1
    assert mark_all_read(actor=teacher) == 0


def test_marking_someone_elses_notification_read_is_refused(teacher, colleague, thread):
    theirs = mention(colleague, actor=teacher, thread=thread)
    with pytest.raises(PermissionDenied):
        mark_notification_read(actor=teacher, notification=theirs)


# --- Settings ----------------------------------------------------------------------------

SETTINGS = reverse("community:notification-settings")


def test_settings_page_shows_the_defaults_and_writes_nothing(teacher_client, teacher):
    response = teacher_client.get(SETTINGS)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Notification settings</h1>" in body
    assert "When someone @mentions me" in body and "Email digest" in body
    assert response.context["form"]["digest"].value() == "off"
    assert not NotificationSettings.objects.filter(user=teacher).exists()


def test_settings_save_with_a_message(teacher_client, teacher):
    response = teacher_client.post(
        SETTINGS,
        {"mentions": "on", "replies": "on", "email_mentions": "on", "digest": "weekly"},
        follow=True,
    )
    assert response.redirect_chain == [(SETTINGS, 302)]
    assert "Your notification settings are saved." in response.content.decode()
    saved = NotificationSettings.objects.get(user=teacher)
    assert (saved.mentions, saved.replies, saved.reactions, saved.invites) == (
        True,
        True,
        False,
        False,
    )
    assert saved.email_mentions is True and saved.digest == "weekly"


def test_settings_refuse_an_unknown_digest_frequency(teacher_client, teacher):
    response = teacher_client.post(SETTINGS, {"digest": "hourly"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not NotificationSettings.objects.filter(user=teacher).exists()


def test_a_declined_kind_creates_no_notification(teacher, colleague, thread):
    update_notification_settings(actor=teacher, reactions=False)
    created = notify(
        users=[teacher, colleague],
        kind=Notification.Kind.REACTION,
        actor=make_user(),
        post=post_of(thread),
        text="Someone found your post helpful.",
    )
    assert [n.user for n in created] == [colleague]
    assert not Notification.objects.filter(user=teacher).exists()


def test_moderator_actions_arrive_whatever_the_settings(teacher, moderator, thread):
    update_notification_settings(
        actor=teacher, mentions=False, replies=False, reactions=False, invites=False
    )
    created = notify(users=[teacher], kind="moderation", actor=moderator, thread=thread, text="x")
    assert len(created) == 1


def test_settings_service_refuses_unknown_fields(teacher):
    with pytest.raises(TypeError):
        update_notification_settings(actor=teacher, digest_sent_at=None)


# --- Who may do what ------------------------------------------------------------------------


def _all_urls(pk=1):
    return [
        reverse("community:notifications"),
        reverse("community:notification-open", args=[pk]),
        reverse("community:notification-read", args=[pk]),
        reverse("community:notifications-read-all"),
        reverse("community:notification-settings"),
    ]


@pytest.mark.parametrize("url", _all_urls())
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_log_in(client, db, url, method):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "name, args, method",
    [
        ("notifications", [], "post"),
        ("notification-open", [1], "post"),
        ("notification-read", [1], "get"),
        ("notifications-read-all", [], "get"),
        ("notification-settings", [], "put"),
    ],
)
def test_wrong_method_is_405(teacher_client, name, args, method):
    response = getattr(teacher_client, method)(reverse(f"community:{name}", args=args))
    assert response.status_code == 405
