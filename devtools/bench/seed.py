"""Seed one agency the size of a large real one, reproducibly from a seed, with bulk inserts.

At scale 1: 60 specialists, 300 employers, 1,000 BVs, 20,000 employees with a sickness case
and a trajectory, 500,000 application activities, 150,000 conversation reports, 30,000
appointments, 10,000 vacancies and 20,000 final reports (without PDFs). The largest employer
holds 2,000 active trajectories across 5 BVs. ``scale`` multiplies every count (the largest
employer keeps a tenth of all trajectories).
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from portal.constants import Role
from portal.models import Agency, Employer, EmployerContact, LegalEntity, Product, User
from portal.services import agency_create
from rapportages.models import Report
from sollicitaties.constants import COUNTING_KINDS
from sollicitaties.models import ApplicationActivity, Vacancy
from trajecten.constants import MemberRole, TrajectoryStatus, Visibility
from trajecten.models import (
    Appointment,
    ConversationReport,
    Employee,
    SicknessCase,
    Trajectory,
    TrajectoryMember,
)

BATCH = 5000
PASSWORD = "bench-password-2026"  # noqa: S105 (a local benchmark database only)
FIRST = ["Anna", "Bram", "Chantal", "Dirk", "Eva", "Fatima", "Gert", "Hanna", "Ivo", "Kees",
         "Lotte", "Mohamed", "Noor", "Piotr", "Agnieszka", "Sanne", "Tomasz", "Yara"]  # fmt: skip
LAST = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
        "Kowalski", "Nowak", "Yilmaz", "el Amrani", "Peters", "Hendriks", "van Dijk"]  # fmt: skip
FUNCTIONS = ["Magazijnmedewerker", "Klantenservice", "Administratief medewerker", "Planner",
             "Receptionist", "Chauffeur", "Schoonmaker", "Productiemedewerker"]  # fmt: skip


@dataclass
class Sizes:
    specialists: int
    employers: int
    legal_entities: int
    trajectories: int
    activities: int
    conversations: int
    appointments: int
    vacancies: int
    reports: int
    largest: int

    @classmethod
    def at(cls, scale: float) -> "Sizes":
        def n(value: int, minimum: int = 1) -> int:
            return max(minimum, round(value * scale))

        trajectories = n(20_000, 60)
        return cls(
            specialists=n(60, 3),
            employers=n(300, 3),
            legal_entities=n(1_000, 8),
            trajectories=trajectories,
            activities=n(500_000, 600),
            conversations=n(150_000, 150),
            appointments=n(30_000, 30),
            vacancies=n(10_000, 50),
            reports=n(20_000, 20),
            largest=max(10, trajectories // 10),
        )


@dataclass
class Seeded:
    agency: Agency
    admin: User
    specialist: User  # the busiest caseload
    contact: User  # of the largest employer, all its BVs
    file_trajectory: Trajectory  # holds 400 applications
    sizes: Sizes
    totp_secrets: dict[str, str] = field(default_factory=dict)  # email: secret (load test)


def _rng_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _bulk(model, objects) -> list:
    return model.objects.bulk_create(objects, batch_size=BATCH)


def _bulk_stream(model, objects) -> None:
    """Insert from a generator, a batch at a time, so half a million rows never sit in memory."""
    batch = []
    for obj in objects:
        batch.append(obj)
        if len(batch) == BATCH:
            _bulk(model, batch)
            batch = []
    _bulk(model, batch)


@transaction.atomic
def seed(*, scale: float = 1.0, seed_value: int = 2026, today: date | None = None) -> Seeded:
    rng = random.Random(seed_value)  # noqa: S311 (reproducible test data, not secrets)
    today = today or timezone.localdate()
    sizes = Sizes.at(scale)
    tz = timezone.get_current_timezone()
    agency = agency_create(name=f"Bench {seed_value}", phase_set="six_steps")
    phases = list(agency.phases.order_by("position"))
    base = Product.objects.get(agency=agency, kind=Product.Kind.BASE_6_MONTHS)
    password = make_password(PASSWORD)

    def user(role, n, **extra) -> User:
        return User(
            uuid=_rng_uuid(rng),
            email=f"{role}{n}@bench-{seed_value}.example",
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            agency=agency,
            role=role,
            password=password,
            **extra,
        )

    admin = _bulk(User, [user(Role.AGENCY_ADMIN, 0)])[0]
    specialists = _bulk(User, [user(Role.SPECIALIST, i) for i in range(sizes.specialists)])
    employers = _bulk(
        Employer,
        [
            Employer(uuid=_rng_uuid(rng), agency=agency, name=f"Werkgever {i:04d} Groep")
            for i in range(sizes.employers)
        ],
    )
    # The largest employer (index 0) has 5 BVs; the others share the rest.
    bvs = [
        LegalEntity(uuid=_rng_uuid(rng), agency=agency, employer=employers[0], name=f"Groot {i} BV")
        for i in range(5)
    ]
    for i in range(sizes.legal_entities - 5):
        employer = employers[1 + i % (len(employers) - 1)]
        bvs.append(
            LegalEntity(uuid=_rng_uuid(rng), agency=agency, employer=employer, name=f"BV {i:05d}")
        )
    bvs = _bulk(LegalEntity, bvs)
    contact = _bulk(User, [user(Role.EMPLOYER_CONTACT, 0)])[0]
    EmployerContact.objects.create(user=contact, employer=employers[0], all_legal_entities=True)

    employees, cases, trajectories = [], [], []
    for i in range(sizes.trajectories):
        employees.append(
            Employee(
                uuid=_rng_uuid(rng),
                agency=agency,
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                external_id=f"E{i:06d}",
            )
        )
    employees = _bulk(Employee, employees)
    for employee in employees:
        first_sick = today - timedelta(days=rng.randint(120, 700))
        cases.append(
            SicknessCase(
                uuid=_rng_uuid(rng),
                agency=agency,
                employee=employee,
                first_sick_day=first_sick,
                first_year_evaluation_date=first_sick + timedelta(days=360)
                if (today - first_sick).days > 370
                else None,
            )
        )
    cases = _bulk(SicknessCase, cases)
    for i, (employee, case) in enumerate(zip(employees, cases, strict=True)):
        largest = i < sizes.largest
        roll = rng.random()
        status = (
            TrajectoryStatus.ACTIVE
            if largest or roll < 0.7
            else TrajectoryStatus.ENDED
            if roll < 0.95
            else TrajectoryStatus.REFERRED
        )
        start = (
            None
            if status == TrajectoryStatus.REFERRED
            else today - timedelta(days=rng.randint(30, 400))
        )
        bv = bvs[i % 5] if largest else bvs[5 + rng.randrange(len(bvs) - 5)]
        trajectories.append(
            Trajectory(
                uuid=_rng_uuid(rng),
                agency=agency,
                employee=employee,
                legal_entity=bv,
                status=status,
                start_date=start,
                end_date=today - timedelta(days=rng.randint(0, 25))
                if status == TrajectoryStatus.ENDED
                else None,
                closing_reason="new_job" if status == TrajectoryStatus.ENDED else "",
                sickness_case=case,
                product=base,
                referral_date=(start or today) - timedelta(days=rng.randint(3, 10)),
                intake_date=(start - timedelta(days=2)) if start else None,
                phase=rng.choice(phases) if start else None,
            )
        )
    trajectories = _bulk(Trajectory, trajectories)
    # The busiest specialist gets a caseload of its share; everyone is the primary of some.
    _bulk(
        TrajectoryMember,
        [
            TrajectoryMember(
                agency=agency,
                trajectory=t,
                user=specialists[i % len(specialists)],
                role=MemberRole.PRIMARY,
            )
            for i, t in enumerate(trajectories)
        ],
    )
    started = [t for t in trajectories if t.start_date]
    file_trajectory = next(t for t in started if t.status == TrajectoryStatus.ACTIVE)
    primary_of = {t.pk: specialists[i % len(specialists)] for i, t in enumerate(trajectories)}

    def day_in(t: Trajectory) -> date:
        return t.start_date + timedelta(
            days=rng.randrange(max(1, ((t.end_date or today) - t.start_date).days))
        )

    def activities():
        for n in range(sizes.activities):
            t = file_trajectory if n < 400 else started[rng.randrange(len(started))]
            yield ApplicationActivity(
                uuid=_rng_uuid(rng),
                agency=agency,
                trajectory=t,
                date=day_in(t),
                kind=rng.choice(kinds),
                organisation=f"Bedrijf {rng.randrange(5000)}",
                vacancy_title=rng.choice(FUNCTIONS),
                status="sent",
                recorded_by=primary_of[t.pk],
                recorded_by_role="specialist",
            )

    def conversations():
        for _ in range(sizes.conversations):
            t = started[rng.randrange(len(started))]
            yield ConversationReport(
                uuid=_rng_uuid(rng),
                agency=agency,
                trajectory=t,
                author=primary_of[t.pk],
                date=day_in(t),
                kind="coaching",
                duration_minutes=60,
                summary="Vacatures besproken en sollicitaties voorbereid.",
                visibility=rng.choice(list(Visibility.values)),
            )

    kinds = [*sorted(COUNTING_KINDS), "reading_vacancies"]
    _bulk_stream(ApplicationActivity, activities())
    _bulk_stream(ConversationReport, conversations())

    appointments = []
    for _ in range(sizes.appointments):
        t = started[rng.randrange(len(started))]
        day = today + timedelta(days=rng.randint(-60, 30))
        starts = datetime.combine(day, time(9 + rng.randrange(8)), tzinfo=tz)
        appointments.append(
            Appointment(
                uuid=_rng_uuid(rng),
                agency=agency,
                trajectory=t,
                subject="Coachingsgesprek",
                location="Kantoor Utrecht",  # required, as on the page (a transfer checks it)
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
            )
        )
    _bulk(Appointment, appointments)

    _bulk(
        Vacancy,
        [
            Vacancy(
                uuid=_rng_uuid(rng),
                agency=agency,
                title=rng.choice(FUNCTIONS),
                organisation=f"Bedrijf {rng.randrange(5000)}",
                place=rng.choice(["Utrecht", "Amersfoort", "Zeist", "Houten", "Nieuwegein"]),
                function_category=rng.choice(FUNCTIONS),
                closing_date=today + timedelta(days=rng.randint(-10, 60)),
                created_by=admin,
            )
            for _ in range(sizes.vacancies)
        ],
    )

    reports, taken = [], set()
    for _ in range(sizes.reports):
        t = started[rng.randrange(len(started))]
        number = rng.randint(1, 8)
        if (t.pk, number) in taken:
            continue
        taken.add((t.pk, number))
        due = t.start_date + timedelta(days=91 * number)
        signed = datetime.combine(min(due, today), time(12), tzinfo=tz)
        reports.append(
            Report(
                uuid=_rng_uuid(rng),
                agency=agency,
                trajectory=t,
                kind="progress",
                number=number,
                period_start=due - timedelta(days=91),
                period_end=due - timedelta(days=1),
                due_date=due,
                status="final",
                signed_by=primary_of[t.pk],
                signed_at=signed,
                finalized_at=signed,
            )
        )
    _bulk(Report, reports)
    _seed_surveys(trajectories, now=timezone.now(), rng=random.Random(seed_value + 20))  # noqa: S311
    # Staff must have MFA to see anything; the bench logs them in as after a full login.
    secrets = {}
    for person in (admin, contact, *specialists):
        secrets[person.email] = generate_totp_secret()
        TOTP.activate(person, secrets[person.email])
    busiest = specialists[0]
    return Seeded(agency, admin, busiest, contact, file_trajectory, sizes, secrets)


def seed_platform(*, agencies: int, scale: float, first_seed: int) -> list[Sizes]:
    """The rest of a platform beside the reference agency: ``agencies`` more agencies that
    together hold four times its size (at scale 1 with 49 of them: 80,000 trajectories and 2
    million applications more, so that 50 agencies hold 100,000 and 2.5 million), each
    seeded like the reference one, reproducibly, from a seed of its own."""
    each = 4 * scale / agencies
    return [seed(scale=each, seed_value=first_seed + i).sizes for i in range(agencies)]


def load(*, seed_value: int = 2026) -> Seeded | None:
    """The data an earlier ``seed`` left in this database, to measure again without seeding."""
    agency = Agency.objects.filter(name=f"Bench {seed_value}").first()
    if agency is None:
        return None
    trajectories = Trajectory.objects.filter(agency=agency)
    count = trajectories.count()
    sizes = Sizes.at(count / 20_000)
    specialist = User.objects.get(email=f"specialist0@bench-{seed_value}.example")
    file_trajectory = (
        trajectories.filter(status=TrajectoryStatus.ACTIVE, start_date__isnull=False)
        .order_by("id")
        .first()
    )
    return Seeded(
        agency=agency,
        admin=User.objects.get(email=f"agency_admin0@bench-{seed_value}.example"),
        specialist=specialist,
        contact=User.objects.get(email=f"employer_contact0@bench-{seed_value}.example"),
        file_trajectory=file_trajectory,
        sizes=sizes,
    )


def _seed_surveys(trajectories, *, now, rng: random.Random) -> None:
    """The satisfaction survey of every ended trajectory: the employee (answered 6 in 10) and
    one employer contact (answered half the time), as closing sends it. Its own random
    generator, so the rest of the seed stays as it was (runs stay comparable)."""
    from kwaliteit.models import SurveyInvitation

    rows = []
    for t in trajectories:
        if t.status != TrajectoryStatus.ENDED:
            continue
        for party, chance in (("employee", 0.6), ("employer", 0.5)):
            answered = rng.random() < chance
            marks = [rng.randint(5, 10) for _ in range(3)] if answered else [None] * 3
            answer = dict(zip(("guidance", "communication", "result"), marks, strict=True))
            rows.append(
                SurveyInvitation(
                    uuid=_rng_uuid(rng),
                    agency_id=t.agency_id,
                    trajectory=t,
                    party=party,
                    email=f"{party}-{t.pk}@bench.example",
                    language="nl",
                    expires_at=now + timedelta(days=30),
                    sent_at=now,
                    answered_at=now if answered else None,
                    comment="Goede begeleiding." if answered and rng.random() < 0.2 else "",
                    **answer,
                )
            )
    _bulk(SurveyInvitation, rows)
