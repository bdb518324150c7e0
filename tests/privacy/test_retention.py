"""Files are removed when their keeping period has passed, with their uploads and PDFs."""

from datetime import date, datetime

import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from portal.models import AuditEvent, User
from rapportages.models import Report
from sollicitaties.models import ApplicationActivity
from tests.factories import TrajectoryFactory
from tests.trajecten.conftest import PDF
from trajecten.constants import TrajectoryStatus, Visibility
from trajecten.models import ConversationReport, Document, Employee, SicknessCase, Trajectory

TODAY = datetime(2026, 11, 24, 3, 0)


def ended(trajectory, on: date) -> None:
    trajectory.status, trajectory.end_date = TrajectoryStatus.ENDED, on
    trajectory.closing_reason = "new_job"
    trajectory.save()


def with_file(trajectory) -> tuple[str, str]:
    """A document and a final report PDF in storage; returns their names."""
    document = Document(
        trajectory=trajectory,
        kind="other",
        title="Advies",
        visibility=Visibility.AGENCY,
        uploaded_by=trajectory.memberships.first().user,
    )
    document.file.save("advies.pdf", ContentFile(PDF), save=False)
    document.save()
    report = Report(
        agency=trajectory.agency,
        trajectory=trajectory,
        kind="final",
        period_start=date(2024, 1, 1),
        period_end=date(2024, 6, 1),
        due_date=date(2024, 6, 15),
        status="final",
    )
    report.pdf.save("eind.pdf", ContentFile(PDF), save=False)
    report.save()
    ConversationReport.objects.create(
        trajectory=trajectory,
        author=trajectory.memberships.first().user,
        kind="coaching",
        duration_minutes=30,
        summary="Gesprek",
    )
    ApplicationActivity.objects.create(
        trajectory=trajectory,
        kind="written_application",
        date=date(2024, 3, 1),
        organisation="Jumbo",
        recorded_by=trajectory.employee.user,
    )
    return document.file.name, report.pdf.name


@time_machine.travel(TODAY, tick=False)
def test_an_expired_file_goes_with_its_uploads_and_the_employee_login_is_anonymised(
    cast, on_commit
):
    ended(cast.traj_x1, date(2024, 10, 1))  # 25 months ago: past the default 24
    names = with_file(cast.traj_x1)
    employee_user = cast.employee_x1
    for name in names:
        assert default_storage.exists(name)

    on_commit(call_command, "retention")

    assert not Trajectory.objects.filter(pk=cast.traj_x1.pk).exists()
    assert not ConversationReport.objects.filter(trajectory_id=cast.traj_x1.pk).exists()
    assert not ApplicationActivity.objects.filter(trajectory_id=cast.traj_x1.pk).exists()
    assert not SicknessCase.objects.filter(pk=cast.traj_x1.sickness_case_id).exists()
    assert not Employee.objects.filter(pk=cast.traj_x1.employee_id).exists()
    for name in names:
        assert not default_storage.exists(name)
    user = User.objects.get(pk=employee_user.pk)
    assert not user.is_active and not user.has_usable_password()
    assert "Xavier" not in user.first_name and user.email.endswith("@invalid.example")
    event = AuditEvent.objects.get(object_type="retention")
    assert event.agency_id == cast.agency_a.pk
    assert event.details["trajectories"] == 1 and event.details["files"] == 2
    assert "Xavier" not in str(event.details)  # counts, never content
    # Everything else is untouched.
    assert Trajectory.objects.filter(pk=cast.traj_x2.pk).exists()


@time_machine.travel(TODAY, tick=False)
def test_self_insurers_keep_files_for_five_years(cast, on_commit):
    cast.employer_x.is_self_insurer = True
    cast.employer_x.save()
    ended(cast.traj_x1, date(2024, 10, 1))  # 25 months: kept
    ended(cast.traj_x2, date(2021, 10, 1))  # 61 months: removed
    ended(cast.traj_y1, date(2024, 10, 1))  # employer Y is no self-insurer: removed
    on_commit(call_command, "retention")
    assert Trajectory.objects.filter(pk=cast.traj_x1.pk).exists()
    assert not Trajectory.objects.filter(pk=cast.traj_x2.pk).exists()
    assert not Trajectory.objects.filter(pk=cast.traj_y1.pk).exists()


@time_machine.travel(TODAY, tick=False)
def test_recent_and_running_files_stay_and_an_employee_with_another_trajectory_too(cast, on_commit):
    ended(cast.traj_x1, date(2025, 1, 1))  # 23 months: within the period
    old = TrajectoryFactory(
        legal_entity=cast.x2, employee=cast.traj_x2.employee, specialist=cast.specialist_a2
    )
    ended(old, date(2023, 1, 1))
    on_commit(call_command, "retention")
    assert Trajectory.objects.filter(pk=cast.traj_x1.pk).exists()
    assert not Trajectory.objects.filter(pk=old.pk).exists()
    assert Employee.objects.filter(pk=cast.traj_x2.employee_id).exists()  # still in traj_x2
    assert User.objects.get(pk=cast.employee_x2.pk).is_active


@time_machine.travel(TODAY, tick=False)
def test_the_dry_run_shows_what_would_go_and_changes_nothing(cast, capsys):
    ended(cast.traj_x1, date(2024, 10, 1))
    names = with_file(cast.traj_x1)
    call_command("retention", dry_run=True)
    out = capsys.readouterr().out
    assert "Agency A: would remove" in out
    assert "1 trajectories" in out and "2 files" in out and "1 employees" in out
    assert Trajectory.objects.filter(pk=cast.traj_x1.pk).exists()
    assert all(default_storage.exists(name) for name in names)
    assert not AuditEvent.objects.filter(object_type="retention").exists()


@time_machine.travel(TODAY, tick=False)
def test_a_second_run_finds_nothing(cast, on_commit, capsys):
    ended(cast.traj_x1, date(2024, 10, 1))
    on_commit(call_command, "retention")
    capsys.readouterr()
    call_command("retention")
    assert "Nothing has passed its keeping period." in capsys.readouterr().out


@time_machine.travel(TODAY, tick=False)
def test_an_expired_file_leaves_the_invoices_that_billed_it(cast, on_commit):
    """Invoices are kept for the fiscal period (7 years), longer than the file: the line
    keeps its text and loses its link to the removed trajectory."""
    from facturen.models import Invoice, InvoiceLine

    ended(cast.traj_x1, date(2024, 10, 1))
    invoice = Invoice.objects.create(
        agency=cast.agency_a, employer=cast.employer_x, period_end=date(2024, 1, 31),
        status="issued", sequence=1, number="000001", issue_date=date(2024, 2, 1),
    )  # fmt: skip
    line = InvoiceLine.objects.create(
        invoice=invoice, position=1, kind="product", trajectory=cast.traj_x1,
        description="Basistraject: X. Xavier", quantity=1, unit="C62", unit_price=1775,
        vat_rate=21, net_amount=1775,
    )  # fmt: skip
    on_commit(call_command, "retention")
    assert not Trajectory.objects.filter(pk=cast.traj_x1.pk).exists()
    line.refresh_from_db()
    assert line.trajectory_id is None and line.description == "Basistraject: X. Xavier"
