from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from portal.models import TimeCategory
from trajecten.models import (
    Appointment,
    Assignment,
    ConversationReport,
    Document,
    MedicalNote,
    PersonProfile,
    Placement,
    SearchFunction,
    SearchProfile,
    Task,
    TimeEntry,
    Training,
    WorkCapacity,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def records(cast):
    """One of every record kind on traj_x1, with distinctive texts to look for."""
    t, author = cast.traj_x1, cast.specialist_a
    now = timezone.now()

    def conversation(summary, visibility, medical=False):
        return ConversationReport.objects.create(
            trajectory=t, kind="coaching", duration_minutes=45, summary=summary,
            visibility=visibility, contains_medical=medical, author=author,
        )  # fmt: skip

    r = {
        "agency_only": conversation("SUMMARY-AGENCY-ONLY", "agency"),
        "employee_shared": conversation("SUMMARY-EMPLOYEE-SHARED", "employee"),
        "employer_shared": conversation("SUMMARY-EMPLOYER-SHARED", "employer"),
        "medical_conversation": conversation("SUMMARY-MEDICAL", "employee", medical=True),
        "medical_note": MedicalNote.objects.create(
            trajectory=t,
            consent_date=timezone.localdate(),
            consent_text="consent",
            note="MEDICAL-NOTE-TEXT",
            author=author,
        ),
        "person_profile": PersonProfile.objects.create(trajectory=t, wishes="PROFILE-WISHES"),
        "work_capacity": WorkCapacity.objects.create(
            trajectory=t, limitations="CAPACITY-LIMITATIONS"
        ),
        "appointment": Appointment.objects.create(
            trajectory=t,
            subject="APPOINTMENT-SUBJECT",
            location="Utrecht",
            starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=2, hours=1),
        ),
        "assignment": Assignment.objects.create(
            trajectory=t, title="ASSIGNMENT-TITLE", due_date=timezone.localdate()
        ),
        "training": Training.objects.create(trajectory=t, name="TRAINING-NAME"),
        "task": Task.objects.create(
            trajectory=t, title="TASK-TITLE", due_date=timezone.localdate() - timedelta(days=1)
        ),
        "time": TimeEntry.objects.create(
            trajectory=t,
            minutes=90,
            user=author,
            category=TimeCategory.objects.filter(agency=t.agency).first(),
            note="TIME-NOTE",
        ),
        "placement": Placement.objects.create(
            trajectory=t,
            new_employer="PLACEMENT-EMPLOYER",
            function="Planner",
            start_date=timezone.localdate(),
            hours_per_week=32,
            contract_type="employment",
        ),
    }
    profile = SearchProfile.objects.create(
        trajectory=t, version=1, sectors="Logistiek", region="Utrecht", author=author
    )
    SearchFunction.objects.create(profile=profile, title="SEARCH-FUNCTION", reason="past")
    r["search_profile"] = profile
    for name, visibility in [("employer_document", "employer"), ("agency_document", "agency")]:
        doc = Document(
            trajectory=t, kind="other", title=name.upper(), visibility=visibility,
            uploaded_by=author, content_type="application/pdf", size=len(PDF),
        )  # fmt: skip
        doc.file.save(f"{name}.pdf", ContentFile(PDF), save=True)
        r[name] = doc
    return r
