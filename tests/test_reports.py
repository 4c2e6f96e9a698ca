"""Reporting a post, the three-reports rule, safeguarding, dismissing, and the queues."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community.models import ModerationAction, Notification, Report
from community.services import moderation
from tests.factories import make_space, make_thread, make_user, post_of


@pytest.fixture
def reply(thread, colleague):
    """A reply by the colleague in the teacher's thread (post #2)."""
    thread = make_thread(
        space=thread.space, author=thread.author, replies=1, repliers=[colleague], title="Reply"
    )
    return post_of(thread, 2)


def _members(space, n):
    from community.models import Membership

    users = [make_user() for _ in range(n)]
    for user in users:
        Membership.objects.create(space=space, user=user)
    return users


# --- report_post ----------------------------------------------------------------------


def test_a_member_reports_a_post_through_the_form(client, thread, colleague):
    post = post_of(thread)
    client.force_login(colleague)
    url = reverse("community:post-report", args=[post.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "unkind", "note": "Rude to a new teacher"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.post, report.reporter, report.reason) == (post, colleague, "unkind")
    assert report.note == "Rude to a new teacher" and report.is_open


def test_reporting_your_own_post_is_403(teacher_client, thread):
    url = reverse("community:post-report", args=[post_of(thread).pk])
    assert teacher_client.get(url).status_code == 403
    assert teacher_client.post(url, {"reason": "spam"}).status_code == 403
    assert not Report.objects.exists()


def test_reporting_your_own_post_is_refused_by_the_service(thread, teacher):
    with pytest.raises(PermissionDenied):
        moderation.report_post(actor=teacher, post=post_of(thread), reason="spam")


def test_reporting_twice_gives_a_clear_error_and_one_row(client, thread, colleague):
    post = post_of(thread)
    moderation.report_post(actor=colleague, post=post, reason="spam")
    client.force_login(colleague)
    response = client.post(
        reverse("community:post-report", args=[post.pk]), {"reason": "unkind", "note": ""}
    )
    assert response.status_code == 200
    assert "You have already reported this post." in response.content.decode()
    assert Report.objects.count() == 1
    with pytest.raises(ValidationError, match="already reported"):
        moderation.report_post(actor=colleague, post=post, reason="other")


def test_reporting_a_post_you_cannot_see_is_404(client, private_space, teacher, outsider):
    thread = make_thread(space=private_space, author=teacher)
    client.force_login(outsider)
    url = reverse("community:post-report", args=[post_of(thread).pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "spam"}).status_code == 404
    with pytest.raises(PermissionDenied):
        moderation.report_post(actor=outsider, post=post_of(thread), reason="spam")
    assert not Report.objects.exists()


def test_an_unknown_reason_or_a_long_note_is_refused(client, thread, colleague):
    post = post_of(thread)
    with pytest.raises(ValidationError):
        moderation.report_post(actor=colleague, post=post, reason="boring")
    with pytest.raises(ValidationError):
        moderation.report_post(actor=colleague, post=post, reason="spam", note="x" * 1001)
    client.force_login(colleague)
    response = client.post(reverse("community:post-report", args=[post.pk]), {"reason": "boring"})
    assert response.status_code == 200 and not Report.objects.exists()


def test_a_suspended_account_cannot_report(thread, colleague):
    from datetime import timedelta

    from django.utils import timezone

    colleague.suspended_until = timezone.now() + timedelta(days=1)
    colleague.save()
    with pytest.raises(PermissionDenied):
        moderation.report_post(actor=colleague, post=post_of(thread), reason="spam")


def test_three_reports_hide_the_post_pending_review(thread, space, teacher):
    post = post_of(thread)
    first, second, third = _members(space, 3)
    moderation.report_post(actor=first, post=post, reason="spam")
    moderation.report_post(actor=second, post=post, reason="unkind")
    post.refresh_from_db()
    assert not post.is_hidden and not ModerationAction.objects.exists()

    moderation.report_post(actor=third, post=post, reason="spam")
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_reason == "Hidden pending review after 3 reports"
    row = ModerationAction.objects.get()
    assert row.actor is None and row.action == ModerationAction.Action.AUTO_HIDE_POST
    assert (row.post, row.target_user, row.space) == (post, teacher, space)
    told = Notification.objects.get(user=teacher)
    assert told.kind == Notification.Kind.MODERATION and told.post == post
    assert Report.objects.filter(post=post, resolved_at__isnull=True).count() == 3


def test_resolved_reports_do_not_count_towards_the_three(thread, space, moderator):
    post = post_of(thread)
    first, second, third = _members(space, 3)
    moderation.report_post(actor=first, post=post, reason="spam")
    moderation.report_post(actor=second, post=post, reason="spam")
    moderation.dismiss_reports(actor=moderator, post=post)
    moderation.report_post(actor=third, post=post, reason="spam")
    post.refresh_from_db()
    assert not post.is_hidden


def test_a_safeguarding_report_reaches_every_member_of_staff_at_once(thread, colleague, staff):
    other_staff = make_user(username="sam")
    other_staff.is_staff = True
    other_staff.save()
    note = "A pupil is named and described in detail in this post, please act quickly"
    moderation.report_post(actor=colleague, post=post_of(thread), reason="safeguarding", note=note)
    told = Notification.objects.filter(kind=Notification.Kind.MODERATION)
    assert {n.user for n in told} == {staff, other_staff}
    text = told.first().text
    assert "Safeguarding" in text and "Number talks in Year 4" in text
    assert note not in text and note[:40] in text  # a short excerpt only


def test_an_ordinary_report_does_not_notify_staff(thread, colleague, staff):
    moderation.report_post(actor=colleague, post=post_of(thread), reason="off_topic")
    assert not Notification.objects.filter(user=staff).exists()


def test_a_rolled_back_report_notifies_nobody(thread, colleague, staff):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        moderation.report_post(actor=colleague, post=post_of(thread), reason="safeguarding")
        raise RuntimeError
    assert not Notification.objects.exists() and not Report.objects.exists()


# --- dismiss_reports ------------------------------------------------------------------


def test_dismissing_resolves_the_open_reports_and_logs_it(client, thread, space, moderator):
    post = post_of(thread)
    reporters = _members(space, 2)
    for user in reporters:
        moderation.report_post(actor=user, post=post, reason="spam")
    client.force_login(moderator)
    first = Report.objects.first()
    response = client.post(reverse("community:report-dismiss", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("community:space-queue", args=[space.slug])
    assert set(Report.objects.values_list("resolution", flat=True)) == {"dismissed"}
    assert all(r.resolved_by == moderator for r in Report.objects.all())
    row = ModerationAction.objects.get()
    assert row.action == "dismiss_reports" and row.actor == moderator


def test_dismissing_restores_a_post_hidden_pending_review(thread, space, moderator, teacher):
    post = post_of(thread)
    for user in _members(space, 3):
        moderation.report_post(actor=user, post=post, reason="spam")
    moderation.dismiss_reports(actor=moderator, post=post)
    post.refresh_from_db()
    assert not post.is_hidden
    assert Notification.objects.filter(user=teacher).count() == 2  # hidden, then back


def test_dismissing_without_open_reports_is_an_error(thread, moderator):
    with pytest.raises(ValidationError):
        moderation.dismiss_reports(actor=moderator, post=post_of(thread))


def test_a_member_cannot_dismiss_reports(client, thread, colleague, teacher):
    report = moderation.report_post(actor=colleague, post=post_of(thread), reason="spam")
    client.force_login(teacher)
    assert client.post(reverse("community:report-dismiss", args=[report.pk])).status_code == 403
    assert Report.objects.get().is_open


def test_a_moderator_of_another_space_cannot_dismiss(client, thread, colleague, other_moderator):
    report = moderation.report_post(actor=colleague, post=post_of(thread), reason="spam")
    client.force_login(other_moderator)
    assert client.post(reverse("community:report-dismiss", args=[report.pk])).status_code == 403


# --- Queues ---------------------------------------------------------------------------


def _report_posts(space, n):
    """n posts in `space`, each reported by two members (one of them for safeguarding on
    the last post)."""
    author = make_user()
    reporters = _members(space, 2)
    posts = []
    for i in range(n):
        post = post_of(make_thread(space=space, author=author, title=f"Reported {i}"))
        moderation.report_post(actor=reporters[0], post=post, reason="spam", note=f"note {i}")
        reason = "safeguarding" if i == n - 1 else "unkind"
        moderation.report_post(actor=reporters[1], post=post, reason=reason)
        posts.append(post)
    return posts


def test_the_space_queue_groups_reports_by_post(client, space, moderator):
    posts = _report_posts(space, 2)
    client.force_login(moderator)
    response = client.get(reverse("community:space-queue", args=[space.slug]))
    assert response.status_code == 200
    page = list(response.context["page"])
    assert [p.pk for p in page] == [posts[1].pk, posts[0].pk]  # safeguarding first
    assert page[1].open_count == 2
    assert dict(page[1].reason_counts) == {"Spam": 1, "Unkind or disrespectful": 1}
    html = response.content.decode()
    assert "note 0" in html and "<p>Opening post</p>" in html
    assert reverse("community:post-hide", args=[posts[0].pk]) in html


def test_the_space_queue_is_for_that_spaces_moderators(client, space, teacher, other_moderator):
    url = reverse("community:space-queue", args=[space.slug])
    client.force_login(teacher)
    assert client.get(url).status_code == 403
    client.force_login(other_moderator)
    assert client.get(url).status_code == 403


def test_a_private_space_queue_is_404_for_outsiders(client, private_space, outsider):
    client.force_login(outsider)
    assert (
        client.get(reverse("community:space-queue", args=[private_space.slug])).status_code == 404
    )


@pytest.mark.parametrize("n", [1, 4])
def test_the_space_queue_query_count_does_not_grow(
    client, space, moderator, django_assert_num_queries, n
):
    _report_posts(space, n)
    client.force_login(moderator)
    url = reverse("community:space-queue", args=[space.slug])
    client.get(url)  # warm the session and the frame
    # session, user, profile, space, memberships, count, posts, reports; the frame's
    # "moderates" and unread count
    with django_assert_num_queries(10):
        response = client.get(url)
    assert len(response.context["page"]) == n


@pytest.mark.parametrize("n", [1, 4])
def test_the_network_queue_query_count_does_not_grow(
    client, space, staff, django_assert_num_queries, n
):
    _report_posts(space, n)
    _report_posts(make_space(), n)
    client.force_login(staff)
    url = reverse("community:queue")
    # session, user, profile, count, posts, reports, the frame's unread count
    with django_assert_num_queries(7):
        response = client.get(url)
    assert len(response.context["page"]) == 2 * n


def test_staff_see_every_open_report_safeguarding_first(client, space, colleague, staff):
    elsewhere = make_space(kind="private", name="Leaders", slug="leaders")
    ordinary = post_of(make_thread(space=space, author=make_user()))
    moderation.report_post(actor=colleague, post=ordinary, reason="spam")  # reported first
    urgent = post_of(make_thread(space=elsewhere, author=make_user()))
    moderation.report_post(actor=_members(elsewhere, 1)[0], post=urgent, reason="safeguarding")
    client.force_login(staff)
    page = list(client.get(reverse("community:queue")).context["page"])
    assert [p.pk for p in page] == [urgent.pk, ordinary.pk]


def test_a_moderator_gets_the_list_of_their_spaces_queues(client, space, moderator):
    _report_posts(space, 2)
    client.force_login(moderator)
    response = client.get(reverse("community:queue"))
    assert response.status_code == 200
    assert [(s, s.open_reports) for s in response.context["spaces"]] == [(space, 4)]
    assert reverse("community:space-queue", args=[space.slug]) in response.content.decode()


def test_the_queue_is_403_for_a_member(client, teacher, space):
    client.force_login(teacher)
    assert client.get(reverse("community:queue")).status_code == 403


def test_resolved_reports_leave_the_queue(client, space, moderator):
    post = _report_posts(space, 1)[0]
    moderation.hide_post(actor=moderator, post=post, reason="Names a pupil")
    client.force_login(moderator)
    response = client.get(reverse("community:space-queue", args=[space.slug]))
    assert list(response.context["page"]) == []
