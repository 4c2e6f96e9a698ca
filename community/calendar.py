"""Calendar files: a session as an .ics event in its host's zone (with the VTIMEZONE
that calendars need to place it), readable by any standard calendar."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from icalendar import Calendar, Event


def session_ics(session, url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Staffroom//Live sessions//EN")
    calendar.add("version", "2.0")
    zone = ZoneInfo(session.timezone_name)
    event = Event()
    event.add("uid", f"session-{session.pk}@staffroom")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.began_at.astimezone(zone))
    event.add(
        "dtend", (session.began_at + timedelta(minutes=session.duration_minutes)).astimezone(zone)
    )
    event.add("summary", session.title)
    event.add("description", f"{session.intro}\n\n{url}".strip())
    event.add("url", url)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
