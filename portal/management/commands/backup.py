"""``python manage.py backup [--out DIR] [--prune]``: one encrypted, self-checking backup of the
database and the private files (``portal.backup``; docs/operations.md, "Backup and restore")."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from portal import backup
from portal.tenancy import SystemCommand


class Command(SystemCommand):
    help = "Write an encrypted backup (database and private files, with its manifest)."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(settings.BACKUP_DIR), help="folder to write to")
        parser.add_argument(
            "--prune", action="store_true", help="then keep only 7 daily and 4 weekly backups"
        )

    def handle(self, *args, out: str, prune: bool, **options):
        try:
            made = backup.backup_create(
                out_dir=Path(out),
                recipients=os.environ.get("BACKUP_AGE_RECIPIENTS", ""),
                signing_key=os.environ.get("BACKUP_SIGNING_KEY", ""),
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        tables = made.manifest["database"]["tables"]
        self.stdout.write(
            f"Wrote {made.path} ({sum(tables.values())} rows in {len(tables)} tables, "
            f"{len(made.manifest['files'])} files)."
        )
        if prune:
            for path in backup.backups_prune(out_dir=Path(out)):
                self.stdout.write(f"Removed {path.name}")
        if made.missing:
            raise CommandError(
                "These files are referenced but could not be read (the backup lists them): "
                + ", ".join(made.missing)
            )
