"""Remind the people going to a session, 15 minutes before it begins. Run it from cron
every minute or few: each RSVP is claimed once in the database, so overlapping runs (and
the server processes, which also check every minute) never remind anyone twice."""

from django.core.management.base import BaseCommand

from community.services.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Send the session reminders that are due (in-app, and email to those who opted in)."

    def handle(self, *args, **options):
        count = send_due_reminders()
        self.stdout.write(f"Reminded {count} {'person' if count == 1 else 'people'}.")
