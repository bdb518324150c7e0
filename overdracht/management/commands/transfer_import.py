"""``python manage.py transfer_import ARCHIVE --as ADMIN_EMAIL [--assign-to EMAIL] [--dry-run]``:
check or import a transfer archive as that agency admin, exactly as the page does (the same
service, the same rules, the same audit trail), printing each trajectory's outcome."""

from django.core.management.base import CommandError
from django.utils import translation

from overdracht import format as fmt
from overdracht import services
from portal import tenancy
from portal.models import User
from portal.tenancy import SystemCommand


class Command(SystemCommand):
    help = "Check (--dry-run) or import a Spoorboek transfer archive (docs/transfer.md)."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="path of the ZIP")
        parser.add_argument("--as", dest="admin", required=True, help="an agency admin's email")
        parser.add_argument("--assign-to", help="staff email for files without own specialist")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args, archive: str, admin: str, assign_to, dry_run: bool, **options):
        actor = User.objects.filter(email__iexact=admin, is_active=True).first()
        if actor is None or actor.agency_id is None:
            raise CommandError(f"No active agency user with the address {admin}.")
        with tenancy.scope(actor.agency_id), translation.override(actor.language):
            fallback = None
            if assign_to:
                fallback = User.objects.visible_to(actor).filter(email__iexact=assign_to).first()
                if fallback is None:
                    raise CommandError(f"{assign_to} is not on the staff of {actor.agency}.")
            try:
                with open(archive, "rb") as handle:
                    outcomes = services.archive_import(
                        actor=actor,
                        archive=fmt.Archive(handle),
                        dry_run=dry_run,
                        assign_to=fallback,
                        progress=lambda n: None,
                    )
            except fmt.ArchiveError as exc:
                raise CommandError(str(exc.args[0])) from exc
            except OSError as exc:
                raise CommandError(str(exc)) from exc
        for o in outcomes:
            self.stdout.write(f"{o.file}\t{o.key}\t{o.outcome}")
            for path, messages in o.errors.items():
                for message in messages:
                    self.stdout.write(f"    {path or '-'}: {message}")
            for warning in o.warnings:
                self.stdout.write(f"    ({warning})")
        summary = services.summary([o.as_dict() for o in outcomes])["outcomes"]
        verb = "would be created" if dry_run else "created"
        self.stdout.write(
            f"{summary.get('created', 0)} {verb}, {summary.get('present', 0)} already present, "
            f"{summary.get('error', 0)} with errors."
        )
