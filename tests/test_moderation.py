"""Moderators' actions: hide and restore posts, lock, pin and move threads, mute and
remove members, suspend accounts; and every moderation URL's permissions."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community import rules
from community.models import (
    Membership,
    ModerationAction,
    Notification,
    Post,
    Report,
    Space,
    Thread,
    User,
)
from community.services import forum, moderation
from tests.factories import make_space, make_thread, make_user, post_of


def _fresh(user) -> User:
    """The same account without its cached memberships (as the next request sees it)."""
    return User.objects.get(pk=user.pk)


def _later(**kwargs):
    return timezone.now() + timedelta(**kwargs)


def _another_staff_member() -> User:
    user = make_user()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


# --- Hide and restore -----------------------------------------------------------------


def test_a_moderator_hides_a_post_and_its_author_is_told_why(client, thread, moderator, teacher):
    post = post_of(thread)
    client.force_login(moderator)
    url = reverse("community:post-hide", args=[post.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Shares a pupil's full name"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_reason == "Shares a pupil's full name"
    told = Notification.objects.get(user=teacher)
    assert told.kind == Notification.Kind.MODERATION
    assert told.text == "A moderator hid your post in “Number talks in Year 4”: " + (
        "Shares a pupil's full name"
    )
    row = ModerationAction.objects.get()
    assert (row.actor, row.action, row.post, row.reason) == (
        moderator,
        "hide_post",
        post,
        "Shares a pupil's full name",
    )


def test_hiding_requires_a_reason(client, thread, moderator):
    post = post_of(thread)
    with pytest.raises(ValidationError):
        moderation.hide_post(actor=moderator, post=post, reason="   ")
    client.force_login(moderator)
    response = client.post(reverse("community:post-hide", args=[post.pk]), {"reason": ""})
    assert response.status_code == 200
    post.refresh_from_db()
    assert not post.is_hidden and not ModerationAction.objects.exists()


def test_a_member_cannot_hide_a_post(client, thread, colleague):
    post = post_of(thread)
    client.force_login(colleague)
    url = reverse("community:post-hide", args=[post.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "I disagree"}).status_code == 403
    with pytest.raises(PermissionDenied):
        moderation.hide_post(actor=colleague, post=post, reason="I disagree")
    assert not Post.objects.get(pk=post.pk).is_hidden


def test_a_moderator_of_another_space_cannot_hide(client, thread, other_moderator):
    url = reverse("community:post-hide", args=[post_of(thread).pk])
    client.force_login(other_moderator)
    assert client.post(url, {"reason": "Off-topic"}).status_code == 403


def test_a_moderator_of_another_space_gets_404_where_they_cannot_see(
    client, private_space, teacher, other_moderator
):
    post = post_of(make_thread(space=private_space, author=teacher))
    client.force_login(other_moderator)
    assert (
        client.post(reverse("community:post-hide", args=[post.pk]), {"reason": "x"}).status_code
        == 404
    )
    assert client.post(reverse("community:post-restore", args=[post.pk])).status_code == 404


def test_staff_can_moderate_everywhere(client, private_space, teacher, staff):
    thread = make_thread(space=private_space, author=teacher)
    post = post_of(thread)
    client.force_login(staff)
    response = client.post(reverse("community:post-hide", args=[post.pk]), {"reason": "Spam"})
    assert response.status_code == 302
    assert client.post(reverse("community:thread-lock", args=[thread.pk])).status_code == 302
    post.refresh_from_db()
    thread.refresh_from_db()
    assert post.is_hidden and thread.is_locked


def test_hiding_resolves_the_open_reports_as_hidden(thread, colleague, moderator):
    post = post_of(thread)
    moderation.report_post(actor=colleague, post=post, reason="unkind")
    moderation.hide_post(actor=moderator, post=post, reason="Unkind")
    report = Report.objects.get()
    assert report.resolution == "hidden" and report.resolved_by == moderator


def test_hiding_a_hidden_post_is_an_error(thread, moderator):
    post = post_of(thread)
    moderation.hide_post(actor=moderator, post=post, reason="Spam")
    with pytest.raises(ValidationError, match="already hidden"):
        moderation.hide_post(actor=moderator, post=post, reason="Spam again")


def test_a_moderator_restores_a_hidden_post(client, thread, moderator, teacher):
    post = post_of(thread)
    moderation.hide_post(actor=moderator, post=post, reason="Check the facts")
    client.force_login(moderator)
    response = client.post(reverse("community:post-restore", args=[post.pk]))
    assert response.status_code == 302
    post.refresh_from_db()
    assert not post.is_hidden and post.hidden_reason == ""
    assert list(ModerationAction.objects.values_list("action", flat=True)) == [
        "restore_post",
        "hide_post",
    ]
    assert Notification.objects.filter(user=teacher).count() == 2


def test_restoring_a_visible_post_says_so_and_changes_nothing(client, thread, moderator):
    client.force_login(moderator)
    response = client.post(
        reverse("community:post-restore", args=[post_of(thread).pk]), follow=True
    )
    assert "This post is not hidden." in response.content.decode()
    assert not ModerationAction.objects.exists()


def test_a_member_cannot_restore(client, thread, moderator, colleague):
    post = post_of(thread)
    moderation.hide_post(actor=moderator, post=post, reason="Spam")
    client.force_login(colleague)
    assert client.post(reverse("community:post-restore", args=[post.pk])).status_code == 403
    assert Post.objects.get(pk=post.pk).is_hidden


# --- Lock, pin, move ------------------------------------------------------------------


def test_a_locked_thread_refuses_replies(client, thread, moderator, colleague):
    client.force_login(moderator)
    response = client.post(reverse("community:thread-lock", args=[thread.pk]), {"reason": "Heated"})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.is_locked
    with pytest.raises(PermissionDenied):
        forum.post_reply(actor=_fresh(colleague), thread=thread, body="One more thing")
    row = ModerationAction.objects.get()
    assert (row.action, row.thread, row.reason) == ("lock_thread", thread, "Heated")


def test_lock_toggles(client, thread, moderator):
    client.force_login(moderator)
    url = reverse("community:thread-lock", args=[thread.pk])
    client.post(url)
    client.post(url)
    thread.refresh_from_db()
    assert not thread.is_locked
    assert list(ModerationAction.objects.values_list("action", flat=True)) == [
        "unlock_thread",
        "lock_thread",
    ]


def test_pin_toggles(client, thread, moderator):
    client.force_login(moderator)
    url = reverse("community:thread-pin", args=[thread.pk])
    assert client.post(url).status_code == 302
    thread.refresh_from_db()
    assert thread.is_pinned
    client.post(url)
    thread.refresh_from_db()
    assert not thread.is_pinned
    assert ModerationAction.objects.count() == 2


def test_a_member_cannot_lock_or_pin(client, thread, teacher):
    client.force_login(teacher)
    assert client.post(reverse("community:thread-lock", args=[thread.pk])).status_code == 403
    assert client.post(reverse("community:thread-pin", args=[thread.pk])).status_code == 403
    thread.refresh_from_db()
    assert not thread.is_locked and not thread.is_pinned


def test_a_moderator_moves_a_thread_between_spaces_they_moderate(client, thread, moderator, space):
    target = make_space(name="Maths leaders", slug="maths-leaders", moderators=[moderator])
    make_space(name="Not mine", slug="not-mine")
    client.force_login(moderator)
    url = reverse("community:thread-move", args=[thread.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Maths leaders" in html and "Not mine" not in html
    response = client.post(url, {"to_space": target.pk, "reason": "Better fit"})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.space == target
    row = ModerationAction.objects.get()
    assert (row.action, row.space, row.thread) == ("move_thread", space, thread)
    assert row.reason == "Moved to Maths leaders: Better fit"


def test_moving_to_a_space_the_moderator_cannot_see_is_404(client, thread, moderator, space):
    hidden = make_space(kind="private", name="Heads only", slug="heads-only")
    client.force_login(moderator)
    response = client.post(
        reverse("community:thread-move", args=[thread.pk]), {"to_space": hidden.pk}
    )
    assert response.status_code == 404
    thread.refresh_from_db()
    assert thread.space == space and not ModerationAction.objects.exists()


def test_moving_to_a_visible_space_they_do_not_moderate_is_403(client, thread, moderator, space):
    elsewhere = make_space(name="Open to all", slug="open-to-all")
    client.force_login(moderator)
    response = client.post(
        reverse("community:thread-move", args=[thread.pk]), {"to_space": elsewhere.pk}
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        moderation.move_thread(actor=moderator, thread=thread, to_space=elsewhere)
    assert Thread.objects.get(pk=thread.pk).space == space


def test_a_moderator_of_the_target_only_cannot_move_a_thread_in(client, thread, other_moderator):
    target = Space.objects.get(slug="behaviour")
    client.force_login(other_moderator)
    response = client.post(
        reverse("community:thread-move", args=[thread.pk]), {"to_space": target.pk}
    )
    assert response.status_code == 403


def test_moving_to_the_same_space_is_an_error(thread, moderator, space):
    with pytest.raises(ValidationError):
        moderation.move_thread(actor=moderator, thread=thread, to_space=space)


def test_staff_move_a_thread_anywhere(thread, staff):
    target = make_space(kind="private", name="Archive", slug="archive")
    moderation.move_thread(actor=staff, thread=thread, to_space=target)
    assert Thread.objects.get(pk=thread.pk).space == target


# --- Mute and remove ------------------------------------------------------------------


def test_mute_blocks_posting_until_the_time_passes(
    client, thread, space, moderator, teacher, monkeypatch
):
    client.force_login(moderator)
    url = reverse("community:member-mute", args=[space.slug, teacher.username])
    assert client.get(url).status_code == 200
    response = client.post(url, {"duration": "1d", "reason": "Cooling off"})
    assert response.status_code == 302
    membership = Membership.objects.get(space=space, user=teacher)
    assert membership.is_muted()
    with pytest.raises(PermissionDenied):
        forum.post_reply(actor=_fresh(teacher), thread=thread, body="Let me finish")
    told = Notification.objects.get(user=teacher)
    assert "muted you in Primary maths until" in told.text and "Cooling off" in told.text
    assert ModerationAction.objects.get().action == "mute_member"

    tomorrow = timezone.now() + timedelta(days=1, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    reply = forum.post_reply(actor=_fresh(teacher), thread=thread, body="Thanks for waiting")
    assert reply.number == 2


def test_remove_hides_a_private_space(private_space, moderator, teacher):
    assert Space.objects.visible_to(teacher).filter(pk=private_space.pk).exists()
    moderation.remove_member(
        actor=moderator, space=private_space, user=teacher, until=_later(days=7), reason="Spam"
    )
    teacher = _fresh(teacher)
    assert not Space.objects.visible_to(teacher).filter(pk=private_space.pk).exists()
    assert rules.membership_in(teacher, private_space) is None
    told = Notification.objects.get(user=teacher)
    assert told.space is None and "removed you from Reading group" in told.text
    assert ModerationAction.objects.get().action == "remove_member"


def test_remove_view_sets_removed_until(client, space, moderator, colleague):
    client.force_login(moderator)
    url = reverse("community:member-remove", args=[space.slug, colleague.username])
    response = client.post(url, {"duration": "30d", "reason": "Repeated spam"})
    assert response.status_code == 302
    membership = Membership.objects.get(space=space, user=colleague)
    assert membership.is_removed() and not membership.is_removed(at=_later(days=31))


def test_member_actions_need_a_duration_and_a_reason(client, space, moderator, teacher):
    client.force_login(moderator)
    url = reverse("community:member-mute", args=[space.slug, teacher.username])
    assert client.post(url, {"duration": "1d", "reason": ""}).status_code == 200
    assert client.post(url, {"duration": "forever", "reason": "x"}).status_code == 200
    assert not Membership.objects.get(space=space, user=teacher).is_muted()
    with pytest.raises(ValidationError):
        moderation.mute_member(
            actor=moderator, space=space, user=teacher, until=_later(days=-1), reason="x"
        )


def test_a_moderator_cannot_mute_another_moderator_of_the_space(client, space, moderator):
    second = make_user(username="mo")
    Membership.objects.create(space=space, user=second, role=Membership.Role.MODERATOR)
    client.force_login(moderator)
    url = reverse("community:member-mute", args=[space.slug, second.username])
    assert client.post(url, {"duration": "1d", "reason": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        moderation.remove_member(
            actor=moderator, space=space, user=second, until=_later(days=1), reason="x"
        )
    # ... but staff can.
    moderation.mute_member(
        actor=_another_staff_member(), space=space, user=second, until=_later(days=1), reason="x"
    )
    assert Membership.objects.get(space=space, user=second).is_muted()


def test_a_member_cannot_mute(client, space, teacher, colleague):
    client.force_login(teacher)
    url = reverse("community:member-mute", args=[space.slug, colleague.username])
    assert client.get(url).status_code == 403
    assert client.post(url, {"duration": "1d", "reason": "x"}).status_code == 403


def test_muting_someone_who_is_not_a_member_is_404(client, space, moderator, outsider):
    client.force_login(moderator)
    url = reverse("community:member-mute", args=[space.slug, outsider.username])
    assert client.get(url).status_code == 404
    with pytest.raises(ValidationError):
        moderation.mute_member(
            actor=moderator, space=space, user=outsider, until=_later(days=1), reason="x"
        )


# --- Suspension -----------------------------------------------------------------------


def test_suspension_blocks_posting_network_wide(client, thread, staff, teacher):
    elsewhere = make_space(members=[teacher])
    client.force_login(staff)
    url = reverse("community:account-suspend", args=[teacher.username])
    assert client.get(url).status_code == 200
    response = client.post(url, {"duration": "7d", "reason": "Harassment"})
    assert response.status_code == 302
    teacher = _fresh(teacher)
    assert teacher.is_suspended()
    with pytest.raises(PermissionDenied):
        forum.post_reply(actor=teacher, thread=thread, body="Hello")
    with pytest.raises(PermissionDenied):
        forum.start_thread(actor=teacher, space=elsewhere, title="Hi", body="Hello")
    assert ModerationAction.objects.get().action == "suspend_account"
    assert "suspended your account" in Notification.objects.get(user=teacher).text


def test_staff_lift_a_suspension(client, staff, teacher):
    moderation.suspend_account(actor=staff, user=teacher, until=_later(days=1), reason="x")
    client.force_login(staff)
    url = reverse("community:account-suspend", args=[teacher.username])
    assert client.post(url, {"duration": "lift"}).status_code == 302
    assert not _fresh(teacher).is_suspended()
    assert ModerationAction.objects.first().action == "unsuspend_account"


def test_suspending_needs_a_reason(client, staff, teacher):
    client.force_login(staff)
    url = reverse("community:account-suspend", args=[teacher.username])
    assert client.post(url, {"duration": "1d", "reason": ""}).status_code == 200
    assert not _fresh(teacher).is_suspended()


def test_only_staff_suspend(client, moderator, teacher, space):
    client.force_login(moderator)
    url = reverse("community:account-suspend", args=[teacher.username])
    assert client.get(url).status_code == 403
    assert client.post(url, {"duration": "1d", "reason": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        moderation.suspend_account(actor=moderator, user=teacher, until=_later(days=1), reason="x")
    assert not _fresh(teacher).is_suspended()


def test_staff_cannot_suspend_staff(client, staff):
    client.force_login(staff)
    other = _another_staff_member()
    assert (
        client.get(reverse("community:account-suspend", args=[other.username])).status_code == 403
    )


# --- Every moderation URL: anonymous visitors and wrong methods -------------------------

POST_ONLY = ["post-restore", "thread-lock", "thread-pin", "report-dismiss"]
GET_AND_POST = [
    "post-report",
    "post-hide",
    "thread-move",
    "member-mute",
    "member-remove",
    "account-suspend",
]
GET_ONLY = ["space-queue", "queue", "space-log", "log"]


@pytest.fixture
def urls(thread, teacher, colleague, space):
    report = Report.objects.create(post=post_of(thread), reporter=colleague, reason="spam")
    post, slug = post_of(thread).pk, space.slug
    args = {
        "post-report": [post],
        "post-hide": [post],
        "post-restore": [post],
        "thread-lock": [thread.pk],
        "thread-pin": [thread.pk],
        "thread-move": [thread.pk],
        "member-mute": [slug, teacher.username],
        "member-remove": [slug, teacher.username],
        "account-suspend": [teacher.username],
        "report-dismiss": [report.pk],
        "space-queue": [slug],
        "queue": [],
        "space-log": [slug],
        "log": [],
    }
    return {name: reverse(f"community:{name}", args=a) for name, a in args.items()}


@pytest.mark.parametrize("name", POST_ONLY + GET_AND_POST + GET_ONLY)
def test_anonymous_visitors_are_sent_to_log_in(client, urls, name):
    method = client.post if name in POST_ONLY else client.get
    response = method(urls[name])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", POST_ONLY)
def test_post_only_urls_refuse_get(client, staff, urls, name):
    client.force_login(staff)
    assert client.get(urls[name]).status_code == 405


@pytest.mark.parametrize("name", GET_AND_POST)
def test_form_urls_refuse_put_and_delete(client, staff, urls, name):
    client.force_login(staff)
    assert client.put(urls[name]).status_code == 405
    assert client.delete(urls[name]).status_code == 405


@pytest.mark.parametrize("name", GET_ONLY)
def test_read_only_urls_refuse_post(client, staff, urls, name):
    client.force_login(staff)
    assert client.post(urls[name]).status_code == 405


def test_a_report_can_return_to_the_page_it_came_from_but_never_off_site(client, thread, colleague):
    post = post_of(thread)
    client.force_login(colleague)
    url = reverse("community:post-report", args=[post.pk])
    response = client.post(url, {"reason": "spam", "next": "https://evil.example/"})
    assert response["Location"] == post.get_absolute_url()


def test_moving_with_nowhere_to_move_to_says_so(client, thread, moderator):
    client.force_login(moderator)
    response = client.get(reverse("community:thread-move", args=[thread.pk]), follow=True)
    assert "There is no other space you moderate" in response.content.decode()
