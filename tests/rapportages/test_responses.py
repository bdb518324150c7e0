"""The employee's signed response to every report, the employer co-signing the plan, and the
four-eyes check: every state through the pages, as the people involved use them."""

from datetime import date, datetime, time

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent, Notification
from rapportages.models import Report, ReportResponse
from trajecten.models import TrajectoryMember

from .conftest import offer_and_agree, pdf_text, respond_in_page

OFFER_DAY = date(2026, 8, 4)


def at(day: date, hour: int = 10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture(autouse=True)
def _on_offer_day():
    with time_machine.travel(at(OFFER_DAY), tick=False) as traveller:
        yield traveller


@pytest.fixture
def plan(draft):
    Report.objects.filter(pk=draft.pk).update(kind="trajectory_plan", number=0)
    draft.refresh_from_db()
    return draft


def _offer(client, report):
    response = client.post(reverse("rapportages:offer", args=[report.uuid]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.review_requested_at
    return report


def _sign(client, report, on_commit):
    return on_commit(
        client.post, reverse("rapportages:sign", args=[report.uuid]),
        {"step": "sign", "confirm": "on"},
    )  # fmt: skip


def _flat(report) -> str:
    report.refresh_from_db()
    return pdf_text(report).replace("\n", " ")


def test_the_employee_reads_on_a_phone_and_agrees_and_the_report_prints_the_signature(
    cast, draft, login, on_commit
):
    assert (
        login(cast.employee_x1).get(reverse("rapportages:detail", args=[draft.uuid])).status_code
        == 404
    )  # not given out yet
    on_commit(_offer, login(cast.specialist_a), draft)
    [notice] = [m for m in mail.outbox if m.to == [cast.employee_x1.email]]
    assert "Lees en reageer" in notice.subject and "voor 9 augustus 2026" in notice.body
    assert Notification.objects.filter(user=cast.employee_x1).exists()

    phone = login(cast.employee_x1)
    page = phone.get(reverse("rapportages:detail", args=[draft.uuid])).content.decode()
    assert "PROGRESS-TEXT" in page and "Akkoord" not in page
    assert "Ik ga akkoord" in page and "Onderteken mijn reactie" in page
    assert respond_in_page(phone, draft).status_code == 302
    after = phone.get(reverse("rapportages:detail", args=[draft.uuid])).content.decode()
    assert "Je reactie van" in after and 'name="content_sha256"' not in after

    specialist = login(cast.specialist_a)
    assert _sign(specialist, draft, on_commit).status_code == 302
    text = _flat(draft)
    response = ReportResponse.objects.get(report=draft)
    assert "Reactie van de werknemer Akkoord" in text
    assert f"Elektronisch getekend door {cast.employee_x1.get_full_name()} op 4 augustus 2026" in (
        text
    )
    assert response.content_sha256 == draft.review_sha256 == draft.snapshot["review"]["sha256"]
    assert response.content_sha256 in text.replace(" ", "")
    assert AuditEvent.objects.filter(object_uuid=draft.uuid, details__response="agree").exists()


def test_disagreeing_needs_a_reason_and_a_response_never_changes(cast, draft, login, on_commit):
    _offer(login(cast.specialist_a), draft)
    phone = login(cast.employee_x1)
    bare = respond_in_page(phone, draft, "disagree", "")
    assert bare.status_code == 200
    assert "Zeg in je eigen woorden waarom je het niet eens bent." in bare.content.decode()
    assert not ReportResponse.objects.exists()
    answered = respond_in_page(phone, draft, "disagree", "Ik wil niet in de logistiek werken.")
    assert answered.status_code == 302
    again = phone.post(reverse("rapportages:respond", args=[draft.uuid]),
                       {"decision": "agree", "content_sha256": draft.review_sha256})  # fmt: skip
    assert again.status_code == 200 and ReportResponse.objects.count() == 1
    assert ReportResponse.objects.get().decision == "disagree"

    _sign(login(cast.specialist_a), draft, on_commit)
    text = _flat(draft)
    assert "Niet akkoord" in text and "Ik wil niet in de logistiek werken." in text


def test_without_a_response_the_specialist_signs_after_the_agencys_days_and_the_pdf_says_so(
    cast, draft, login, on_commit, _on_offer_day
):
    cast.agency_a.response_days = 3
    cast.agency_a.save()
    _offer(login(cast.specialist_a), draft)
    _on_offer_day.move_to(at(date(2026, 8, 6)))
    early = login(cast.specialist_a).get(reverse("rapportages:sign", args=[draft.uuid]))
    assert "Wacht op de reactie van de werknemer tot 7 augustus 2026" in early.content.decode()
    assert 'name="confirm"' not in early.content.decode()
    assert _sign(login(cast.specialist_a), draft, on_commit).status_code == 200
    draft.refresh_from_db()
    assert draft.status == "draft"

    _on_offer_day.move_to(at(date(2026, 8, 7), 11))
    assert _sign(login(cast.specialist_a), draft, on_commit).status_code == 302
    text = _flat(draft)
    assert "De werknemer heeft niet gereageerd binnen 3 dagen na 4 augustus 2026" in text
    # The employee can no longer respond to a signed report.
    late = login(cast.employee_x1).post(
        reverse("rapportages:respond", args=[draft.uuid]),
        {"decision": "agree", "content_sha256": draft.review_sha256},
    )
    assert late.status_code == 403 and not ReportResponse.objects.exists()


def test_the_text_is_locked_while_out_and_a_new_text_asks_again(cast, draft, login):
    specialist = login(cast.specialist_a)
    _offer(specialist, draft)
    changed = specialist.post(reverse("rapportages:detail", args=[draft.uuid]),
                              {"progress": "Nieuwe tekst", "evaluation": "Goed",
                               "next_steps": "Door", "discussed_on": "2026-08-01"})  # fmt: skip
    draft.refresh_from_db()
    assert draft.progress == "PROGRESS-TEXT"  # the form has only the date while it is out
    assert changed.status_code == 302
    read_before = draft.review_sha256
    specialist.post(reverse("rapportages:withdraw", args=[draft.uuid]))
    specialist.post(reverse("rapportages:detail", args=[draft.uuid]),
                    {"progress": "Nieuwe tekst", "evaluation": "Goed", "next_steps": "Door",
                     "discussed_on": "2026-08-01"})  # fmt: skip
    _offer(specialist, draft)
    assert draft.review_sha256 != read_before
    stale = login(cast.employee_x1).post(
        reverse("rapportages:respond", args=[draft.uuid]),
        {"decision": "agree", "content_sha256": read_before},
    )
    assert "De rapportage is veranderd terwijl je las" in stale.content.decode()
    assert not ReportResponse.objects.exists()


def test_a_correction_asks_the_employee_again(cast, draft, login, on_commit):
    offer_and_agree(draft)
    _sign(login(cast.specialist_a), draft, on_commit)
    login(cast.specialist_a).post(reverse("rapportages:correct", args=[draft.uuid]))
    correction = Report.objects.get(supersedes=draft)
    login(cast.specialist_a).post(
        reverse("rapportages:detail", args=[correction.uuid]),
        {"progress": "PROGRESS-TEXT", "evaluation": "Goed", "next_steps": "Door",
         "discussed_on": "2026-08-01", "correction_note": "De periode was verkeerd."},
    )  # fmt: skip
    assert not correction.review_requested_at
    assert (
        login(cast.employee_x1)
        .get(reverse("rapportages:detail", args=[correction.uuid]))
        .status_code
        == 404
    )
    _offer(login(cast.specialist_a), correction)
    page = login(cast.employee_x1).get(reverse("rapportages:detail", args=[correction.uuid]))
    assert 'name="content_sha256"' in page.content.decode()  # the old response does not count


def test_the_employer_co_signs_the_plan_and_only_the_plan(cast, plan, draft, login, on_commit):
    on_commit(_offer, login(cast.specialist_a), plan)
    asked = {tuple(m.to) for m in mail.outbox}
    assert (cast.contact_x1.email,) in asked and (cast.contact_x_all.email,) in asked
    assert (cast.contact_y.email,) not in asked
    for outsider in ("contact_y", "contact_z", "employee_x2"):
        url = reverse("rapportages:detail", args=[plan.uuid])
        assert login(getattr(cast, outsider)).get(url).status_code == 404, outsider
    respond_in_page(login(cast.employee_x1), plan)
    waiting = login(cast.specialist_a).get(reverse("rapportages:sign", args=[plan.uuid]))
    assert "Wacht op de ondertekening van het plan door de werkgever" in waiting.content.decode()
    contact = login(cast.contact_x1)
    assert (
        "Onderteken het plan"
        in contact.get(reverse("rapportages:detail", args=[plan.uuid])).content.decode()
    )
    respond_in_page(contact, plan)
    # One signature for the employer: the other contact is not asked again.
    other = login(cast.contact_x_all).get(reverse("rapportages:detail", args=[plan.uuid]))
    assert 'name="content_sha256"' not in other.content.decode()
    _sign(login(cast.specialist_a), plan, on_commit)
    text = _flat(plan)
    assert "Ondertekening door de werkgever (opdrachtgever) Akkoord" in text
    assert "Reactie van de werknemer Akkoord" in text


def test_an_employer_does_not_see_a_progress_draft_given_to_the_employee(cast, draft, login):
    _offer(login(cast.specialist_a), draft)
    for who in ("contact_x1", "contact_x_all"):
        url = reverse("rapportages:detail", args=[draft.uuid])
        assert login(getattr(cast, who)).get(url).status_code == 404


@pytest.mark.parametrize(
    ("who", "expected"),
    [("specialist_a", 403), ("admin_a", 403), ("contact_x1", 404), ("employee_x2", 404),
     ("employee_z1", 404), ("specialist_b", 404)],
)  # fmt: skip
def test_only_the_employee_responds_to_a_progress_report(cast, draft, login, who, expected):
    _offer(login(cast.specialist_a), draft)
    response = login(getattr(cast, who)).post(
        reverse("rapportages:respond", args=[draft.uuid]),
        {"decision": "agree", "content_sha256": draft.review_sha256},
    )
    assert response.status_code == expected
    assert not ReportResponse.objects.exists()


# --- Four-eyes --------------------------------------------------------------------------------


@pytest.fixture
def four_eyes(cast):
    cast.agency_a.four_eyes = True
    cast.agency_a.save()
    TrajectoryMember.objects.create(
        trajectory=cast.traj_x1, user=cast.specialist_a2, role="second_coach",
        agency_id=cast.agency_a.pk,
    )  # fmt: skip


def test_four_eyes_a_colleague_approves_before_the_employer_sees_it(
    cast, draft, login, on_commit, four_eyes
):
    offer_and_agree(draft)
    assert _sign(login(cast.specialist_a), draft, on_commit).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "approval" and not draft.pdf and not mail.outbox
    assert Notification.objects.filter(user=cast.specialist_a2).exists()
    url = reverse("rapportages:detail", args=[draft.uuid])
    assert login(cast.contact_x1).get(url).status_code == 404  # not final: not for the employer
    own = login(cast.specialist_a).post(reverse("rapportages:approve", args=[draft.uuid]))
    assert own.status_code == 403  # never the signer
    assert "Goedkeuren" in login(cast.specialist_a2).get(url).content.decode()
    on_commit(login(cast.specialist_a2).post, reverse("rapportages:approve", args=[draft.uuid]))
    draft.refresh_from_db()
    assert draft.status == "final" and draft.approved_by == cast.specialist_a2
    assert "Goedgekeurd (vier ogen) Cast Specialist A2" in _flat(draft)
    assert login(cast.contact_x1).get(url).status_code == 200


def test_four_eyes_a_rejection_needs_a_reason_and_sends_it_back(
    cast, draft, login, on_commit, four_eyes
):
    offer_and_agree(draft)
    _sign(login(cast.specialist_a), draft, on_commit)
    reject = reverse("rapportages:reject", args=[draft.uuid])
    admin = login(cast.admin_a)
    admin.post(reject, {"reason": ""})
    draft.refresh_from_db()
    assert draft.status == "approval"
    admin.post(reject, {"reason": "De evaluatie noemt de gemiste periode niet."})
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.snapshot and draft.signed_by is None
    event = AuditEvent.objects.filter(object_uuid=draft.uuid, details__has_key="rejected").get()
    assert event.details["rejected"] == "De evaluatie noemt de gemiste periode niet."
    notice = Notification.objects.get(user=cast.specialist_a)
    assert "De evaluatie noemt de gemiste periode niet." in notice.text
    # The employee's response to the unchanged text still counts: sign again at once.
    assert _sign(login(cast.specialist_a), draft, on_commit).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "approval"


def test_before_signing_the_api_shows_each_reader_only_the_responses_the_page_does(
    cast, plan, login, api, on_commit
):
    """Issue 38, item 4: while the plan is out, an employer contact read the employee's reason,
    name and way of signing over the API (the page hid it). One reader decides for both."""
    on_commit(_offer, login(cast.specialist_a), plan)
    respond_in_page(login(cast.employee_x1), plan, "disagree", "GEHEIME-REDEN van de werknemer")
    url = f"/api/v1/reports/{plan.uuid}/"
    seen = {
        who: [r["party"] for r in api(getattr(cast, who)).get(url).json()["responses"]]
        for who in ("specialist_a", "admin_a", "employee_x1", "contact_x1", "contact_x_all")
    }
    assert seen == {
        "specialist_a": ["employee"],
        "admin_a": ["employee"],
        "employee_x1": ["employee"],  # their own
        "contact_x1": [],
        "contact_x_all": [],
    }
    for who in ("contact_x1", "contact_x_all"):
        body = api(getattr(cast, who)).get(url).content.decode()
        page = login(getattr(cast, who)).get(reverse("rapportages:detail", args=[plan.uuid]))
        for text in (body, page.content.decode()):
            assert "GEHEIME-REDEN" not in text and "API-token" not in text
    # The employer signs its own part: it reads its own response, still not the employee's.
    respond_in_page(login(cast.contact_x1), plan)
    mine = api(cast.contact_x1).get(url).json()["responses"]
    assert [r["party"] for r in mine] == ["employer"]
    assert [r["party"] for r in api(cast.employee_x1).get(url).json()["responses"]] == ["employee"]
    # Signed: the responses are part of the signed text, as its PDF prints them for all.
    _sign(login(cast.specialist_a), plan, on_commit)
    signed = api(cast.contact_x_all).get(url).json()["responses"]
    assert sorted(r["party"] for r in signed) == ["employee", "employer"]
    assert "GEHEIME-REDEN" in _flat(plan)


def test_an_unchanged_text_offered_again_asks_nobody_who_already_responded(
    cast, draft, login, on_commit
):
    """Issue 38, item 12: taking a report back and offering the same text again mailed the
    employee a new "read and respond" for a text they had answered."""
    specialist = login(cast.specialist_a)
    on_commit(_offer, specialist, draft)
    respond_in_page(login(cast.employee_x1), draft)
    mail.outbox.clear()
    specialist = login(cast.specialist_a)  # one test client: log the specialist in again
    specialist.post(reverse("rapportages:withdraw", args=[draft.uuid]))
    on_commit(_offer, specialist, draft)
    assert [m for m in mail.outbox if m.to == [cast.employee_x1.email]] == []
    assert (
        login(cast.specialist_a).get(reverse("rapportages:sign", args=[draft.uuid])).status_code
        == 200
    )
    # A changed text asks again.
    specialist.post(reverse("rapportages:withdraw", args=[draft.uuid]))
    specialist.post(reverse("rapportages:detail", args=[draft.uuid]),
                    {"progress": "Nieuwe tekst", "evaluation": "Goed", "next_steps": "Door",
                     "discussed_on": "2026-08-01"})  # fmt: skip
    on_commit(_offer, specialist, draft)
    assert [m for m in mail.outbox if m.to == [cast.employee_x1.email]]


def test_the_preview_before_offering_and_the_sign_page_after_a_response_say_what_is_true(
    cast, draft, login, on_commit
):
    """Issue 39, item 4: the preview printed "niet gereageerd binnen 5 dagen na ." before the
    report was offered, and the sign page kept saying "zonder reactie kun je ondertekenen
    vanaf ..." after the response was in."""
    specialist = login(cast.specialist_a)
    preview = specialist.get(reverse("rapportages:preview", args=[draft.uuid]))
    text = " ".join(pdf_text(preview.content).split())
    assert "na ." not in text and "Nog niet ter reactie voorgelegd aan de werknemer" in text
    on_commit(_offer, specialist, draft)
    sign = reverse("rapportages:sign", args=[draft.uuid])
    assert "Zonder reactie kun je ondertekenen vanaf" in specialist.get(sign).content.decode()
    respond_in_page(login(cast.employee_x1), draft)
    page = login(cast.specialist_a).get(sign).content.decode()
    assert "Zonder reactie kun je ondertekenen vanaf" not in page
    assert "Ik ga akkoord" in page  # the response, shown instead


def test_a_window_that_would_end_after_the_due_date_is_said_and_can_be_shortened(
    cast, draft, login, api
):
    """Issue 39, item 4: offered 3 days before the due date with 5 days to respond, the report
    went late without a word."""
    from rapportages.services import response_deadline

    cast.agency_a.response_days = 5
    cast.agency_a.save()
    with time_machine.travel(at(date(2026, 8, 1)), tick=False):  # due 4 August
        specialist = login(cast.specialist_a)
        page = specialist.get(reverse("rapportages:sign", args=[draft.uuid])).content.decode()
        assert "na de uiterlijke datum (4 augustus 2026)" in page
        assert '<option value="3" selected>' in page
        refused = api(cast.specialist_a).post(
            f"/api/v1/reports/{draft.uuid}/offer/", {"response_days": 9}, format="json"
        )
        assert refused.status_code == 400 and "response_days" in refused.json()["fields"]
        specialist.post(reverse("rapportages:offer", args=[draft.uuid]), {"response_days": "3"})
    draft.refresh_from_db()
    assert draft.response_days == 3
    assert timezone.localdate(response_deadline(draft)) == date(2026, 8, 4)
    # On time, with the agency's days, nothing is said.
    with time_machine.travel(at(date(2026, 7, 20)), tick=False):
        from rapportages.services import window_ends_late

        assert not window_ends_late(draft, today=date(2026, 7, 20))
