"""``migrate`` in the platform's own scope: run as the tables' owner, whom the forced row-level
security policies bind too, so data migrations see every agency (see ``portal.tenancy``). The
policies and grants themselves are applied after every run by a post-migrate handler."""

from django.core.management.commands.migrate import Command as MigrateCommand

from portal import tenancy


class Command(MigrateCommand):
    def handle(self, *args, **options):
        with tenancy.scope(tenancy.ALL, using=options["database"]):
            return super().handle(*args, **options)
