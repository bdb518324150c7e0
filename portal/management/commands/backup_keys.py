"""``python manage.py backup_keys``: a new pair of keys for signing backups
(docs/operations.md, "Backup and restore"). The signing key goes to the backup job only
(``BACKUP_SIGNING_KEY``), the verification key to wherever a restore runs
(``BACKUP_VERIFY_KEY``)."""

from django.core.management.base import BaseCommand

from portal import backup


class Command(BaseCommand):
    help = "Print a new backup signing key and its verification key."

    def handle(self, *args, **options):
        secret, public = backup.backup_keys()
        self.stdout.write(f"BACKUP_SIGNING_KEY={secret}")
        self.stdout.write(f"BACKUP_VERIFY_KEY={public}")
