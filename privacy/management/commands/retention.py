"""``python manage.py retention [--dry-run]``: remove (or, dry, list) the expired files."""

from django.utils import timezone

from portal.tenancy import SystemCommand
from privacy import retention


class Command(SystemCommand):
    help = "Remove re-integration files whose keeping period has passed (docs/security.md)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="show what would go")

    def handle(self, *args, dry_run: bool, **options):
        today = timezone.localdate()
        runs = retention.plan(today=today) if dry_run else retention.apply(today=today)
        verb = "would remove" if dry_run else "removed"
        if not runs:
            self.stdout.write("Nothing has passed its keeping period.")
        for run in runs:
            counts = ", ".join(f"{n} {what}" for what, n in sorted(run.counts.items()))
            self.stdout.write(f"{run.agency.name}: {verb} {counts}")
