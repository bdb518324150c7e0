"""A file with a record of every section of the transfer format."""

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from portal.models import Phase
from rapportages.models import Report, RivException
from sollicitaties.models import (
    ApplicationActivity,
    ApplicationNorm,
    StatusChange,
    TempAgencyRegistration,
)
from trajecten.constants import MemberRole
from trajecten.models import (
    Appointment,
    Assignment,
    ConversationReport,
    Employment,
    Extension,
    PersonProfile,
    PhaseChange,
    Placement,
    Renewal,
    SearchFunction,
    SearchProfile,
    Training,
    TrajectoryMember,
    WorkCapacity,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(text: str) -> bytes:
    return PDF.replace(b"<<>>endobj", f"<</T ({text})>>endobj".encode(), 1)


def rich_file(trajectory, specialist, *, second=None):
    """Fill ``trajectory`` (started 30 days ago by the factory, now 200 days) with history."""
    today = timezone.localdate()
    start = today - timedelta(days=200)
    t = trajectory
    t.start_date, t.referral_date, t.intake_date = start, start - timedelta(days=9), start
    t.referral_basis, t.referral_advice_date = "company_doctor", start - timedelta(days=20)
    t.contact_preferences = "Liever 's ochtends bellen"
    t.phase = Phase.objects.filter(agency=t.agency).order_by("position")[2]
    t.save()
    if not t.memberships.exists():
        TrajectoryMember.objects.create(trajectory=t, user=specialist, role=MemberRole.PRIMARY)
    if second:
        TrajectoryMember.objects.create(trajectory=t, user=second, role=MemberRole.SECOND_COACH)
    employee = t.employee
    employee.phone, employee.date_of_birth = "0612345678", date(1975, 3, 14)
    employee.save()
    Employment.objects.filter(employee=employee, legal_entity=t.legal_entity).update(
        job_title="Orderpicker", hours_per_week=Decimal("32.0")
    )
    case = t.sickness_case
    case.probleemanalyse_date = case.first_sick_day + timedelta(days=40)
    case.plan_van_aanpak_date = case.first_sick_day + timedelta(days=56)
    case.notification_42_date = case.first_sick_day + timedelta(days=290)
    case.first_year_evaluation_date = case.first_sick_day + timedelta(days=350)
    case.current_assessment_by = "Dr. A. Bedrijfsarts"
    case.save()
    Extension.objects.create(
        case=case, kind="voluntary", weeks=12, decided_on=today, note="Akkoord"
    )
    for position, days in ((0, 200), (1, 150)):
        PhaseChange.objects.create(
            trajectory=t,
            phase=Phase.objects.filter(agency=t.agency).order_by("position")[position],
            started_on=today - timedelta(days=days),
        )
    Renewal.objects.create(trajectory=t, period_start=start + timedelta(days=92), price="450.00")
    PersonProfile.objects.create(trajectory=t, education="MBO 3 logistiek", wishes="Dichtbij huis")
    WorkCapacity.objects.create(
        trajectory=t, advice_date=start - timedelta(days=20), advice_author="Dr. A. Bedrijfsarts",
        fml_reference="FML 2026-04", possibilities="Zittend werk", limitations="Niet > 10 kg",
        hours_per_day=Decimal("6.0"), hours_per_week=Decimal("30.0"),
    )  # fmt: skip
    for version, days in ((1, 180), (2, 60)):
        profile = SearchProfile.objects.create(
            trajectory=t, version=version, valid_from=today - timedelta(days=days),
            sectors="Logistiek, Administratie", kinds_of_work="Planning", region="Utrecht",
            travel_minutes=45, hours_per_week=Decimal("30.0"), agreed_with_employee=True,
            change_note="Breder" if version == 2 else "", author=specialist,
        )  # fmt: skip
        SearchFunction.objects.create(profile=profile, title="Planner", reason="Ervaring")
        SearchFunction.objects.create(profile=profile, title="Administratief medewerker",
                                      reason="Opleiding")  # fmt: skip
    for days, visibility, medical, author in (
        (190, "employer", False, specialist),
        (120, "agency", True, second or specialist),
        (30, "employee", False, specialist),
    ):
        ConversationReport.objects.create(
            trajectory=t, date=today - timedelta(days=days), kind="coaching", duration_minutes=60,
            participants="Werknemer", summary=f"Gesprek {days}", agreements="Drie sollicitaties",
            visibility=visibility, contains_medical=medical, author=author,
        )  # fmt: skip
    moment = timezone.make_aware(datetime.combine(today + timedelta(days=3), datetime.min.time()))
    Appointment.objects.create(
        trajectory=t, starts_at=moment + timedelta(hours=10), ends_at=moment + timedelta(hours=11),
        location="Kantoor Utrecht", subject="Voortgang",
    )  # fmt: skip
    Assignment.objects.create(
        trajectory=t, title="CV bijwerken", due_date=today - timedelta(days=5), status="done",
        result="Klaar", completed_at=moment - timedelta(days=7),
    )  # fmt: skip
    Training.objects.create(trajectory=t, name="Heftruckcertificaat", provider="ROC",
                            start_date=today - timedelta(days=90),
                            end_date=today - timedelta(days=60), status="completed")  # fmt: skip
    TempAgencyRegistration.objects.create(trajectory=t, agency_name="Randstad",
                                          date=today - timedelta(days=100))  # fmt: skip
    ApplicationNorm.objects.create(trajectory=t, count=2, weeks=1, reason="Afspraak",
                                   set_by=specialist)  # fmt: skip
    for days, status in ((150, "rejected"), (40, "invited")):
        activity = ApplicationActivity.objects.create(
            trajectory=t, date=today - timedelta(days=days), kind="written_application",
            channel="vacancy_site", organisation="PostNL", vacancy_title="Planner",
            status=status, recorded_by=specialist, recorded_by_role="specialist",
        )  # fmt: skip
        StatusChange.objects.create(activity=activity, status=status,
                                    date=today - timedelta(days=days - 5),
                                    changed_by=specialist)  # fmt: skip
    Placement.objects.create(trajectory=t, new_employer="PostNL", function="Planner",
                             start_date=today + timedelta(days=30), hours_per_week=Decimal("30.0"),
                             contract_type="employment")  # fmt: skip
    signed = timezone.make_aware(datetime.combine(start + timedelta(days=88), datetime.min.time()))
    previous = None
    for kind, number, version in (("trajectory_plan", 0, 1), ("progress", 1, 1),
                                  ("progress", 1, 2)):  # fmt: skip
        content = pdf(f"{kind} {number} v{version}")
        report = Report(
            trajectory=t, agency=t.agency, kind=kind, number=number, version=version,
            supersedes=previous if version == 2 else None,
            period_start=start, period_end=start + timedelta(days=89),
            due_date=start + timedelta(days=90),
            status="superseded" if (kind, version) == ("progress", 1) else "final",
            signed_by=specialist, signed_at=signed, finalized_at=signed,
            pdf_sha256=hashlib.sha256(content).hexdigest(),
        )  # fmt: skip
        report.pdf.save("r.pdf", ContentFile(content), save=False)
        report.save()
        previous = report
    RivException.objects.create(
        trajectory=t, rule="second_track_late", reason_kind="other",
        reason="Werkgever en werknemer spraken eerst een proefplaatsing af.",
        signed_by=specialist, signed_at=signed,
    )  # fmt: skip
    Report.objects.create(  # a draft stays behind
        trajectory=t, agency=t.agency, kind="progress", number=2,
        period_start=start + timedelta(days=90), period_end=start + timedelta(days=180),
        due_date=start + timedelta(days=181),
    )  # fmt: skip
    return t
