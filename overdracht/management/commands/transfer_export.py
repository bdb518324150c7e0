"""``python manage.py transfer_export OUT.zip --as ADMIN_EMAIL [--employer NAME | --trajectory
UUID]``: write a transfer archive of what that agency admin sees (all started trajectories of
the agency, of one employer, or one), as the page does."""

from django.core.management.base import CommandError

from overdracht import export
from portal import audit, tenancy
from portal.constants import AuditAction
from portal.models import User
from portal.tenancy import SystemCommand
from trajecten.constants import TrajectoryStatus
from trajecten.models import Trajectory


class Command(SystemCommand):
    help = "Export trajectories as a Spoorboek transfer archive (docs/transfer.md)."

    def add_arguments(self, parser):
        parser.add_argument("out", help="path of the ZIP to write")
        parser.add_argument("--as", dest="admin", required=True, help="an agency admin's email")
        parser.add_argument("--employer", help="only this employer's trajectories (by name)")
        parser.add_argument("--trajectory", help="only this trajectory (its UUID)")

    def handle(self, *args, out: str, admin: str, employer, trajectory, **options):
        actor = User.objects.filter(email__iexact=admin, is_active=True).first()
        if actor is None or actor.agency_id is None:
            raise CommandError(f"No active agency user with the address {admin}.")
        from portal import access

        if not access.can_transfer_files(actor):
            raise CommandError(f"{admin} is not an agency admin.")
        with tenancy.scope(actor.agency_id):
            rows = Trajectory.objects.visible_to(actor).exclude(status=TrajectoryStatus.REFERRED)
            if employer:
                rows = rows.filter(legal_entity__employer__name__iexact=employer)
            if trajectory:
                rows = rows.filter(uuid=trajectory)
            rows = list(export.trajectories_for(rows.filter(start_date__isnull=False)))
            if not rows:
                raise CommandError("No started trajectory matches.")
            with open(out, "wb") as handle:
                manifest = export.write(rows, source=str(actor.agency), out=handle)
            for row in rows:
                audit.record(AuditAction.DOWNLOAD, row, actor=actor, details={"transfer": True})
        self.stdout.write(f"{len(rows)} trajectories written to {out}.")
        for missing in manifest["missing"]:
            self.stderr.write(f"Missing from storage: {missing}")
