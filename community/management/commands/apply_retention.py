"""Delete what is kept no longer: read notifications, the raw attendance of recorded
sessions, old moderation log entries (periods in settings; community/services/retention.py).
The server processes run it once a day by themselves; from cron it is harmless too:
a second run deletes nothing more."""

from django.core.management.base import BaseCommand

from community.services.retention import apply_retention

LABELS = {
    "read_notifications": "read notifications",
    "attendance": "raw session attendance rows",
    "moderation_log": "moderation log entries",
}


class Command(BaseCommand):
    help = "Delete what is past its keeping period (read notifications, raw attendance, audit log)."

    def handle(self, *args, **options):
        for kind, count in apply_retention().items():
            self.stdout.write(f"Deleted {count} {LABELS[kind]}.")
