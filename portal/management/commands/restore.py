"""``python manage.py restore FILE``: restore a backup into an empty database and storage and
verify it against its manifest; ``--verify-only`` checks an installation that was restored
before. Connect as the owner of the new, empty database, never as a superuser; the archive's
signature is checked with BACKUP_VERIFY_KEY first (docs/operations.md, "Backup and restore")."""

import os
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connection

from portal import backup
from portal.tenancy import SystemCommand


class Command(SystemCommand):
    help = "Restore an encrypted backup into an empty database and storage, then verify it."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="a spoorboek-*.tar.age file")
        parser.add_argument(
            "--verify-only", action="store_true", help="only compare with the backup's manifest"
        )

    def handle(self, *args, archive: str, verify_only: bool, **options):
        identity = os.environ.get("BACKUP_AGE_IDENTITY", "")
        verify_key = os.environ.get("BACKUP_VERIFY_KEY", "")
        database = dict(connection.settings_dict)
        connection.close()  # pg_restore works on its own connections
        try:
            if verify_only:
                manifest = backup.backup_manifest(
                    archive=Path(archive), identity=identity, verify_key=verify_key
                )
                problems = backup.backup_verify(manifest=manifest, database=database)
            else:
                problems = backup.backup_restore(
                    archive=Path(archive),
                    identity=identity,
                    verify_key=verify_key,
                    database=database,
                )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if problems:
            raise CommandError(
                "The restored installation differs from the backup:\n  " + "\n  ".join(problems)
            )
        self.stdout.write("Restored and verified: every table's rows and every file match.")
