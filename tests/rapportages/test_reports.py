"""Drafting, signing, the PDF, corrections, notices and reminders, as people see them."""

import contextlib
import hashlib
from datetime import date
from unittest import mock

import pytest
import time_machine
from celery.exceptions import Retry
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent, Notification
from rapportages.models import Report
from rapportages.tasks import render_report, send_report_reminders
from tests.conftest import CAST_NAMES

from .conftest import offer_and_agree, pdf_text, respond_in_page

X1_VIEWERS = {"admin_a", "specialist_a", "contact_x_all", "contact_x1", "employee_x1"}


def sign(client, report, on_commit):
    """The employee agreed; the specialist reads the preview and confirms."""
    offer_and_agree(report)
    return on_commit(
        client.post,
        reverse("rapportages:sign", args=[report.uuid]),
        {"step": "sign", "confirm": "on"},
    )


def test_a_draft_is_prefilled_from_the_file_as_the_employer_may_see_it(cast, draft, login):
    html = (
        login(cast.specialist_a)
        .get(reverse("rapportages:detail", args=[draft.uuid]))
        .content.decode()
    )
    assert "SHARED-WITH-EMPLOYER" in html
    for hidden in (
        "AGENCY-ONLY-TALK",
        "MEDICAL-TALK",
        "DIAGNOSIS-X",
        "PRIVATE-NOTE",
        "LATER-THAN-PERIOD",
    ):
        assert hidden not in html
    assert "Niet tillen boven 10 kg" in html


def test_signing_freezes_the_content_and_renders_a_dutch_a4_pdf(cast, draft, login, on_commit):
    client = login(cast.specialist_a)
    client.post(reverse("rapportages:detail", args=[draft.uuid]),
                {"progress": "PROGRESS-TEXT", "results": "", "obstacles": "Reisafstand",
                 "evaluation": "Goed", "next_steps": "Door",
                 "discussed_on": "2026-08-01"})  # fmt: skip
    sign(client, draft, on_commit)
    draft.refresh_from_db()
    assert draft.status == "final"
    with draft.pdf.open("rb") as f:
        data = f.read()
    assert hashlib.sha256(data).hexdigest() == draft.pdf_sha256
    text = pdf_text(data)
    for block in ("Inhoud", "Werknemer", "Aanmelding en termijnen", "Belastbaarheid",
                  "Persoonsprofiel", "Zoekprofiel", "Activiteiten", "Contacten met de werknemer",
                  "Sollicitatieactiviteiten", "Resultaten", "Voortgang", "Belemmeringen",
                  "Evaluatie en vervolg", "Ondertekening", "Reactie van de werknemer"):  # fmt: skip
        assert block in text, block
    assert "SHARED-WITH-EMPLOYER" in text and "PROGRESS-TEXT" in text
    assert "4 activiteiten, waarvan 3 meetellend" in text
    assert "Inhoud niet gedeeld met de werkgever." in text  # the agency-only and medical talks
    assert "Pagina 1 van" in text
    for hidden in ("AGENCY-ONLY", "MEDICAL", "DIAGNOSIS", "PRIVATE-NOTE", "LATER-THAN-PERIOD"):
        assert hidden not in text
    page = client.get(reverse("rapportages:detail", args=[draft.uuid])).content.decode()
    assert draft.pdf_sha256 in page


def test_a_final_report_never_changes(cast, draft, login, on_commit):
    client = login(cast.specialist_a)
    sign(client, draft, on_commit)
    draft.refresh_from_db()
    snapshot, digest = draft.snapshot, draft.pdf_sha256
    response = client.post(
        reverse("rapportages:detail", args=[draft.uuid]), {"progress": "CHANGED"}
    )
    assert response.status_code == 403
    from trajecten.models import ConversationReport

    ConversationReport.objects.filter(summary="SHARED-WITH-EMPLOYER").update(summary="EDITED-LATER")
    resign = client.post(
        reverse("rapportages:sign", args=[draft.uuid]), {"step": "sign", "confirm": "on"}
    )
    assert resign.status_code == 403  # a signed report is not signed again
    draft.refresh_from_db()
    assert (draft.snapshot, draft.pdf_sha256) == (snapshot, digest)
    assert "EDITED-LATER" not in pdf_text(draft)


def test_a_correction_is_a_new_version_and_both_are_kept(cast, draft, login, on_commit):
    client = login(cast.specialist_a)
    sign(client, draft, on_commit)
    response = client.post(reverse("rapportages:correct", args=[draft.uuid]))
    correction = Report.objects.get(version=2)
    assert response.url == reverse("rapportages:detail", args=[correction.uuid])
    client.post(reverse("rapportages:detail", args=[correction.uuid]),
                {"progress": "FIXED-TEXT", "obstacles": "Reisafstand", "evaluation": "Goed",
                 "next_steps": "Door", "correction_note": "Datum gecorrigeerd",
                 "discussed_on": "2026-08-01"})  # fmt: skip
    sign(client, correction, on_commit)
    draft.refresh_from_db()
    correction.refresh_from_db()
    assert (draft.status, correction.status) == ("superseded", "final")
    assert "Datum gecorrigeerd" in pdf_text(correction)
    assert draft.pdf and correction.pdf
    assert client.post(reverse("rapportages:correct", args=[draft.uuid])).status_code == 302
    assert Report.objects.count() == 2  # a superseded report is not corrected again


def test_when_rendering_fails_the_report_waits_as_signed_with_the_error_shown(
    cast, draft, login, on_commit
):
    client = login(cast.specialist_a)
    with mock.patch("rapportages.pdf.render_to_pdf", side_effect=OSError("fonts missing")):
        response = sign(client, draft, on_commit)  # the queued render fails; signing does not
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "signed" and not draft.pdf
    assert "fonts missing" in draft.pdf_error
    page = client.get(reverse("rapportages:detail", args=[draft.uuid])).content.decode()
    assert "fonts missing" in page
    render_report.apply(
        args=[draft.pk], kwargs={"agency_id": draft.agency_id}
    )  # the retry, now with fonts
    draft.refresh_from_db()
    assert draft.status == "final"
    assert (
        render_report.apply(args=[draft.pk], kwargs={"agency_id": draft.agency_id}).get()
        == "nothing to do"
    )  # idempotent


def test_final_reports_are_announced_to_the_employee_and_the_bv_contacts(
    cast, draft, login, on_commit
):
    sign(login(cast.specialist_a), draft, on_commit)
    told = {m.to[0] for m in mail.outbox}
    expected = {cast.employee_x1.email, cast.contact_x1.email, cast.contact_x_all.email}
    assert told == expected
    assert set(Notification.objects.values_list("user__email", flat=True)) == expected
    page = login(cast.contact_x1).get(reverse("dashboards:home")).content.decode()
    assert 'class="badge badge-count">1<' in page


def test_the_employees_response_is_printed_and_a_later_view_is_kept_beside_the_pdf(
    cast, draft, login, on_commit
):
    login(cast.specialist_a).post(reverse("rapportages:offer", args=[draft.uuid]))
    before = login(cast.employee_x1).post(
        reverse("rapportages:employee_view", args=[draft.uuid]), {"employee_view": "Te vroeg"}
    )
    assert before.status_code == 403  # before signing the employee responds instead
    respond_in_page(login(cast.employee_x1), draft, "disagree", "Ik wil liever in de zorg werken.")
    sign(login(cast.specialist_a), draft, on_commit)
    draft.refresh_from_db()
    text = pdf_text(draft).replace("\n", " ")
    assert "Niet akkoord" in text and "Ik wil liever in de zorg werken." in text
    later = login(cast.employee_x1).post(
        reverse("rapportages:employee_view", args=[draft.uuid]), {"employee_view": "Aanvulling"}
    )
    assert later.status_code == 302
    draft.refresh_from_db()
    assert draft.employee_view == "Aanvulling"
    assert "Aanvulling" not in pdf_text(draft)  # the final PDF does not change


@pytest.mark.parametrize("who", CAST_NAMES)
def test_report_pages_by_role_and_status(cast, draft, login, on_commit, who):
    client = login(getattr(cast, who))
    url = reverse("rapportages:detail", args=[draft.uuid])
    draft_readers = {"admin_a", "specialist_a"}
    assert client.get(url).status_code == (200 if who in draft_readers else 404)
    offer_and_agree(draft)  # out for a response: now the employee reads it too
    client = login(getattr(cast, who))
    draft_readers.add("employee_x1")
    assert client.get(url).status_code == (200 if who in draft_readers else 404)
    sign(login(cast.specialist_a), draft, on_commit)
    client = login(getattr(cast, who))
    assert client.get(url).status_code == (200 if who in X1_VIEWERS else 404)
    pdf = client.get(reverse("rapportages:download", args=[draft.uuid]))
    assert pdf.status_code == (200 if who in X1_VIEWERS else 404)
    if who in X1_VIEWERS:
        assert AuditEvent.objects.filter(action="download", object_uuid=draft.uuid).exists()
    writer = client.post(reverse("rapportages:correct", args=[draft.uuid])).status_code
    assert writer == (302 if who == "specialist_a" else 403 if who in X1_VIEWERS else 404)


def test_reminders_go_once_a_week_before_and_once_when_overdue(cast, draft):
    draft.due_date = date(2026, 12, 1)
    draft.save()
    with time_machine.travel(date(2026, 11, 24)):
        assert send_report_reminders.delay().get() == 1
        assert send_report_reminders.delay().get() == 0
    assert [m.to for m in mail.outbox] == [[cast.specialist_a.email]]
    with time_machine.travel(date(2026, 12, 2)):
        assert send_report_reminders.delay().get() == 1
    # Overdue: the specialist as they chose (here at once), the agency admin at once whatever
    # the specialist chose (portal.digests).
    overdue, to_admins = mail.outbox[-2:]
    assert overdue.to == [cast.specialist_a.email]
    assert to_admins.to == [cast.admin_a.email]
    assert "achterstallig" in overdue.subject.lower() or "te laat" in overdue.subject.lower()
    assert len(mail.outbox) == 3


def test_user_text_is_escaped_and_cannot_fetch_anything(cast, draft, login, on_commit):
    draft.progress = '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png"><b>vet</b>'
    draft.save()
    sign(login(cast.specialist_a), draft, on_commit)
    draft.refresh_from_db()
    assert draft.status == "final"
    assert '<img src="file:///etc/passwd">' in pdf_text(draft)  # printed as text


def test_the_fetcher_allows_only_data_uris_and_static_files(settings):
    from rapportages.pdf import _fetcher_class

    fetcher = _fetcher_class()()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    static_css = (settings.BASE_DIR / "static" / "css" / "spoorboek.css").as_uri()
    assert fetcher.fetch(static_css).read().startswith(b"/*")
    for url in ("file:///etc/passwd", "http://example.org/x.png", "https://127.0.0.1/",
                (settings.BASE_DIR / "config" / "settings.py").as_uri()):  # fmt: skip
        with pytest.raises(ValueError, match="Blocked"):
            fetcher.fetch(url)


def test_the_uwv_bundle_collects_reports_applications_and_shared_conversations(
    cast, draft, login, on_commit
):
    sign(login(cast.specialist_a), draft, on_commit)
    client = login(cast.contact_x1)
    response = on_commit(
        client.post, reverse("rapportages:bundle_request", args=[cast.traj_x1.uuid])
    )
    job = cast.traj_x1.bundle_jobs.get()
    assert response.url == reverse("rapportages:bundle", args=[job.uuid])
    assert job.status == "done" and job.pdf_sha256
    text = pdf_text(client.get(reverse("rapportages:bundle_download", args=[job.uuid])).getvalue())
    parts = [
        "Dossier 2e spoor",
        "Rapportages volgens het schema",
        "Voortgangsrapportage",
        "Sollicitatieactiviteiten",
        "Checklist re-integratieverslag",
    ]
    parts += ["Gespreksverslagen", "Plaatsing", "SHARED-WITH-EMPLOYER", "LATER-THAN-"]
    for part in parts:
        assert part in text, part
    for hidden in ("AGENCY-ONLY", "MEDICAL", "DIAGNOSIS", "PRIVATE-NOTE"):
        assert hidden not in text
    for outsider in (cast.contact_y, cast.specialist_b, cast.employee_x2):
        c = login(outsider)
        assert c.get(reverse("rapportages:bundle", args=[job.uuid])).status_code == 404
        assert (
            c.post(reverse("rapportages:bundle_request", args=[cast.traj_x1.uuid])).status_code
            == 404
        )
    assert (
        login(cast.employee_x1)
        .post(reverse("rapportages:bundle_request", args=[cast.traj_x1.uuid]))
        .status_code
        == 403
    )


def test_a_failing_email_does_not_undo_the_final_report(cast, draft, login, on_commit):
    with mock.patch("portal.notices.EmailMultiAlternatives.send", side_effect=OSError("down")):
        sign(login(cast.specialist_a), draft, on_commit)
    draft.refresh_from_db()
    assert draft.status == "final" and draft.pdf
    assert not Notification.objects.filter(url__contains=str(draft.uuid)).exists()


def test_a_reminder_whose_mail_fails_stays_due_and_goes_out_once_later(cast, draft):
    """Marked sent only after the mail went out: a mail server that is down loses nothing."""
    draft.due_date = date(2026, 12, 1)
    draft.save()
    with time_machine.travel(date(2026, 11, 24)):
        down = mock.patch("portal.notices.EmailMultiAlternatives.send", side_effect=OSError("down"))
        with down, contextlib.suppress(Retry):
            send_report_reminders.delay()  # the reminder's task asks to be retried
        draft.refresh_from_db()
        assert draft.reminder_sent_at is None and not mail.outbox
        assert send_report_reminders.delay().get() == 1
        assert send_report_reminders.delay().get() == 0
    assert [m.to for m in mail.outbox] == [[cast.specialist_a.email]]


def test_notices_are_plain_text_and_html_in_the_readers_language(cast, draft, login, on_commit):
    employee = cast.employee_x1
    employee.language = "pl"
    employee.save()
    sign(login(cast.specialist_a), draft, on_commit)
    to_employee = next(m for m in mail.outbox if m.to == [employee.email])
    html, mime = to_employee.alternatives[0]
    assert mime == "text/html" and '<html lang="pl">' in html
    assert "Przeczytaj raport" in html and "jest ostateczny" in to_employee.body
    to_contact = next(m for m in mail.outbox if m.to == [cast.contact_x1.email])
    assert "is definitief" in to_contact.body
    notice = Notification.objects.get(user=employee)
    assert "Raport" in notice.text or "raport" in notice.text


def test_a_notice_reads_in_the_language_its_reader_uses_today(cast, draft, login, on_commit):
    """Sent in Dutch; the employee then switches to English and Polish and reads every notice,
    the older ones too, in that language (#40, item 5)."""
    employee = cast.employee_x1
    sign(login(cast.specialist_a), draft, on_commit)
    assert Notification.objects.get(user=employee).text.startswith("Rapportage klaar")
    page = reverse("rapportages:notifications")
    client = login(employee)
    assert "Rapportage klaar: " in client.get(page).content.decode()
    for language, words in (("en", "Report ready: Progress report 3 months"),
                            ("pl", "Raport gotowy: Raport z postępów")):  # fmt: skip
        client.post(reverse("set_language"), {"language": language, "next": page})
        html = client.get(page).content.decode()
        assert words in html and "Rapportage klaar" not in html, language
        assert employee.last_name in html


def test_a_notice_without_its_message_keeps_its_sentence(cast, login):
    """Notices sent before they kept their message show the sentence they were sent with."""
    Notification.objects.create(
        agency=cast.agency_a, user=cast.employee_x1, text="OUDE-MELDING", url="/"
    )
    client = login(cast.employee_x1)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "OUDE-MELDING" in client.get(reverse("rapportages:notifications")).content.decode()


def test_every_pdf_page_carries_the_header_and_page_x_of_y(cast, draft, login, on_commit):
    import io

    from pypdf import PdfReader

    draft.progress = "Lang verhaal. " * 600  # several pages
    draft.save()
    sign(login(cast.specialist_a), draft, on_commit)
    draft.refresh_from_db()
    with draft.pdf.open("rb") as f:
        pages = PdfReader(io.BytesIO(f.read())).pages
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"Pagina {number} van {len(pages)}" in text
        assert cast.traj_x1.employee.full_name in text
        assert "Voortgangsrapportage 3 mnd" in text


def test_the_sweeper_renders_signed_reports_whose_render_was_lost(cast):
    from datetime import timedelta

    from rapportages.tasks import render_pending_reports

    def signed(number, minutes_ago, error=""):
        report = Report.objects.create(
            trajectory=cast.traj_x1, agency_id=cast.agency_a.pk, kind="progress",
            number=number, period_start=date(2026, 5, 1), period_end=date(2026, 7, 31),
            due_date=date(2026, 8, 1), status="signed", signed_by=cast.specialist_a,
            signed_at=timezone.now() - timedelta(minutes=minutes_ago), pdf_error=error,
            snapshot={"narrative": {"progress": "Verloren render"}, "signature": {}},
        )  # fmt: skip
        return report

    lost = signed(1, 30)
    recent = signed(2, 1)  # its render may still be running
    failing = signed(3, 30, error="RuntimeError: font")  # retries by itself
    assert render_pending_reports() == 1
    for report, status in ((lost, "final"), (recent, "signed"), (failing, "signed")):
        report.refresh_from_db()
        assert report.status == status


def test_a_report_with_an_empty_narrative_cannot_be_signed(cast, draft, login, on_commit):
    draft.progress = draft.evaluation = draft.next_steps = ""
    draft.save()
    client = login(cast.specialist_a)
    assert client.post(reverse("rapportages:offer", args=[draft.uuid])).status_code == 302
    draft.refresh_from_db()
    assert not draft.review_requested_at  # an incomplete text is not given out either
    response = on_commit(client.post, reverse("rapportages:sign", args=[draft.uuid]),
                         {"step": "sign", "confirm": "on"})  # fmt: skip
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.snapshot
    assert not mail.outbox
    page = response.content.decode()
    assert "Schrijf dit deel voordat je ondertekent." in page
