"""Calendar files: a session as an .ics event in its host's zone (with the VTIMEZONE
that calendars need to place it), and a weekly series as a feed calendar apps subscribe
to: one recurring event for the weekly slot, each actual session as that week's
occurrence, readable by any standard calendar.

Calendar apps fetch a feed with no cookies, so a feed's address carries a signed token
naming whose eyes to read it with; the token is made per person and per series."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core import signing
from django.utils import timezone
from icalendar import Calendar, Event

FEED_SALT = "staffroom.calendar-feed"


def _calendar(name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Staffroom//Live sessions//EN")
    calendar.add("version", "2.0")
    if name:
        calendar.add("x-wr-calname", name)
        # How often subscribers should look again (a run-sheet changes, a session moves).
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    return calendar


def _session_fields(event: Event, session, url: str, zone: ZoneInfo) -> None:
    """What a session says about itself, in a single .ics file and in a series feed alike.
    An early start is the session's real start."""
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.began_at.astimezone(zone))
    event.add(
        "dtend", (session.began_at + timedelta(minutes=session.duration_minutes)).astimezone(zone)
    )
    event.add("summary", session.title)
    event.add("description", f"{session.intro}\n\n{url}".strip())
    event.add("url", url)


def session_ics(session, url: str) -> bytes:
    calendar = _calendar()
    event = Event()
    event.add("uid", f"session-{session.pk}@staffroom")
    _session_fields(event, session, url, ZoneInfo(session.timezone_name))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def weekly_slot(series, sessions: list) -> datetime:
    """The series' weekly slot: its first session's planned start, in the series' zone
    (the weekday and local time it recurs on)."""
    return sessions[0].starts_at.astimezone(ZoneInfo(series.timezone_name))


def _occurrence(slot: datetime, local: datetime) -> datetime | None:
    """The weekly slot's local start on the day of `local` (a session's planned start in
    the series' zone), or None if that day is not a slot day. Built from the wall-clock
    time, so a 19:00 slot stays at 19:00 across a change of daylight-saving time."""
    if local.weekday() != slot.weekday() or local.date() < slot.date():
        return None
    return datetime.combine(local.date(), slot.time(), tzinfo=slot.tzinfo)


def series_ics(series, sessions: list, *, series_url: str, url_of) -> bytes:
    """A weekly series as one recurring event (the first session's weekday and local time,
    every week, in the series' zone), each session on a slot day as the override of that
    occurrence (same UID, RECURRENCE-ID = the slot's start), and any other session as an
    event of its own. `sessions` are those the reader sees, by planned start; `url_of`
    gives a session's page address."""
    zone = ZoneInfo(series.timezone_name)
    calendar = _calendar(series.title)
    uid = f"series-{series.pk}@staffroom"
    first = sessions[0]
    slot = weekly_slot(series, sessions)
    weekly = Event()
    weekly.add("uid", uid)
    weekly.add("dtstamp", timezone.now())
    weekly.add("dtstart", slot)
    weekly.add("duration", timedelta(minutes=first.duration_minutes))
    weekly.add("rrule", {"freq": "weekly"})
    weekly.add("summary", series.title)
    weekly.add("description", f"A weekly live session on Staffroom.\n\n{series_url}")
    weekly.add("url", series_url)
    calendar.add_component(weekly)
    overridden: set[datetime] = set()
    for session in sessions:
        event = Event()
        occurrence = _occurrence(slot, session.starts_at.astimezone(zone))
        if occurrence is not None and occurrence not in overridden:
            overridden.add(occurrence)
            event.add("uid", uid)
            event.add("recurrence-id", occurrence)
        else:  # off the slot, or a second session on the same day
            event.add("uid", f"session-{session.pk}@staffroom")
        _session_fields(event, session, url_of(session), zone)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


# --- Feed addresses ----------------------------------------------------------------------


def feed_token(*, user_id: int, series_id: int) -> str:
    return signing.dumps({"user": user_id, "series": series_id}, salt=FEED_SALT)


def read_feed_token(token: str, *, series_id: int) -> int:
    """The user a feed token was made for; BadSignature if it is not ours or was made for
    another series. No expiry: a subscription keeps working."""
    payload = signing.loads(token, salt=FEED_SALT)
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("user"), int)
        or payload.get("series") != series_id
    ):
        raise signing.BadSignature("Unexpected calendar feed payload")
    return payload["user"]


# --- Cohort calendars (inquiry) ----------------------------------------------------------
# A cohort's unit sessions as a feed, in the reader's own zone; its token is made per
# person and per cohort, with its own salt (a series token never opens a cohort's feed).

COHORT_FEED_SALT = "staffroom.cohort-calendar-feed"


def cohort_ics(name: str, sessions: list[dict], *, zone: ZoneInfo) -> bytes:
    """`sessions`: one dict per unit session (uid, starts_at, minutes, summary,
    description, url, and location when there is one), each a VEVENT placed in `zone`."""
    calendar = _calendar(name)
    for session in sessions:
        event = Event()
        event.add("uid", session["uid"])
        event.add("dtstamp", timezone.now())
        event.add("dtstart", session["starts_at"].astimezone(zone))
        end = session["starts_at"] + timedelta(minutes=session["minutes"])
        event.add("dtend", end.astimezone(zone))
        event.add("summary", session["summary"])
        event.add("description", session["description"])
        event.add("url", session["url"])
        if session.get("location"):
            event.add("location", session["location"])
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def cohort_feed_token(*, user_id: int, cohort_id: int) -> str:
    return signing.dumps({"user": user_id, "cohort": cohort_id}, salt=COHORT_FEED_SALT)


def read_cohort_feed_token(token: str, *, cohort_id: int) -> int:
    """The user a cohort feed token was made for; BadSignature if it is not ours or names
    another cohort."""
    payload = signing.loads(token, salt=COHORT_FEED_SALT)
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("user"), int)
        or payload.get("cohort") != cohort_id
    ):
        raise signing.BadSignature("Unexpected cohort calendar payload")
    return payload["user"]
