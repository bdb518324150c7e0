"""Demo data for `make run`: two agencies, so that isolation can be seen, not just believed."""

import logging
import shutil
import unicodedata
from contextlib import contextmanager
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from portal.constants import PhaseSet, Role, WebhookEvent
from portal.models import (
    Agency,
    Employer,
    EmployerContact,
    LegalEntity,
    Product,
    User,
    WebhookEndpoint,
)
from portal.services import agency_create, agency_defaults_apply
from portal.tenancy import SystemCommand
from portal.webhooks.services import new_secret
from trajecten.constants import ExtensionKind, MemberRole, TrajectoryStatus
from trajecten.models import (
    Employee,
    Employment,
    Extension,
    SicknessCase,
    Trajectory,
    TrajectoryMember,
)

from ._demo_file import (
    SPOORWERK,
    TWEEDE_KANS,
    _workday_after,
    demo_action_list,
    demo_applications,
    demo_messages,
    demo_reports,
    demo_riv_cases,
    demo_surveys,
    fill_file,
    notices_on_their_day,
    recorded_on_their_day,
    story_for,
    workday_before,
)

# (agency, phase set, admin, specialists, employers: {name: [(BV, KvK, payroll tax no.)]},
#  contacts: (email, first, last, employer, BVs or None for all),
#  employees: (first, last, language, employer, [BVs], trajectory BV, status, start, specialist))
AGENCIES = [
    {
        "name": "Spoorwerk Re-integratie",
        "phase_set": PhaseSet.SIX_STEPS,
        "domain": "spoorwerk.example",
        # ``make webhook-receiver`` listens here and prints what arrives (README, the demo).
        "webhook": "http://127.0.0.1:8124/spoorboek",
        "story": SPOORWERK,
        # The one file that lags: its latest task and an assignment are overdue.
        "behind": "Jansen",
        "admin": ("beheer", "Ingrid", "Smit"),
        "specialists": [("sanne", "Sanne", "Bakker"), ("mohamed", "Mohamed", "Yilmaz")],
        "employers": {
            "Van Dijk Groep": [
                ("Van Dijk Transport BV", "12345678", "812345678L01"),
                ("Van Dijk Logistiek BV", "23456789", "823456789L01"),
                ("Van Dijk Techniek BV", "34567890", "834567890L01"),
            ],
            "Zorggroep Horizon": [
                ("Horizon Thuiszorg BV", "45678901", "845678901L01"),
                ("Horizon Wonen BV", "56789012", "856789012L01"),
            ],
        },
        # The agency bills (facturen): its details, the employers' invoice addresses and the
        # contact who reads the invoices. What is billed comes from the files.
        "invoices": {
            "profile": {
                "legal_name": "Spoorwerk Re-integratie B.V.",
                "street": "Catharijnesingel 12",
                "postcode": "3511 GB",
                "city": "Utrecht",
                "kvk_number": "30123456",
                "vat_number": "NL000099998B57",
                "iban": "NL91ABNA0417164300",
                "email": "facturen@spoorwerk.example",
                "payment_term_days": 30,
                "number_prefix": "SPW-",
            },
            "addresses": {
                "Van Dijk Groep": (
                    "Van Dijk Groep B.V.",
                    "Industrieweg 40",
                    "3044 AS",
                    "Rotterdam",
                    "11223344",
                    "INK-7731",
                ),
                "Zorggroep Horizon": (
                    "Stichting Zorggroep Horizon",
                    "Zorgpad 3",
                    "5611 AB",
                    "Eindhoven",
                    "22334455",
                    "",
                ),
            },
            "readers": ["hr.vandijk"],
        },
        "contacts": [
            ("hr.vandijk", "Petra", "van Dijk", "Van Dijk Groep", None),
            ("transport.vandijk", "Rob", "Hendriks", "Van Dijk Groep", ["Van Dijk Transport BV"]),
            ("hr.horizon", "Anouk", "de Boer", "Zorggroep Horizon", None),
        ],
        "employees": [
            ("Jan", "de Vries", "nl", ["Van Dijk Transport BV"], "active", "sanne"),
            (
                "Piotr",
                "Kowalski",
                "pl",
                ["Van Dijk Logistiek BV", "Van Dijk Transport BV"],
                "active",
                "mohamed",
            ),
            ("Agnieszka", "Nowak", "pl", ["Van Dijk Transport BV"], "referred", "mohamed"),
            ("Kees", "Jansen", "nl", ["Van Dijk Techniek BV"], "active", "sanne"),
            ("Fatima", "el Amrani", "nl", ["Horizon Thuiszorg BV"], "active", "sanne"),
            ("Marta", "Wiśniewska", "pl", ["Horizon Wonen BV"], "ended", "mohamed"),
        ],
    },
    {
        "name": "Tweede Kans Loopbaan",
        "phase_set": PhaseSet.FOUR_PHASES,
        "domain": "tweedekans.example",
        "story": TWEEDE_KANS,
        "behind": "Peters",
        "admin": ("beheer", "Willem", "Visser"),
        "specialists": [("lotte", "Lotte", "Mulder")],
        "employers": {
            "Bakkerij Vermeer": [
                ("Vermeer Brood BV", "67890123", "867890123L01"),
                ("Vermeer Banket BV", "78901234", "878901234L01"),
            ],
        },
        "contacts": [("hr.vermeer", "Karin", "Vermeer", "Bakkerij Vermeer", None)],
        # The one report left overdue: its specialist is reminded, its admin in copy.
        "overdue": "Peters",
        "employees": [
            ("Tomasz", "Zieliński", "pl", ["Vermeer Brood BV"], "active", "lotte"),
            ("Sophie", "Peters", "nl", ["Vermeer Banket BV"], "active", "lotte"),
            # The loonsanctie: the 2e spoor as the repair UWV asked for (TRADES["Bosman"]).
            ("Henk", "Bosman", "nl", ["Vermeer Brood BV"], "active", "lotte"),
        ],
    },
]

#: When each trajectory started, as (months, days) before the day the demo is first seeded, so
#: that the story stays the same whenever it is made: a file half a year in (its 6-month report
#: signed), one 3 months in, one just started, and one whose 12-month report is due in 3 days.
#: Dates are set when a row is created; seeding again later does not move them.
START_AGO = [(6, 21), (3, 14), (1, 24), (12, -3)]
#: The ended trajectory ended this many days ago (its final report signed on time).
ENDED_DAYS_AGO = 27


class Command(SystemCommand):
    help = "Create or refresh the demo agencies and users (DEBUG only). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet", action="store_true", help="Leave the logins to serve_demo (make run)."
        )

    def handle(self, *args, **options):
        if not settings.EMBEDDED:
            raise CommandError(
                "seed_demo only runs with DJANGO_DEBUG=true: it sets known passwords."
            )
        with _quiet_tasks(), _mail_to_file() as mailbox, transaction.atomic():
            platform = self._user("platform@spoorboek.example", "Platform", "Beheer", None, "")
            platform.is_staff = platform.is_superuser = True
            platform.save(update_fields=["is_staff", "is_superuser"])
            for spec in AGENCIES:
                self._agency(spec)
        notices_on_their_day()  # after the commit that made them
        # After the reports were rendered (on that commit): the endpoint hears of what a
        # visitor does, not of the seed's own history.
        for spec in AGENCIES:
            if spec.get("webhook"):
                demo_webhook(User.objects.get(email=f"{spec['admin'][0]}@{spec['domain']}"),
                             spec["webhook"])  # fmt: skip
        if mailbox:
            written = sum(1 for _ in mailbox.glob("*.log"))
            where = mailbox.relative_to(settings.BASE_DIR) if mailbox.is_relative_to(
                settings.BASE_DIR) else mailbox  # fmt: skip
            self.stdout.write(f"The seed's emails (notices, reminders) are in {where}/ "
                              f"({written} files), not on this screen.")  # fmt: skip
        if options["quiet"]:
            self.stdout.write(self.style.SUCCESS("Demo data ready."))
        else:
            self.stdout.write(demo_login_table())

    # --- building blocks --------------------------------------------------------------------

    def _user(self, email, first, last, agency, role, language="nl") -> User:
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "agency": agency,
                "role": role,
                "language": language,
                "is_demo": True,
                "is_active": True,
            },
        )
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _agency(self, spec) -> None:
        agency = Agency.objects.filter(name=spec["name"]).first() or agency_create(
            name=spec["name"], phase_set=spec["phase_set"]
        )
        agency_defaults_apply(agency=agency)
        domain = spec["domain"]

        def email(local):
            return f"{local}@{domain}"

        local, first, last = spec["admin"]
        self._user(email(local), first, last, agency, Role.AGENCY_ADMIN)
        specialists = {}
        for local, first, last in spec["specialists"]:
            specialists[local] = self._user(email(local), first, last, agency, Role.SPECIALIST)

        today = timezone.localdate()
        template = demo_action_list(agency, spec["story"])
        bvs: dict[str, LegalEntity] = {}
        for employer_name, entities in spec["employers"].items():
            employer, _ = Employer.objects.get_or_create(agency=agency, name=employer_name)
            for name, kvk, loonheffing in entities:
                bvs[name], _ = LegalEntity.objects.update_or_create(
                    employer=employer,
                    name=name,
                    defaults={"kvk_number": kvk, "payroll_tax_number": loonheffing},
                )

        for local, first, last, employer_name, only_bvs in spec["contacts"]:
            user = self._user(email(local), first, last, agency, Role.EMPLOYER_CONTACT)
            contact, _ = EmployerContact.objects.update_or_create(
                user=user,
                defaults={
                    "employer": Employer.objects.get(agency=agency, name=employer_name),
                    "all_legal_entities": only_bvs is None,
                },
            )
            contact.legal_entities.set([bvs[n] for n in only_bvs or []])

        for i, (first, last, lang, employments, status, specialist) in enumerate(spec["employees"]):
            local = f"{first}.{last}".lower().replace(" ", "")
            local = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode()
            user = self._user(email(local), first, last, agency, Role.EMPLOYEE, language=lang)
            employee, _ = Employee.objects.update_or_create(
                agency=agency,
                user=user,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": user.email,
                    "guidance_language": lang,
                    "date_of_birth": date(1968 + 3 * i, 1 + (5 * i) % 12, 3 + (7 * i) % 25),
                    "external_id": f"P{4711 + 37 * i}",
                },
            )
            story = story_for(last, spec["story"])  # the employee's own trade and case
            for bv in employments:
                Employment.objects.update_or_create(
                    employee=employee, legal_entity=bvs[bv],
                    defaults={"job_title": story.job or story.jobs[i % len(story.jobs)]},
                )  # fmt: skip
            months, days = START_AGO[i % len(START_AGO)]
            start = today - relativedelta(months=months) - timedelta(days=days)
            # Sick for about a year when the 2e spoor starts, within six weeks of the
            # first-year evaluation (week 52), unless their story says otherwise.
            sick_days = story.sick_days_before_start or 300 + 18 * i
            case, _ = SicknessCase.objects.get_or_create(
                employee=employee, defaults={"first_sick_day": start - timedelta(days=sick_days)}
            )
            if story.wage_sanction and not case.extensions.exists():
                weeks, in_week, reason = story.wage_sanction
                Extension.objects.create(
                    case=case, kind=ExtensionKind.WAGE_SANCTION, weeks=weeks,
                    decided_on=workday_before(case.first_sick_day + timedelta(weeks=in_week)),
                    note=reason,
                )  # fmt: skip
            ended = status == TrajectoryStatus.ENDED
            refreshed = {
                "agency": agency,
                "sickness_case": case,
                "product": agency.products.get(kind=Product.Kind.BASE_3_MONTHS),
                "referral_basis": "company_doctor" if i % 2 == 0 else "labour_expert",
                "guidance_language": lang,
                "status": status,
                "closing_reason": "new_job" if ended else "",
                "phase": None
                if status == TrajectoryStatus.REFERRED
                else agency.phases.order_by("position")[min(i, 3)],
            }
            dates = {  # only when created: the file and its reports were written for them
                # Office events on working days (the intake is a conversation in the file).
                "referral_date": workday_before(start - timedelta(days=7)),
                "intake_date": workday_before(start - timedelta(days=2 + i % 6)),
                "referral_advice_date": workday_before(start - timedelta(days=21)),
                "start_date": None if status == TrajectoryStatus.REFERRED else start,
                "end_date": today - timedelta(days=ENDED_DAYS_AGO) if ended else None,
            }
            trajectory, _ = Trajectory.objects.update_or_create(
                employee=employee,
                legal_entity=bvs[employments[0]],
                defaults=refreshed,
                create_defaults={**refreshed, **dates},
            )
            TrajectoryMember.objects.update_or_create(
                trajectory=trajectory,
                role=MemberRole.PRIMARY,
                defaults={"user": specialists[specialist]},
            )
            new = not trajectory.conversationreports.exists()
            fill_file(trajectory, specialists[specialist], template, story,
                      behind=last == spec["behind"])  # fmt: skip
            demo_applications(trajectory, user, story)
            if new:  # once: what a visitor records later keeps its own moment
                recorded_on_their_day(trajectory)
        demo_reports(agency, spec["story"], overdue=spec.get("overdue"))
        demo_riv_cases(agency, spec["story"])
        demo_messages(agency)
        demo_surveys(agency)
        if spec.get("invoices"):
            demo_invoices(agency, spec["invoices"], admin=User.objects.get(email=email("beheer")),
                          domain=domain)  # fmt: skip


def demo_invoices(agency: Agency, spec: dict, *, admin: User, domain: str) -> None:
    """Once: the agency's invoice details, the employers' addresses, last month but one
    invoiced (issued early last month, as an admin would have) and last month proposed by
    the monthly run, waiting for the admin to check and issue."""
    from facturen import services as invoicing
    from facturen.models import Invoice, InvoiceProfile
    from trajecten.services.trajectories import renewals_record

    if InvoiceProfile.objects.filter(agency=agency).exists():
        return
    today = timezone.localdate()
    renewals_record(today=today)
    invoicing.profile_save(actor=admin, **spec["profile"])
    for employer_name, fields in spec["addresses"].items():
        name, street, postcode, city, kvk, reference = fields
        invoicing.billing_address_save(
            actor=admin, employer=Employer.objects.get(agency=agency, name=employer_name),
            name=name, street=street, postcode=postcode, city=city, kvk_number=kvk,
            reference=reference, email=f"crediteuren@{domain}",
        )  # fmt: skip
    EmployerContact.objects.filter(
        user__email__in=[f"{local}@{domain}" for local in spec["readers"]]
    ).update(sees_invoices=True)
    last_month_end = today.replace(day=1) - timedelta(days=1)
    month_before_end = last_month_end.replace(day=1) - timedelta(days=1)
    for draft in invoicing.invoices_propose(actor=admin, until=month_before_end):
        invoicing.invoice_issue(actor=admin, invoice=draft)
    issued_on = _workday_after(month_before_end + timedelta(days=2))
    Invoice.objects.filter(agency=agency, status=Invoice.Status.ISSUED).update(
        issue_date=issued_on, due_date=issued_on + timedelta(days=30)
    )
    invoicing.invoices_propose(actor=admin, until=last_month_end)


def demo_webhook(admin: User, url: str) -> None:
    """The agency's webhook endpoint for ``make webhook-receiver`` (once; its secret stays)."""
    if not WebhookEndpoint.objects.filter(agency_id=admin.agency_id, url=url).exists():
        WebhookEndpoint.objects.create(
            agency_id=admin.agency_id,
            owner=admin,
            url=url,
            description="Demo-ontvanger (make webhook-receiver)",
            events=list(WebhookEvent.values),
            secret=new_secret(),
        )


@contextmanager
def _quiet_tasks():
    """The eager tasks of the seed (a hundred "Task … succeeded" lines, kombu's notice that no
    broker host is set) say nothing a newcomer needs; their warnings and errors still show."""
    loggers = [logging.getLogger(name) for name in ("celery.app.trace", "kombu.connection")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING if "trace" in logger.name else logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@contextmanager
def _mail_to_file():
    """The seed sends what the services send (notices of reports, messages, surveys): with the
    embedded default's console backend that is some 2,400 lines before the logins. They go to
    ``var/demo-mail/`` instead (Django's file backend), which this yields; another backend (a
    test's outbox, a real SMTP server) is left alone and this yields None."""
    if settings.EMAIL_BACKEND != "django.core.mail.backends.console.EmailBackend":
        yield None
        return
    mailbox = settings.VAR_DIR / "demo-mail"
    shutil.rmtree(mailbox, ignore_errors=True)  # this run's mail only
    mailbox.mkdir(parents=True)
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mailbox),
    ):
        yield mailbox


def demo_login_table() -> str:
    """Every demo login with its agency and role, read from the database (so it is true for
    whatever was seeded), in English as the rest of the console output."""
    order = [Role.AGENCY_ADMIN, Role.SPECIALIST, Role.EMPLOYER_CONTACT, Role.EMPLOYEE, ""]
    users = sorted(
        User.objects.filter(is_demo=True)
        .select_related("agency", "employer_contact__employer", "employee_profile")
        .prefetch_related(
            "employer_contact__legal_entities", "employee_profile__employments__legal_entity"
        ),
        key=lambda u: (u.agency is None, u.agency.name if u.agency else "", order.index(u.role),
                       u.email),
    )  # fmt: skip
    rows = []
    for user in users:
        agency = user.agency.name if user.agency else "—"
        if user.is_superuser:
            role = "platform operator (Django admin at /platform-admin/)"
        elif user.role == Role.EMPLOYER_CONTACT:
            contact = user.employer_contact
            bvs = [bv.name for bv in contact.legal_entities.all()]
            scope = ", ".join(bvs) if not contact.all_legal_entities else "all BVs"
            role = f"employer contact ({contact.employer.name}: {scope})"
        elif user.role == Role.EMPLOYEE:
            bvs = [e.legal_entity.name for e in user.employee_profile.employments.all()]
            role = f"employee ({', '.join(bvs)})"
        else:
            role = {Role.AGENCY_ADMIN: "agency admin", Role.SPECIALIST: "specialist"}[user.role]
        rows.append((agency, user.email, role))
    width = max((len(agency) for agency, _, _ in rows), default=0)
    lines = [
        "",
        "Demo logins (every one uses the password "
        f"{settings.DEMO_PASSWORD}; demo users skip MFA enrolment in this demo):",
        "",
        *(f"  {agency:<{width}}  {email:<40} {role}" for agency, email, role in rows),
        "",
    ]
    return "\n".join(lines)
