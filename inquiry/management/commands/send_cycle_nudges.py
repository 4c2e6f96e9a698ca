"""Nudge the owners of inquiry cycles that have stalled for 14 days. Run it from cron as
often as you like: each nudge is claimed once in the database (`nudged_at`), so
overlapping runs (and the server processes, which also look every minute) nudge once."""

from django.core.management.base import BaseCommand

from inquiry.services.cycles import send_due_nudges


class Command(BaseCommand):
    help = "Send the inquiry-cycle nudges that are due (in-app, and email to those who opted in)."

    def handle(self, *args, **options):
        count = send_due_nudges()
        self.stdout.write(f"Nudged {count} cycle{'' if count == 1 else 's'}.")
