"""The gentle nudge: a cycle with no step for 14 days gets one in-app notification (as
its owner's settings allow), email only if they opted in, once per stall, however many
processes look."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from community.models import Notification, NotificationSettings
from community.services import emails
from inquiry.models import InquiryCycle
from inquiry.services import cycles as services
from tests.factories import make_cycle

NOW = timezone.now()


def stalled(owner, days=15, **fields):
    return make_cycle(owner=owner, updated_at=NOW - timedelta(days=days), **fields)


def test_a_cycle_quiet_for_14_days_gets_one_nudge_with_a_link(teacher):
    cycle = stalled(teacher, stage="plan")
    assert services.send_due_nudges(now=NOW) == 1
    note = Notification.objects.get(user=teacher)
    assert note.kind == Notification.Kind.INQUIRY
    assert note.link == cycle.get_absolute_url()
    assert "plan your trial" in note.text
    assert services.send_due_nudges(now=NOW + timedelta(days=30)) == 0  # once per stall
    assert Notification.objects.count() == 1


def test_the_notification_leads_to_the_cycle(teacher_client, teacher):
    cycle = stalled(teacher)
    services.send_due_nudges(now=NOW)
    note = Notification.objects.get(user=teacher)
    response = teacher_client.get(reverse("community:notification-open", args=[note.pk]))
    assert response["Location"] == cycle.get_absolute_url()


@pytest.mark.parametrize("days, stage", [(13, "plan"), (30, "done")])
def test_recent_or_finished_cycles_are_not_nudged(teacher, days, stage):
    stalled(teacher, days=days, stage=stage)
    assert services.send_due_nudges(now=NOW) == 0
    assert not Notification.objects.exists()


def test_a_step_after_a_nudge_lets_a_later_stall_be_nudged_again(teacher):
    cycle = stalled(teacher, days=20, stage="plan")
    services.send_due_nudges(now=NOW - timedelta(days=5))  # nudged 15 days in
    InquiryCycle.objects.filter(pk=cycle.pk).update(updated_at=NOW - timedelta(days=4))
    assert services.send_due_nudges(now=NOW) == 0  # the step was 4 days ago
    assert services.send_due_nudges(now=NOW + timedelta(days=11)) == 1
    assert Notification.objects.filter(user=teacher).count() == 2


def test_two_callers_nudge_once(teacher):
    """Two processes that both read the cycle as due: the conditional UPDATE lets one
    of them nudge."""
    stalled(teacher)
    first, second = list(services.due_nudges(NOW)), list(services.due_nudges(NOW))
    assert services.nudge(first[0], now=NOW) is True
    assert services.nudge(second[0], now=NOW) is False
    assert Notification.objects.count() == 1


def test_a_teacher_who_turned_nudges_off_gets_none_in_app(teacher):
    NotificationSettings.objects.create(user=teacher, inquiry=False)
    cycle = stalled(teacher)
    services.send_due_nudges(now=NOW)
    assert not Notification.objects.exists()
    assert InquiryCycle.objects.get(pk=cycle.pk).nudged_at is not None  # still once


def test_email_only_for_those_who_opted_in(teacher, colleague, django_capture_on_commit_callbacks):
    NotificationSettings.objects.create(user=teacher, email_inquiry=True)
    stalled(teacher, focus_question="Talk partners?")
    stalled(colleague)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_nudges(now=NOW) == 2
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amira@example.org"]
    assert "Talk partners?" in message.body
    assert "unsubscribe" in message.extra_headers["List-Unsubscribe"]


def test_the_emails_unsubscribe_link_turns_nudge_emails_off(client, teacher):
    NotificationSettings.objects.create(user=teacher, email_inquiry=True)
    token = emails.unsubscribe_token(user_id=teacher.pk, what="inquiry")
    response = client.post(reverse("community:unsubscribe", args=[token]))
    assert response.status_code == 200
    assert not NotificationSettings.objects.get(user=teacher).email_inquiry
    assert NotificationSettings.objects.get(user=teacher).inquiry  # in-app stays


def test_an_inactive_owner_is_not_nudged(teacher):
    teacher.is_active = False
    teacher.save(update_fields=["is_active"])
    stalled(teacher)
    assert services.send_due_nudges(now=NOW) == 0


def test_the_command_sends_the_nudges_due(teacher, capsys):
    cycle = stalled(teacher)
    InquiryCycle.objects.filter(pk=cycle.pk).update(updated_at=timezone.now() - timedelta(days=15))
    call_command("send_cycle_nudges")
    assert "Nudged 1 cycle." in capsys.readouterr().out


def test_the_settings_page_offers_nudges_in_app_on_and_email_off(teacher_client, teacher):
    url = reverse("community:notification-settings")
    page = teacher_client.get(url).content.decode()
    assert "Nudges about my inquiry cycles" in page
    assert "Email me nudges about my inquiry cycles" in page
    form = {"mentions": "on", "replies": "on", "digest": "off", "email_inquiry": "on"}
    assert teacher_client.post(url, form).status_code == 302
    settings_row = NotificationSettings.objects.get(user=teacher)
    assert settings_row.email_inquiry and not settings_row.inquiry
