"""The UWV file: every report the schedule asked for with its status (a gap is stated, never
hidden), the signed PDFs embedded unchanged (the hash in the list is the file's), a RIV
checklist, and a ZIP of one PDF per document."""

import hashlib
import io
import re
import zipfile
from datetime import date, datetime, time

import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from .conftest import offer_and_agree, pdf_text


def _at(day):
    return timezone.make_aware(datetime.combine(day, time(10)))


def test_the_uwv_file_states_the_schedule_and_embeds_each_signed_pdf_unchanged(
    cast, draft, login, on_commit
):
    with time_machine.travel(_at(date(2026, 8, 10)), tick=False):  # 6 days after its due date
        offer_and_agree(draft)
        on_commit(login(cast.specialist_a).post, reverse("rapportages:sign", args=[draft.uuid]),
                  {"step": "sign", "confirm": "on"})  # fmt: skip
    draft.refresh_from_db()
    assert draft.status == "final"
    with time_machine.travel(_at(date(2026, 11, 10)), tick=False):
        client = login(cast.contact_x1)
        on_commit(client.post, reverse("rapportages:bundle_request", args=[cast.traj_x1.uuid]))
        job = cast.traj_x1.bundle_jobs.get()
        assert job.status == "done"
        page = client.get(reverse("rapportages:bundle", args=[job.uuid])).content.decode()
        assert reverse("rapportages:bundle_download_zip", args=[job.uuid]) in page
        data = client.get(reverse("rapportages:bundle_download", args=[job.uuid])).getvalue()
        archive = client.get(reverse("rapportages:bundle_download_zip", args=[job.uuid]))
        archive = archive.getvalue()

    flat = pdf_text(data).replace("\n", " ")
    # The schedule by 10 November: the plan and the 6-month report are missing, the 3-month
    # report was signed late. Each is said.
    assert re.search(r"Re-integratieplan \(trajectplan\).*?14 mei 2026 ontbreekt", flat)
    assert "te laat ondertekend (6 dagen)" in flat
    assert re.search(r"Voortgangsrapportage 6 maanden.*?4 november 2026 ontbreekt", flat)
    assert draft.pdf_sha256 in flat.replace(" ", "")
    assert "Checklist re-integratieverslag (RIV)" in flat
    assert "Probleemanalyse (bedrijfsarts)" in flat and "1 van 2 definitief" in flat

    # The report's pages are its signed PDF, unchanged, from the page the list names.
    bundle = PdfReader(io.BytesIO(data))
    # The front numbers its pages as the file's (issue 40, item 6: "Pagina 1 van 3" on the
    # cover of a 31-page file); the checklist says what the employer adds without repeating it.
    total = len(bundle.pages)
    assert f"Pagina 1 van {total} (dit dossier)" in bundle.pages[0].extract_text()
    assert "Bijlagen, pagina 1 van" in bundle.pages[-1].extract_text() or (
        "Bijlagen, pagina" in bundle.pages[-2].extract_text()
    )
    assert "voegt de werkgever toe" not in flat and "werkgever toe te voegen" in flat
    start = int(re.search(r"ondertekend 10 augustus 2026 (\d+)", flat).group(1))
    with draft.pdf.open("rb") as f:
        signed = PdfReader(f)
        for n, signed_page in enumerate(signed.pages):
            assert bundle.pages[start - 1 + n].extract_text() == signed_page.extract_text()

    # Appendices: the log without notes, only the conversations shared with the employer.
    for part in ("Sollicitatieactiviteiten", "SHARED-WITH-EMPLOYER", "LATER-THAN-PERIOD",
                 "Plaatsing"):  # fmt: skip
        assert part in flat.replace("- ", "-"), part  # a long name may wrap at its hyphen
    for hidden in ("AGENCY-ONLY", "MEDICAL-TALK", "DIAGNOSIS", "PRIVATE-NOTE"):
        assert hidden not in flat, hidden

    # The ZIP: one PDF per document; the report is byte for byte the signed file.
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        names = z.namelist()
        assert names[0] == "00-voorblad-overzicht-en-checklist.pdf"
        assert names[-1].endswith("bijlagen-sollicitaties-gesprekken-plaatsing.pdf")
        [report_file] = [n for n in names if "voortgangsrapportage-3-maanden" in n]
        assert hashlib.sha256(z.read(report_file)).hexdigest() == draft.pdf_sha256
    assert hashlib.sha256(archive).hexdigest() == job.zip_sha256


def test_only_who_may_see_the_file_gets_the_zip(cast, draft, login, on_commit):
    offer_and_agree(draft)
    on_commit(login(cast.specialist_a).post, reverse("rapportages:sign", args=[draft.uuid]),
              {"step": "sign", "confirm": "on"})  # fmt: skip
    on_commit(login(cast.specialist_a).post,
              reverse("rapportages:bundle_request", args=[cast.traj_x1.uuid]))  # fmt: skip
    job = cast.traj_x1.bundle_jobs.get()
    url = reverse("rapportages:bundle_download_zip", args=[job.uuid])
    for who, expected in (("contact_x1", 200), ("admin_a", 200), ("contact_y", 404),
                          ("specialist_b", 404), ("employee_x2", 404)):  # fmt: skip
        assert login(getattr(cast, who)).get(url).status_code == expected, who


def test_a_report_signed_before_its_due_date_is_in_the_file_and_its_checklist(
    cast, draft, login, on_commit
):
    """Issue 39, item 4: a report signed on 1 August, due 4 August, was missing from a file
    built on 2 August while the checklist said every report was final."""
    with time_machine.travel(_at(date(2026, 8, 1)), tick=False):
        offer_and_agree(draft)
        on_commit(login(cast.specialist_a).post, reverse("rapportages:sign", args=[draft.uuid]),
                  {"step": "sign", "confirm": "on"})  # fmt: skip
    draft.refresh_from_db()
    assert draft.status == "final" and draft.due_date == date(2026, 8, 4)
    with time_machine.travel(_at(date(2026, 8, 2)), tick=False):
        client = login(cast.contact_x1)
        on_commit(client.post, reverse("rapportages:bundle_request", args=[cast.traj_x1.uuid]))
        job = cast.traj_x1.bundle_jobs.get()
        data = client.get(reverse("rapportages:bundle_download", args=[job.uuid])).getvalue()
    flat = pdf_text(data).replace("\n", " ")
    assert re.search(r"Voortgangsrapportage 3 maanden.*?4 augustus 2026.*?definitief", flat)
    assert "1 van 1 definitief" in flat
    assert draft.pdf_sha256 in flat.replace(" ", "")


def _file_zip(cast, login, on_commit, draft, day):
    with time_machine.travel(_at(day), tick=False):
        client = login(cast.contact_x1)
        on_commit(client.post, reverse("rapportages:bundle_request", args=[cast.traj_x1.uuid]))
        job = cast.traj_x1.bundle_jobs.latest("created_at")
        data = client.get(reverse("rapportages:bundle_download", args=[job.uuid])).getvalue()
        archive = client.get(reverse("rapportages:bundle_download_zip", args=[job.uuid]))
        return data, archive.getvalue()


def test_every_document_of_the_zip_is_ready_for_uwvs_upload(cast, draft, login, on_commit):
    """Issue 39, item 8: each document a PDF of at most 10 MB with the employee's BSN (when
    the agency records it) and the date it was signed or drawn up; without a BSN the
    checklist says the employer adds it to every document."""
    cast.agency_a.record_bsn = True
    cast.agency_a.save()
    employee = cast.traj_x1.employee
    employee.bsn = "111222333"
    employee.save()
    with time_machine.travel(_at(date(2026, 8, 4)), tick=False):
        offer_and_agree(draft)
        on_commit(login(cast.specialist_a).post, reverse("rapportages:sign", args=[draft.uuid]),
                  {"step": "sign", "confirm": "on"})  # fmt: skip
    _data, archive = _file_zip(cast, login, on_commit, draft, date(2026, 8, 10))
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        for name in z.namelist():
            document = z.read(name)
            assert document.startswith(b"%PDF-") and len(document) <= 10 * 1024 * 1024, name
            text = " ".join(pdf_text(document).split())
            assert "111222333" in text, name
            assert re.search(r"(ondertekend|getekend|samengesteld)[^.]{0,60}2026", text), name

    cast.agency_a.record_bsn = False
    cast.agency_a.save()
    data, archive = _file_zip(cast, login, on_commit, draft, date(2026, 8, 11))
    flat = " ".join(pdf_text(data).split())
    assert "de werkgever vult het aan op elk stuk" in flat
