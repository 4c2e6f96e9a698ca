"""Reminders 15 minutes before a session: once per person however often (or by however
many processes) it is called, only to those still going, never after the start, in
Staffroom unless turned off, by email only when asked for, in each reader's own zone."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from community.models import ChatSession, Membership, Notification, NotificationSettings
from community.services import sessions
from community.services.emails import send_digest
from community.services.notifications import update_notification_settings
from community.services.reminders import send_due_reminders
from community.services.sessions import RunSheet

# 19:00 in London on a winter evening (GMT): 22:00 in Nairobi.
START = dt.datetime(2030, 1, 16, 19, 0, tzinfo=dt.UTC)
BEFORE = START - dt.timedelta(minutes=15)


def plan(host, space, starts_at=START, **changes) -> ChatSession:
    sheet = RunSheet(
        title="Oracy in maths",
        starts_at=starts_at,
        duration_minutes=60,
        questions=["What do they say first?"],
        space=space,
        **changes,
    )
    return sessions.create_session(actor=host, sheet=sheet, now=starts_at - dt.timedelta(days=1))


def going(session, *users):
    for user in users:
        sessions.set_rsvp(actor=user, session=session, going=True)


def reminders_of(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user, kind=Notification.Kind.SESSION).values_list(
            "text", flat=True
        )
    )


@pytest.fixture
def session(moderator, space):
    return plan(moderator, space)


# --- Who is reminded, and when ------------------------------------------------------------


def test_each_person_going_is_reminded_once_in_their_own_zone(session, teacher, teacher_elsewhere):
    going(session, teacher, teacher_elsewhere)
    assert send_due_reminders(now=BEFORE) == 2
    assert send_due_reminders(now=BEFORE + dt.timedelta(minutes=1)) == 0
    assert send_due_reminders(now=START - dt.timedelta(seconds=5)) == 0
    assert reminders_of(teacher) == ["“Oracy in maths” starts at 19:00 GMT, in 15 minutes"]
    assert reminders_of(teacher_elsewhere) == [
        "“Oracy in maths” starts at 22:00 EAT, in 15 minutes"
    ]
    [note] = Notification.objects.filter(user=teacher)
    assert note.session == session and note.read_at is None


def test_nobody_is_reminded_before_the_window(session, teacher):
    going(session, teacher)
    assert send_due_reminders(now=BEFORE - dt.timedelta(minutes=1)) == 0
    assert reminders_of(teacher) == []


def test_those_who_said_they_cannot_come_after_all_are_not_reminded(session, teacher, colleague):
    going(session, teacher, colleague)
    sessions.set_rsvp(actor=colleague, session=session, going=False)
    assert send_due_reminders(now=BEFORE) == 1
    assert reminders_of(colleague) == []


def test_a_late_rsvp_is_still_reminded_before_the_start(session, teacher, colleague):
    going(session, teacher)
    send_due_reminders(now=BEFORE)
    going(session, colleague)
    assert send_due_reminders(now=START - dt.timedelta(minutes=4, seconds=30)) == 1
    assert reminders_of(colleague) == ["“Oracy in maths” starts at 19:00 GMT, in 5 minutes"]
    assert len(reminders_of(teacher)) == 1


def test_nobody_is_reminded_after_the_start(session, teacher):
    going(session, teacher)
    assert send_due_reminders(now=START) == 0
    assert send_due_reminders(now=START + dt.timedelta(minutes=1)) == 0
    assert reminders_of(teacher) == []


def test_a_session_started_early_reminds_nobody_after_it_began(session, moderator, teacher):
    going(session, teacher)
    sessions.control(
        actor=moderator, session=session, action="start", now=START - dt.timedelta(minutes=20)
    )
    assert send_due_reminders(now=BEFORE) == 0


def test_an_ended_session_reminds_nobody(session, moderator, teacher):
    going(session, teacher)
    sessions.control(
        actor=moderator, session=session, action="end", now=START - dt.timedelta(minutes=30)
    )
    assert send_due_reminders(now=BEFORE) == 0


def test_a_session_moved_earlier_into_the_window_is_still_reminded(session, teacher):
    going(session, teacher)
    ChatSession.objects.filter(pk=session.pk).update(starts_at=START - dt.timedelta(minutes=10))
    assert send_due_reminders(now=BEFORE) == 1
    assert reminders_of(teacher) == ["“Oracy in maths” starts at 18:50 GMT, in 5 minutes"]


def test_someone_who_can_no_longer_see_the_session_is_not_reminded(
    moderator, private_space, teacher
):
    session = plan(moderator, private_space)
    going(session, teacher)
    Membership.objects.filter(space=private_space, user=teacher).delete()
    assert send_due_reminders(now=BEFORE) == 0
    assert reminders_of(teacher) == []


def test_a_claimed_rsvp_is_not_reminded_by_a_second_process(session, teacher):
    """Another process got there first: its claim (reminded_at) is all this one sees."""
    going(session, teacher)
    session.rsvps.update(reminded_at=BEFORE)
    assert send_due_reminders(now=BEFORE + dt.timedelta(seconds=30)) == 0
    assert reminders_of(teacher) == []


# --- In Staffroom, by email ------------------------------------------------------------------


def test_reminders_turned_off_in_staffroom_make_no_notification(session, teacher):
    update_notification_settings(actor=teacher, sessions=False)
    going(session, teacher)
    send_due_reminders(now=BEFORE)
    assert reminders_of(teacher) == []


def test_no_email_unless_asked_for(
    session, teacher, mailoutbox, django_capture_on_commit_callbacks
):
    going(session, teacher)
    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders(now=BEFORE)
    assert mailoutbox == []


def test_an_email_goes_to_those_who_asked_even_with_in_app_reminders_off(
    session, teacher, teacher_elsewhere, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://staffroom.example"
    update_notification_settings(actor=teacher_elsewhere, email_sessions=True, sessions=False)
    going(session, teacher, teacher_elsewhere)
    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders(now=BEFORE)
    [message] = mailoutbox
    assert message.to == ["wanjiru@example.org"]
    assert message.subject == "“Oracy in maths” starts at 22:00 EAT, in 15 minutes"
    assert f"https://staffroom.example{session.get_absolute_url()}" in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("https://staffroom.example/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert reminders_of(teacher_elsewhere) == []
    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders(now=BEFORE + dt.timedelta(minutes=1))
    assert len(mailoutbox) == 1  # once


def test_the_reminder_emails_unsubscribe_link_turns_them_off(
    client, session, teacher, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://staffroom.example"
    update_notification_settings(actor=teacher, email_sessions=True)
    going(session, teacher)
    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders(now=BEFORE)
    url = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = url.removeprefix("https://staffroom.example")
    assert path in mailoutbox[0].body and path in mailoutbox[0].alternatives[0][0]
    assert "session reminder emails" in client.get(path).content.decode()
    client.post(path)
    assert NotificationSettings.objects.get(user=teacher).email_sessions is False


def test_opening_a_reminder_goes_to_the_session(client, session, teacher):
    going(session, teacher)
    send_due_reminders(now=BEFORE)
    note = Notification.objects.get(user=teacher)
    client.force_login(teacher)
    page = client.get(reverse("community:notifications")).content.decode()
    assert "“Oracy in maths” starts at" in page
    assert reverse("community:notification-open", args=[note.pk]) in page
    response = client.get(reverse("community:notification-open", args=[note.pk]))
    assert response["Location"] == session.get_absolute_url()


def test_a_reminder_is_left_out_of_the_digest(session, teacher, mailoutbox):
    update_notification_settings(actor=teacher, digest="daily")
    going(session, teacher)
    send_due_reminders(now=BEFORE)
    assert send_digest(teacher, now=START + dt.timedelta(hours=5)) is False
    assert mailoutbox == []


# --- The settings page and the command ------------------------------------------------------


def test_the_settings_page_has_both_toggles_and_saves_them(client, teacher):
    client.force_login(teacher)
    url = reverse("community:notification-settings")
    page = client.get(url).content.decode()
    assert "Reminders of sessions I&#x27;m going to" in page
    assert "Email me session reminders" in page
    form = client.get(url).context["form"]
    assert form["sessions"].value() is True and form["email_sessions"].value() is False
    client.post(url, {"email_sessions": "on", "digest": "off"})
    saved = NotificationSettings.objects.get(user=teacher)
    assert saved.sessions is False and saved.email_sessions is True


def test_the_command_sends_the_reminders_that_are_due(moderator, space, teacher):
    soon = plan(moderator, space, starts_at=timezone.now() + dt.timedelta(minutes=10))
    going(soon, teacher)
    out = StringIO()
    call_command("send_session_reminders", stdout=out)
    assert out.getvalue().strip() == "Reminded 1 person."
    call_command("send_session_reminders", stdout=out)
    assert out.getvalue().strip().endswith("Reminded 0 people.")
    assert len(reminders_of(teacher)) == 1
