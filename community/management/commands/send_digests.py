"""Send the daily and weekly email digests that are due. Run it from cron (hourly is
fine): who is due is computed from each teacher's digest_sent_at, so running it again
sends nothing new."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from community.services.emails import (
    digest_notifications,
    send_digest,
    settings_due_a_digest,
    verified_addresses,
)


class Command(BaseCommand):
    help = "Send the email digests that are due."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would get a digest; send nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        count = 0
        for row in settings_due_a_digest(now=now):
            if dry_run:
                pending = len(digest_notifications(row, now=now))
                if pending and verified_addresses([row.user_id]):
                    self.stdout.write(f"Would send {row.user.username} a digest of {pending}.")
                    count += 1
            elif send_digest(row.user, now=now):
                count += 1
        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(f"{verb} {count} digest{'s' if count != 1 else ''}.")
