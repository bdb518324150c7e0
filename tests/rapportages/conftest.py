import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from rapportages.models import Report
from sollicitaties.models import ApplicationActivity
from trajecten.models import (
    ConversationReport,
    MedicalNote,
    SearchFunction,
    SearchProfile,
    WorkCapacity,
)


def pdf_text(report_or_bytes) -> str:
    data = report_or_bytes
    if isinstance(report_or_bytes, Report):
        with report_or_bytes.pdf.open("rb") as f:
            data = f.read()
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def filled(cast):
    """traj_x1 started 2026-05-04 with things a progress report must (not) show."""
    t = cast.traj_x1
    t.start_date, t.referral_date, t.intake_date = (
        date(2026, 5, 4),
        date(2026, 4, 27),
        date(2026, 4, 30),
    )
    t.referral_basis, t.referral_advice_date = "company_doctor", date(2026, 4, 20)
    t.save()
    author = cast.specialist_a
    profile = SearchProfile.objects.create(
        trajectory=t, version=1, valid_from=date(2026, 5, 18), sectors="Logistiek",
        region="Utrecht", author=author,
    )  # fmt: skip
    SearchFunction.objects.create(profile=profile, title="Planner", reason="Ervaring met routes")

    def conversation(day, summary, visibility, medical=False):
        ConversationReport.objects.create(
            trajectory=t, date=day, kind="coaching", duration_minutes=30, summary=summary,
            visibility=visibility, contains_medical=medical, author=author,
        )  # fmt: skip

    conversation(date(2026, 5, 20), "SHARED-WITH-EMPLOYER", "employer")
    conversation(date(2026, 6, 1), "AGENCY-ONLY-TALK", "agency")
    conversation(date(2026, 6, 2), "MEDICAL-TALK", "employee", medical=True)
    MedicalNote.objects.create(
        trajectory=t, consent_date=date(2026, 5, 5), consent_text="ja", note="DIAGNOSIS-X",
        author=author,
    )  # fmt: skip
    WorkCapacity.objects.create(trajectory=t, limitations="Niet tillen boven 10 kg")
    for day, kind, org, status in [
        (date(2026, 5, 10), "written_application", "PostNL", "rejected"),
        (date(2026, 5, 12), "open_application", "Jumbo", "invited"),
        (date(2026, 6, 15), "written_application", "DHL", "sent"),
        (date(2026, 6, 20), "reading_vacancies", "", "sent"),
        (date(2026, 8, 20), "written_application", "LATER-THAN-PERIOD", "sent"),
    ]:
        ApplicationActivity.objects.create(
            trajectory=t, date=day, kind=kind, organisation=org, status=status,
            recorded_by=cast.employee_x1, recorded_by_role="employee", notes="PRIVATE-NOTE",
        )  # fmt: skip
    return t


@pytest.fixture
def draft(filled):
    return Report.objects.create(
        trajectory=filled, agency_id=filled.agency_id, kind="progress", number=1,
        period_start=date(2026, 5, 4), period_end=date(2026, 8, 3), due_date=date(2026, 8, 4),
        progress="PROGRESS-TEXT", obstacles="Reisafstand", evaluation="Goed", next_steps="Door",
        discussed_on=date(2026, 8, 1),
    )  # fmt: skip


def days(n):
    return timedelta(days=n)


def respond_in_page(client, report, decision="agree", reason=""):
    """A respondent opens the report's page and signs a response to the text shown there."""
    from django.urls import reverse

    page = client.get(reverse("rapportages:detail", args=[report.uuid])).content.decode()
    match = re.search(r'name="content_sha256" value="([0-9a-f]{64})"', page)
    assert match, "no response form on the page"
    return client.post(
        reverse("rapportages:respond", args=[report.uuid]),
        {"decision": decision, "reason": reason, "content_sha256": match.group(1)},
    )


def offer_and_agree(report) -> Report:
    """The starting point of a signing test: the specialist gives the draft out and everyone
    asked (the employee; for a plan an employer contact too) agrees, through the services."""
    from portal import access
    from rapportages import services

    report = Report.objects.get(pk=report.pk)
    specialist = report.trajectory.memberships.filter(role="primary").first().user
    if not report.review_requested_at:
        report = services.report_offer(actor=specialist, report=report)
    done = set(services.current_responses(report))
    for user in services.response_askees(report):
        party = access.report_party(user, report)
        if party and party not in done:
            services.report_respond(actor=user, report=report, decision="agree",
                                    content_sha256=report.review_sha256,
                                    authenticated_by="wachtwoord")  # fmt: skip
            done.add(party)
    return report
