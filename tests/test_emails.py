"""Email about notifications: mention emails, digests, and one-click unsubscribe."""

from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core import signing
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.models import Notification, NotificationSettings
from community.services import forum
from community.services.emails import send_digest, send_mention_emails, unsubscribe_token
from community.services.notifications import notify, update_notification_settings
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://staffroom.example"


def mention_by_reply(*, actor, thread, mentioned):
    return forum.post_reply(actor=actor, thread=thread, body=f"What do you think, @{mentioned}?")


def unsubscribe_path(message) -> str:
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("https://staffroom.example/unsubscribe/")
    return url.removeprefix("https://staffroom.example")


# --- Mention emails ------------------------------------------------------------------------


def test_mention_email_goes_to_an_opted_in_verified_teacher_after_commit(
    teacher, colleague, thread, mailoutbox, django_capture_on_commit_callbacks
):
    update_notification_settings(actor=colleague, email_mentions=True)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post = mention_by_reply(actor=teacher, thread=thread, mentioned="tom")
        assert mailoutbox == []  # nothing before the commit

    assert len(callbacks) >= 1  # the email, and the live streams' publishing
    [message] = mailoutbox
    assert message.to == ["tom@example.org"]
    assert message.subject == "Amira Khan mentioned you in “Number talks in Year 4”"
    assert f"https://staffroom.example{post.get_absolute_url()}" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and post.get_absolute_url() in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_path(message) in message.body and unsubscribe_path(message) in html
    assert Notification.objects.get(user=colleague).emailed_at is not None


def test_mention_email_is_off_by_default(
    teacher, colleague, thread, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mention_by_reply(actor=teacher, thread=thread, mentioned="tom")
    assert Notification.objects.filter(user=colleague, kind="mention").exists()
    assert mailoutbox == []


def test_mention_email_needs_a_verified_address(
    teacher, colleague, thread, mailoutbox, django_capture_on_commit_callbacks
):
    update_notification_settings(actor=colleague, email_mentions=True)
    EmailAddress.objects.filter(user=colleague).update(verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        mention_by_reply(actor=teacher, thread=thread, mentioned="tom")
    assert mailoutbox == []
    assert Notification.objects.get(user=colleague).emailed_at is None


def test_a_rolled_back_post_sends_no_mention_email(
    teacher, colleague, thread, mailoutbox, django_capture_on_commit_callbacks
):
    update_notification_settings(actor=colleague, email_mentions=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            mention_by_reply(actor=teacher, thread=thread, mentioned="tom")
            raise RuntimeError("the request failed after the reply was written")
    assert callbacks == []
    assert mailoutbox == []
    assert not Notification.objects.filter(user=colleague).exists()


def test_each_mention_is_emailed_once(
    teacher, colleague, thread, mailoutbox, django_capture_on_commit_callbacks
):
    update_notification_settings(actor=colleague, email_mentions=True)
    with django_capture_on_commit_callbacks(execute=True):
        mention_by_reply(actor=teacher, thread=thread, mentioned="tom")
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert send_mention_emails(ids) == 0
    assert len(mailoutbox) == 1


# --- Digests -------------------------------------------------------------------------------


def notification_for(user, *, text="Something happened", kind="reply", at=None, **fields):
    [notification] = notify(users=[user], kind=kind, text=text)
    Notification.objects.filter(pk=notification.pk).update(
        created_at=at or timezone.now() - timedelta(minutes=5), **fields
    )
    return notification


def digest(user, frequency, *, sent_ago=None):
    update_notification_settings(actor=user, digest=frequency)
    if sent_ago is not None:
        NotificationSettings.objects.filter(user=user).update(
            digest_sent_at=timezone.now() - sent_ago
        )


def test_digest_groups_unread_notifications_by_kind(teacher, mailoutbox):
    digest(teacher, "daily")
    notification_for(teacher, kind="reply", text="Tom replied in “Fractions”")
    notification_for(teacher, kind="mention", text="Tom mentioned you in “Phonics”")
    notification_for(teacher, kind="reply", text="Old news", read_at=timezone.now())

    assert send_digest(teacher, now=timezone.now()) is True

    [message] = mailoutbox
    assert message.subject == "Your Staffroom digest: 2 new"
    assert message.to == ["amira@example.org"]
    body = message.body
    assert (
        body.index("Mentions of me")
        < body.index("Tom mentioned you")
        < body.index("Replies in threads I follow")
    )
    assert "Tom replied in “Fractions”" in body and "Old news" not in body
    [(html, _)] = message.alternatives
    assert "<h2>Replies in threads I follow</h2>" in html and "<time datetime=" in html
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://staffroom.example/")
    assert NotificationSettings.objects.get(user=teacher).digest_sent_at is not None


def test_digest_is_never_empty(teacher, mailoutbox):
    digest(teacher, "daily")
    notification_for(teacher, read_at=timezone.now())
    assert send_digest(teacher, now=timezone.now()) is False
    assert mailoutbox == []
    assert NotificationSettings.objects.get(user=teacher).digest_sent_at is None


def test_digest_is_off_by_default(teacher, mailoutbox):
    notification_for(teacher)
    assert send_digest(teacher, now=timezone.now()) is False
    assert "Sent 0 digests." in run_digests()
    assert mailoutbox == []


def test_digest_covers_only_what_is_new_since_the_last_one(teacher, mailoutbox):
    digest(teacher, "daily", sent_ago=timedelta(hours=2))
    notification_for(teacher, text="Before the last digest", at=timezone.now() - timedelta(hours=3))
    notification_for(teacher, text="After it")
    assert send_digest(teacher, now=timezone.now())
    assert "After it" in mailoutbox[0].body and "Before the last digest" not in mailoutbox[0].body


def run_digests(*args) -> str:
    out = StringIO()
    call_command("send_digests", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    "frequency, sent_ago, due",
    [
        ("daily", None, True),
        ("daily", timedelta(hours=24), True),
        ("daily", timedelta(hours=20), False),
        ("weekly", None, True),
        ("weekly", timedelta(days=7), True),
        ("weekly", timedelta(days=3), False),
    ],
)
def test_send_digests_sends_only_those_due(teacher, mailoutbox, frequency, sent_ago, due):
    digest(teacher, frequency, sent_ago=sent_ago)
    notification_for(teacher, at=timezone.now() - timedelta(minutes=1))

    out = run_digests()

    assert len(mailoutbox) == (1 if due else 0)
    assert out.strip() == ("Sent 1 digest." if due else "Sent 0 digests.")


def test_send_digests_dry_run_lists_who_and_sends_nothing(teacher, colleague, mailoutbox):
    digest(teacher, "daily")
    digest(colleague, "weekly")  # due, but nothing to tell
    notification_for(teacher)

    out = run_digests("--dry-run")

    assert "Would send amira a digest of 1." in out and "tom" not in out
    assert "Would send 1 digest." in out
    assert mailoutbox == []
    assert NotificationSettings.objects.get(user=teacher).digest_sent_at is None


def test_send_digests_twice_in_a_row_sends_once(teacher, colleague, mailoutbox):
    digest(teacher, "daily")
    digest(colleague, "weekly")
    notification_for(teacher)
    notification_for(colleague)

    assert "Sent 2 digests." in run_digests()
    assert "Sent 0 digests." in run_digests()
    assert len(mailoutbox) == 2


def test_digest_skips_teachers_without_a_verified_address(teacher, mailoutbox):
    digest(teacher, "daily")
    notification_for(teacher)
    EmailAddress.objects.filter(user=teacher).update(verified=False)
    assert "Sent 0 digests." in run_digests()
    assert mailoutbox == []


# --- Unsubscribe -----------------------------------------------------------------------------


def test_unsubscribe_link_from_a_mention_email_works_without_logging_in(
    teacher, colleague, thread, mailoutbox, django_capture_on_commit_callbacks
):
    update_notification_settings(actor=colleague, email_mentions=True)
    with django_capture_on_commit_callbacks(execute=True):
        mention_by_reply(actor=teacher, thread=thread, mentioned="tom")
    path = unsubscribe_path(mailoutbox[0])
    anonymous = Client(enforce_csrf_checks=True)

    confirm = anonymous.get(path)
    assert confirm.status_code == 200
    assert "<h1>Unsubscribe from mention emails?</h1>" in confirm.content.decode()
    assert NotificationSettings.objects.get(user=colleague).email_mentions is True

    # A mail client's one-click POST: no session, no CSRF token.
    done = anonymous.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "You’re unsubscribed" in done.content.decode()
    assert NotificationSettings.objects.get(user=colleague).email_mentions is False


def test_unsubscribe_from_the_digest_turns_only_the_digest_off(client, teacher):
    update_notification_settings(actor=teacher, digest="weekly", email_mentions=True)
    token = unsubscribe_token(user_id=teacher.pk, what="digest")
    client.post(reverse("community:unsubscribe", args=[token]))
    saved = NotificationSettings.objects.get(user=teacher)
    assert saved.digest == "off" and saved.email_mentions is True


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_unsubscribe_token_is_400_and_changes_nothing(client, teacher, method):
    update_notification_settings(actor=teacher, email_mentions=True)
    token = unsubscribe_token(user_id=teacher.pk, what="mentions")
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    response = getattr(client, method)(reverse("community:unsubscribe", args=[tampered]))

    assert response.status_code == 400
    assert "We don’t recognise that unsubscribe link" in response.content.decode()
    assert NotificationSettings.objects.get(user=teacher).email_mentions is True


def test_a_token_signed_for_something_else_is_refused(client, teacher):
    update_notification_settings(actor=teacher, email_mentions=True)
    other_salt = signing.dumps({"user": teacher.pk, "off": "mentions"}, salt="something.else")
    response = client.post(reverse("community:unsubscribe", args=[other_salt]))
    assert response.status_code == 400
    assert NotificationSettings.objects.get(user=teacher).email_mentions is True


def test_unsubscribe_wrong_method_is_405(client, teacher):
    token = unsubscribe_token(user_id=teacher.pk, what="mentions")
    assert client.put(reverse("community:unsubscribe", args=[token])).status_code == 405


def test_emails_are_not_sent_to_deactivated_accounts(teacher, mailoutbox):
    user = make_user(username="gone")
    digest(user, "daily")
    notification_for(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert "Sent 0 digests." in run_digests()
    assert mailoutbox == []
