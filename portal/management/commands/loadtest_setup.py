"""``python manage.py loadtest_setup``: data and logins for the load scenario (``make load``).

Seeds a small benchmark agency (``--scale``), gives some of its employees a login, adds
employer contacts, and writes the logins with their TOTP secrets to a JSON file that
tests/load/locustfile.py reads. Only for a throw-away database: the secrets are in the file.
"""

import json
from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import connection, transaction

from portal.bench import seed
from portal.constants import Role
from portal.models import EmployerContact, User
from portal.tenancy import SystemCommand
from trajecten.constants import TrajectoryStatus
from trajecten.models import Trajectory


class Command(SystemCommand):
    help = "Seed a throw-away database for the load scenario and write its logins."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.02)
        parser.add_argument("--users", type=int, default=20, help="logins per role")
        parser.add_argument("--out", default="var/load-users.json")

    @transaction.atomic
    def handle(self, *args, scale, users, out, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The load scenario runs on PostgreSQL: set DATABASE_URL.")
        seeded = seed.seed(scale=scale, seed_value=4242)
        password = make_password(seed.PASSWORD)
        running = list(
            Trajectory.objects.filter(agency=seeded.agency, status=TrajectoryStatus.ACTIVE)
            .select_related("employee", "legal_entity")
            .prefetch_related("memberships__user")
            .order_by("id")[: users * 3]
        )
        employees = []
        for n, trajectory in enumerate(running[:users]):
            user = User.objects.create(
                email=f"werknemer{n}@load.example",
                agency=seeded.agency,
                role=Role.EMPLOYEE,
                language="pl" if n % 3 == 0 else "nl",
                password=password,
            )
            trajectory.employee.user = user
            trajectory.employee.save(update_fields=["user"])
            employees.append({"email": user.email, "trajectory": str(trajectory.uuid)})
        specialists, seen = [], set()
        for trajectory in running:
            member = trajectory.memberships.all()[0].user
            if member.pk not in seen and len(specialists) < users:
                seen.add(member.pk)
                specialists.append(
                    {
                        "email": member.email,
                        "secret": seeded.totp_secrets[member.email],
                        "trajectory": str(trajectory.uuid),
                    }
                )
        employers = [
            {"email": seeded.contact.email, "secret": seeded.totp_secrets[seeded.contact.email]}
        ]
        for n, trajectory in enumerate(running[users : users * 2]):
            contact = User.objects.create(
                email=f"werkgever{n}@load.example",
                agency=seeded.agency,
                role=Role.EMPLOYER_CONTACT,
                password=password,
            )
            EmployerContact.objects.create(user=contact, employer=trajectory.legal_entity.employer)
            secret = generate_totp_secret()
            TOTP.activate(contact, secret)
            employers.append({"email": contact.email, "secret": secret})
        # Invited users confirm their address by accepting the invitation; these skip that.
        emails = [a["email"] for a in (*employees, *employers[:users], *specialists)]
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True)
            for user in User.objects.filter(email__in=emails)
        )
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(
                {
                    "password": seed.PASSWORD,
                    "employees": employees,
                    "employers": employers[:users],
                    "specialists": specialists,
                },
                indent=2,
            )
        )
        self.stdout.write(
            f"{len(employees)} employees, {len(employers[:users])} employer contacts and "
            f"{len(specialists)} specialists written to {path}"
        )
