"""The right of access: an employee downloads everything the portal holds about them."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from facturen.models import Invoice, InvoiceLine
from portal.models import AuditEvent
from tests.trajecten.conftest import PDF
from trajecten.constants import Visibility
from trajecten.models import AccessExport, ConversationReport, Document, MedicalNote, Message


def page_url(cast):
    return reverse("privacy:access_exports", args=[cast.traj_x1.employee.uuid])


def prepare(client, cast, on_commit) -> AccessExport:
    response = on_commit(client.post, page_url(cast))
    assert response.status_code == 302
    return AccessExport.objects.get()


def medical_note(cast) -> MedicalNote:
    return MedicalNote.objects.create(
        trajectory=cast.traj_x1,
        author=cast.specialist_a,
        consent_date=timezone.localdate(),
        consent_text="Gesprek over belastbaarheid",
        note="Rugklachten",
    )


def test_an_employee_downloads_everything_about_them_as_a_zip(cast, login, on_commit):
    ConversationReport.objects.create(
        trajectory=cast.traj_x1,
        author=cast.specialist_a,
        kind="coaching",
        duration_minutes=30,
        summary="Interne aantekening van het bureau",
        visibility=Visibility.AGENCY,
    )
    medical_note(cast)
    Message.objects.create(
        trajectory=cast.traj_x1, author=cast.contact_x1, body="Kan Xavier eerder beginnen?"
    )
    document = Document(
        trajectory=cast.traj_x1,
        kind="other",
        title="CV",
        visibility=Visibility.EMPLOYEE,
        uploaded_by=cast.specialist_a,
    )
    document.file.save("cv.pdf", ContentFile(PDF), save=False)
    document.save()
    ConversationReport.objects.create(  # someone else's file stays out
        trajectory=cast.traj_x2,
        author=cast.specialist_a2,
        kind="coaching",
        duration_minutes=30,
        summary="Over Xenia",
    )
    invoice = Invoice.objects.create(
        agency=cast.agency_a, employer=cast.employer_x, period_end=timezone.localdate()
    )
    for t, text in ((cast.traj_x1, "Basistraject X. Xavier"), (cast.traj_x2, "Basistraject Xenia")):
        InvoiceLine.objects.create(
            invoice=invoice, position=t.pk, kind="product", trajectory=t, description=text,
            quantity=1, unit="C62", unit_price=1775, vat_rate=21, net_amount=1775,
        )  # fmt: skip
    client = login(cast.employee_x1)
    export = prepare(client, cast, on_commit)
    assert export.status == "ready" and export.expires_at > timezone.now()
    html = client.get(page_url(cast)).content.decode()
    download = reverse("privacy:access_export_download", args=[export.uuid])
    assert download in html

    response = client.get(download)
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert "employee.json" in names and "access_log.json" in names
    conversations = archive.read("records/conversation_reports.json").decode()
    assert "Interne aantekening van het bureau" in conversations
    assert "Over Xenia" not in conversations
    assert "Rugklachten" in archive.read("records/medical_notes.json").decode()
    assert any(n.startswith("files/documents/") and n.endswith(".pdf") for n in names)
    log = json.loads(archive.read("access_log.json"))
    assert any(entry["what"] == "create" for entry in log)  # the request itself
    # The thread between employer and agency is about the employee: not shown to them in the
    # portal, but part of what they have a right to see (GDPR article 15), and the read-me
    # says so.
    assert "Kan Xavier eerder beginnen?" in archive.read("records/messages.json").decode()
    assert "records/messages.json" in archive.read("LEESMIJ.txt").decode()
    # The invoice lines that name them (the agency's invoices to their employer), not others'.
    lines = archive.read("records/invoice_lines.json").decode()
    assert "Basistraject X. Xavier" in lines and "Xenia" not in lines
    assert AuditEvent.objects.filter(action="download", object_uuid=export.uuid).exists()


def test_an_agency_admin_prepares_it_on_the_employees_behalf(cast, login, on_commit):
    medical_note(cast)
    admin = login(cast.admin_a)
    export = prepare(admin, cast, on_commit)
    assert export.requested_by == cast.admin_a and export.status == "ready"
    # Admins never see medical notes (domain.md section 6), not through an export either.
    response = admin.get(reverse("privacy:access_export_download", args=[export.uuid]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "records/medical_notes.json" not in archive.namelist()
    assert "Rugklachten" not in str([archive.read(n) for n in archive.namelist()])
    # The employee sees and downloads it too.
    assert str(export.uuid) in login(cast.employee_x1).get(page_url(cast)).content.decode()


def test_an_admin_cannot_fetch_the_archive_the_employee_asked_for(cast, login, on_commit):
    export = prepare(login(cast.employee_x1), cast, on_commit)
    assert export.includes_medical
    admin = login(cast.admin_a)
    assert str(export.uuid) not in admin.get(page_url(cast)).content.decode()
    download = reverse("privacy:access_export_download", args=[export.uuid])
    assert admin.get(download).status_code == 404


@pytest.mark.parametrize(
    "who", ["employee_x2", "specialist_a", "contact_x_all", "admin_b", "specialist_b"]
)
def test_nobody_else_asks_for_or_downloads_it(cast, login, on_commit, who):
    export = prepare(login(cast.employee_x1), cast, on_commit)
    client = login(getattr(cast, who))
    assert client.get(page_url(cast)).status_code == 404
    assert client.post(page_url(cast)).status_code == 404
    download = reverse("privacy:access_export_download", args=[export.uuid])
    assert client.get(download).status_code == 404
    assert AccessExport.objects.count() == 1


def test_a_download_is_available_for_a_limited_time_then_removed(cast, login, on_commit):
    client = login(cast.employee_x1)
    export = prepare(client, cast, on_commit)
    name = export.file.name
    download = reverse("privacy:access_export_download", args=[export.uuid])
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        client.force_login(cast.employee_x1)
        assert client.get(download).status_code == 410
        from privacy.tasks import apply_retention

        apply_retention()
    assert not AccessExport.objects.exists()
    assert not export.file.storage.exists(name)
