"""Reminders 15 minutes before a session, to the people who said they'd be there: in
Staffroom (unless they turned session reminders off) and by email (if they opted in).

Nothing depends on a timer firing at the right second: whoever calls
`send_due_reminders` (the `send_session_reminders` command from cron, and every server
process once a minute, `realtime/clock.py`) looks for sessions that begin within the
next 15 minutes and have not begun, and claims each RSVP with a conditional UPDATE on
`reminded_at IS NULL`. Only the caller whose UPDATE changed the row reminds that person,
so two processes or two cron runs never remind anyone twice. Someone who RSVPs late, or
a session moved earlier into the window, is still reminded on the next call; once a
session has begun (on time or started early by a host) nobody is."""

import math
from collections import defaultdict
from datetime import datetime, timedelta

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateformat import format as date_format

from community.models import ChatSession, Notification, NotificationSettings, SessionRSVP, User
from community.services import emails
from community.services.notifications import notify

REMINDER_LEAD = timedelta(minutes=15)


def due_sessions(now: datetime) -> QuerySet[ChatSession]:
    """Sessions that begin within REMINDER_LEAD and have not begun (nor been ended)."""
    return ChatSession.objects.filter(
        Q(started_at=None) | Q(started_at__gt=now),
        ended_at=None,
        starts_at__gt=now,
        starts_at__lte=now + REMINDER_LEAD,
    )


def send_due_reminders(now: datetime | None = None) -> int:
    """Remind everyone due a reminder; returns how many people were reminded."""
    now = now or timezone.now()
    return sum(_remind(session, now) for session in due_sessions(now).select_related("space"))


@transaction.atomic
def _remind(session: ChatSession, now: datetime) -> int:
    waiting = SessionRSVP.objects.filter(session=session, reminded_at=None)
    claimed = [
        rsvp.user
        for rsvp in waiting.select_related("user__profile")
        # The claim: of several callers at once, one changes the row; the rest skip it.
        if SessionRSVP.objects.filter(pk=rsvp.pk, reminded_at=None).update(reminded_at=now)
    ]
    # Still able to see the session (still active; still in its space).
    people = [user for user in claimed if _sees(user, session)]
    by_zone: dict[str, list[User]] = defaultdict(list)
    for user in people:
        by_zone[str(emails._user_zone(user))].append(user)
    for users in by_zone.values():
        notify(
            users=users,
            kind=Notification.Kind.SESSION,
            text=reminder_text(session, zone=emails._user_zone(users[0]), now=now),
            session=session,
        )
    if people:
        ids = [user.pk for user in people]
        # After the commit, and robust: a mail server that is down costs the email, not
        # the in-app reminders (the claims stay: nobody is reminded twice).
        transaction.on_commit(lambda: send_reminder_emails(session.pk, ids, now), robust=True)
    return len(people)


def _sees(user: User, session: ChatSession) -> bool:
    if not user.is_active:
        return False
    if session.space_id is None:
        return True
    return ChatSession.objects.visible_to(user).filter(pk=session.pk).exists()


def reminder_text(session: ChatSession, *, zone, now: datetime) -> str:
    """“Oracy in maths” starts at 19:00 GMT, in 15 minutes (in the reader's zone)."""
    local = session.began_at.astimezone(zone)
    minutes = max(1, math.ceil((session.began_at - now).total_seconds() / 60))
    return (
        f"“{session.title}” starts at {date_format(local, 'H:i')} {local.tzname()}, "
        f"in {minutes} minute{'s' if minutes != 1 else ''}"
    )


def send_reminder_emails(session_id: int, user_ids: list[int], now: datetime) -> int:
    """Email the reminder to those of `user_ids` who opted in and have a verified
    address; returns how many emails went out."""
    session = ChatSession.objects.filter(pk=session_id).first()
    if session is None:
        return 0
    opted_in = NotificationSettings.objects.filter(
        user_id__in=user_ids, email_sessions=True
    ).values_list("user_id", flat=True)
    addresses = emails.verified_addresses(list(opted_in))
    users = User.objects.filter(pk__in=addresses).select_related("profile")
    url = emails.absolute_url(session.get_absolute_url())
    sent = 0
    with get_connection() as connection:
        for user in users:
            zone = emails._user_zone(user)
            text = reminder_text(session, zone=zone, now=now)
            with timezone.override(zone):
                message = emails._message(
                    to=addresses[user.pk],
                    subject=text,
                    template="session_reminder",
                    context={"session": session, "text": text, "url": url},
                    unsubscribe=emails.unsubscribe_url(user_id=user.pk, what="sessions"),
                )
            message.connection = connection
            message.send()
            sent += 1
    return sent
