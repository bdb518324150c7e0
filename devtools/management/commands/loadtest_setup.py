"""``python manage.py loadtest_setup``: data and logins for the load scenario (``make load``).

Seeds a small benchmark agency (``--scale``), gives some of its employees a login, adds
employer contacts and specialists, and writes the logins with their TOTP secrets to a JSON file
that tests/load/locustfile.py reads. Only for a throw-away database: the secrets are in the file.

Every simulated person gets an account of their own: a TOTP code is accepted once per account
and period (allauth refuses a replay), so two simulated users sharing a staff account would
fail each other's logins, and a real office does not share accounts either. ``--employers``
employer contacts are spread over the agency's employers (the largest first, each seeing all
its BVs); specialists beyond the seeded ones are second coach on a share of the running
trajectories, so each has a caseload to work through.
"""

import json
from itertools import cycle
from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import connection, transaction

from devtools.bench import seed
from portal.constants import Role
from portal.models import Employer, EmployerContact, User
from portal.tenancy import SystemCommand
from trajecten.constants import MemberRole, TrajectoryStatus
from trajecten.models import Trajectory, TrajectoryMember


class Command(SystemCommand):
    help = "Seed a throw-away database for the load scenario and write its logins."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.02)
        parser.add_argument("--users", type=int, default=20, help="employees and specialists")
        parser.add_argument("--employers", type=int, help="employer contacts (default: --users)")
        parser.add_argument("--out", default="var/load-users.json")

    @transaction.atomic
    def handle(self, *args, scale, users, employers, out, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The load scenario runs on PostgreSQL: set DATABASE_URL.")
        seeded = seed.seed(scale=scale, seed_value=4242)
        password = make_password(seed.PASSWORD)
        running = list(
            Trajectory.objects.filter(agency=seeded.agency, status=TrajectoryStatus.ACTIVE)
            .select_related("employee", "legal_entity")
            .prefetch_related("memberships__user")
            .order_by("id")
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
        specialists = self._specialists(seeded, running, users, password)
        contacts = [
            {"email": seeded.contact.email, "secret": seeded.totp_secrets[seeded.contact.email]}
        ]
        largest_first = Employer.objects.filter(agency=seeded.agency).order_by("id")
        for n, employer in zip(range((employers or users) - 1), cycle(largest_first), strict=False):
            email = f"werkgever{n}@load.example"
            user, login = self._staff(seeded, email, Role.EMPLOYER_CONTACT, password)
            EmployerContact.objects.create(user=user, employer=employer)
            contacts.append(login)
        # Invited users confirm their address by accepting the invitation; these skip that.
        emails = [a["email"] for a in (*employees, *contacts, *specialists)]
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
                    "employers": contacts,
                    "specialists": specialists,
                },
                indent=2,
            )
        )
        self.stdout.write(
            f"{len(employees)} employees, {len(contacts)} employer contacts and "
            f"{len(specialists)} specialists written to {path}"
        )

    def _specialists(
        self, seeded, running: list[Trajectory], count: int, password: str
    ) -> list[dict]:
        """The seeded specialists with a running trajectory of theirs, then new ones, each
        second coach on every ``count``-th running trajectory (at least one), up to ``count``
        accounts."""
        accounts, seen = [], set()
        for trajectory in running:
            member = trajectory.memberships.all()[0].user
            if member.pk not in seen and len(accounts) < count:
                seen.add(member.pk)
                accounts.append(
                    {
                        "email": member.email,
                        "secret": seeded.totp_secrets[member.email],
                        "trajectory": str(trajectory.uuid),
                    }
                )
        for n in range(count - len(accounts)):
            email = f"specialist{n}@load.example"
            user, login = self._staff(seeded, email, Role.SPECIALIST, password)
            share = running[n % len(running) :: count]
            TrajectoryMember.objects.bulk_create(
                TrajectoryMember(
                    agency=seeded.agency, trajectory=t, user=user, role=MemberRole.SECOND_COACH
                )
                for t in share
            )
            accounts.append({**login, "trajectory": str(share[0].uuid)})
        return accounts

    def _staff(self, seeded, email: str, role: str, password: str) -> tuple[User, dict]:
        """A user with a password and TOTP enrolled, as the portal demands of staff and employer
        contacts, and its login for the file."""
        user = User.objects.create(email=email, agency=seeded.agency, role=role, password=password)
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        return user, {"email": email, "secret": secret}
