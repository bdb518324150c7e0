"""Signing that checks first: the preview is the exact PDF, a missing part is named at its
field in the user's language, and the API signs through the same service as the page."""

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from rapportages.models import Report
from trajecten.models import SearchProfile

from .conftest import offer_and_agree, pdf_text, respond_in_page

SIGN_DAY = date(2026, 8, 4)


@pytest.fixture(autouse=True)
def _on_sign_day():
    with time_machine.travel(SIGN_DAY, tick=False):
        yield


def _sign_page(client, report):
    return client.get(reverse("rapportages:sign", args=[report.uuid]))


def _field_errors(response) -> dict:
    form = response.context["text"]
    return {name: list(errors) for name, errors in form.errors.items()}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"evaluation": ""}, "evaluation", "Schrijf dit deel voordat je ondertekent."),
        ({"next_steps": "  "}, "next_steps", "Schrijf dit deel voordat je ondertekent."),
        ({"progress": ""}, "progress", "Schrijf dit deel voordat je ondertekent."),
        ({"discussed_on": None}, "discussed_on",
         "Vul in wanneer je de rapportage met de werknemer hebt besproken"),
        ({"referral_basis": ""}, "__all__", "Leg eerst vast wie het 2e spoor adviseerde"),
        ({"search_profile": None}, "__all__", "Leg eerst het zoekprofiel vast"),
    ],
)  # fmt: skip
def test_signing_is_refused_with_the_message_at_the_field(
    cast, draft, login, on_commit, change, field, message
):
    if "referral_basis" in change:
        draft.trajectory.referral_basis = ""
        draft.trajectory.save()
    elif "search_profile" in change:
        SearchProfile.objects.filter(trajectory=draft.trajectory).delete()
    else:
        Report.objects.filter(pk=draft.pk).update(**change)
    client = login(cast.specialist_a)
    page = _sign_page(client, draft)
    assert page.status_code == 200
    errors = _field_errors(page)
    assert any(message in e for e in errors[field]), errors
    assert "Niet klaar om te ondertekenen" in page.content.decode()
    assert 'name="confirm"' not in page.content.decode()  # no way to sign from here

    # Posting the confirmation anyway signs nothing, sends nothing.
    response = on_commit(
        client.post,
        reverse("rapportages:sign", args=[draft.uuid]),
        {"step": "sign", "confirm": "on"},
    )
    assert response.status_code == 200
    assert any(message in e for e in _field_errors(response)[field])
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.snapshot and not mail.outbox


def test_a_search_profile_agreed_after_the_period_does_not_count(cast, draft, login):
    SearchProfile.objects.filter(trajectory=draft.trajectory).update(valid_from=date(2026, 8, 4))
    errors = _field_errors(_sign_page(login(cast.specialist_a), draft))
    assert any("Leg eerst het zoekprofiel vast" in e for e in errors["__all__"])


def test_the_missing_parts_are_completed_on_the_sign_page_and_then_it_signs(
    cast, draft, login, on_commit
):
    Report.objects.filter(pk=draft.pk).update(evaluation="", discussed_on=None)
    client = login(cast.specialist_a)
    url = reverse("rapportages:sign", args=[draft.uuid])
    future = client.post(url, {"step": "save", "discussed_on": "2026-08-05",
                                "progress": "P", "evaluation": "E", "next_steps": "N"})  # fmt: skip
    assert "De datum kan niet in de toekomst liggen." in future.content.decode()
    saved = client.post(url, {"step": "save", "discussed_on": "2026-08-03",
                              "progress": "P", "evaluation": "Zoekprofiel past bij de FML.",
                              "next_steps": "N"})  # fmt: skip
    assert saved.status_code == 302 and saved.url == url
    complete = client.get(url).content.decode()
    assert "Niet klaar" not in complete and 'name="confirm"' not in complete  # first a response
    assert reverse("rapportages:offer", args=[draft.uuid]) in complete
    client.post(reverse("rapportages:offer", args=[draft.uuid]))
    waiting = client.get(url).content.decode()
    assert "Wacht op de reactie van de werknemer tot" in waiting
    assert 'name="confirm"' not in waiting
    respond_in_page(login(cast.employee_x1), draft)
    client = login(cast.specialist_a)
    ready = client.get(url).content.decode()
    assert 'name="confirm"' in ready and "Niet klaar" not in ready
    unconfirmed = client.post(url, {"step": "sign"})
    assert "Bevestig dat je het voorbeeld hebt gelezen" in unconfirmed.content.decode()
    on_commit(client.post, url, {"step": "sign", "confirm": "on"})
    draft.refresh_from_db()
    assert draft.status == "final"
    text = pdf_text(draft)
    assert "3 augustus 2026" in text  # discussed with the employee on
    assert "Zoekprofiel past bij de FML." in text  # what was saved on the sign page


def test_the_preview_is_the_pdf_that_is_signed_and_stores_nothing(cast, draft, login, on_commit):
    offer_and_agree(draft)
    client = login(cast.specialist_a)
    preview = client.get(reverse("rapportages:preview", args=[draft.uuid]))
    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("inline")
    shown = pdf_text(preview.content)
    assert "Voorbeeld – nog niet ondertekend" in shown
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.snapshot and not draft.pdf and not mail.outbox

    on_commit(
        client.post,
        reverse("rapportages:sign", args=[draft.uuid]),
        {"step": "sign", "confirm": "on"},
    )
    draft.refresh_from_db()
    signed = pdf_text(draft)

    def without_marks(text):
        for mark in ("Voorbeeld – nog niet ondertekend\n", " · voorbeeld, niet ondertekend",
                     " (voorbeeld)"):  # fmt: skip
            text = text.replace(mark, "")
        return text

    assert without_marks(shown) == signed
    assert cast.specialist_a.get_full_name() in signed
    assert "Re-integratiedeskundige" in signed and "4 augustus 2026" in signed


@pytest.mark.parametrize("who", ["admin_a", "employee_x1", "contact_x1", "specialist_a2",
                                 "specialist_b", "contact_z"])  # fmt: skip
def test_only_the_trajectorys_specialist_previews_and_signs(cast, draft, login, who):
    offer_and_agree(draft)  # out for a response: the employee and admin read it
    client = login(getattr(cast, who))
    expected = 403 if who in ("admin_a", "employee_x1") else 404  # they may read the draft
    for name in ("rapportages:sign", "rapportages:preview"):
        assert client.get(reverse(name, args=[draft.uuid])).status_code == expected
    post = client.post(reverse("rapportages:sign", args=[draft.uuid]),
                       {"step": "sign", "confirm": "on"})  # fmt: skip
    assert post.status_code == expected
    draft.refresh_from_db()
    assert draft.status == "draft"


# --- The API ----------------------------------------------------------------------------------


def test_the_api_writes_previews_and_signs_through_the_same_checks(cast, draft, api, on_commit):
    client = api(cast.specialist_a)
    base = f"/api/v1/reports/{draft.uuid}/"
    Report.objects.filter(pk=draft.pk).update(discussed_on=None, evaluation="")
    refused = client.post(base + "sign/", {"confirm": True}, format="json")
    assert refused.status_code == 400
    body = refused.json()
    assert set(body["fields"]) == {"discussed_on", "evaluation", "__all__"}
    assert body["fields"]["__all__"] == [
        "Geef de rapportage eerst aan de werknemer om te lezen en te reageren."
    ]
    assert "Schrijf dit deel voordat je ondertekent." in body["fields"]["evaluation"]

    future = client.patch(base, {"discussed_on": "2026-08-05"}, format="json")
    assert future.status_code == 400
    assert future.json()["fields"]["discussed_on"] == ["De datum kan niet in de toekomst liggen."]
    unknown = client.patch(base, {"status": "final"}, format="json")
    assert unknown.status_code == 400
    patched = client.patch(base, {"discussed_on": "2026-08-02", "evaluation": "Goed"},
                           format="json")  # fmt: skip
    assert patched.status_code == 200
    assert (patched.json()["discussed_on"], patched.json()["progress"]) == (
        "2026-08-02", "PROGRESS-TEXT"  # a PATCH changes only what it sends
    )  # fmt: skip

    preview = client.get(base + "preview/")
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    assert "Voorbeeld – nog niet ondertekend" in pdf_text(preview.content)

    offered = client.post(base + "offer/")
    assert offered.status_code == 200 and len(offered.json()["review_sha256"]) == 64
    waiting = client.post(base + "sign/", {"confirm": True}, format="json")
    assert waiting.status_code == 400
    assert "Wacht op de reactie van de werknemer" in waiting.content.decode()
    assert client.patch(base, {"progress": "Nu anders"}, format="json").status_code == 400
    employee = api(cast.employee_x1)
    seen = employee.get(base).json()["review_sha256"]
    no_reason = employee.post(base + "respond/", {"decision": "disagree",
                              "content_sha256": seen}, format="json")  # fmt: skip
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    stale = employee.post(base + "respond/", {"decision": "agree", "content_sha256": "0" * 64},
                          format="json")  # fmt: skip
    assert stale.status_code == 400
    answered = employee.post(base + "respond/", {"decision": "disagree", "content_sha256": seen,
                             "reason": "Ik mis de zorg."}, format="json")  # fmt: skip
    assert answered.status_code == 200
    [response] = answered.json()["responses"]
    assert (response["party"], response["decision"]) == ("employee", "disagree")
    assert response["authenticated_by"].startswith("persoonlijk API-token")
    twice = employee.post(base + "respond/", {"decision": "agree", "content_sha256": seen},
                          format="json")  # fmt: skip
    assert twice.status_code == 400  # a response never changes

    unconfirmed = client.post(base + "sign/", {"confirm": False}, format="json")
    assert unconfirmed.status_code == 400
    signed = on_commit(client.post, base + "sign/", {"confirm": True}, format="json")
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    draft.refresh_from_db()
    signed_text = pdf_text(draft).replace("\n", " ")
    assert draft.status == "final" and "2 augustus 2026" in signed_text
    assert "Niet akkoord" in signed_text and "Ik mis de zorg." in signed_text
    assert seen in signed_text.replace(" ", "")  # the hash of the text the employee read
    again = client.post(base + "sign/", {"confirm": True}, format="json")
    assert again.status_code == 400
    assert client.patch(base, {"progress": "Later"}, format="json").status_code == 400


@pytest.mark.parametrize(
    ("who", "expected"),
    [("admin_a", 403), ("employee_x1", 403), ("contact_x_all", 404), ("specialist_a2", 404),
     ("specialist_b", 404), ("contact_z", 404)],
)  # fmt: skip
def test_the_api_lets_only_the_specialist_write_and_sign(cast, draft, api, who, expected):
    offer_and_agree(draft)  # out for a response: the employee reads it, writes nothing
    client = api(getattr(cast, who))
    base = f"/api/v1/reports/{draft.uuid}/"
    assert client.patch(base, {"progress": "X"}, format="json").status_code == expected
    assert client.get(base + "preview/").status_code == expected
    assert client.post(base + "sign/", {"confirm": True}, format="json").status_code == expected
    draft.refresh_from_db()
    assert (draft.status, draft.progress) == ("draft", "PROGRESS-TEXT")


def test_the_employee_gives_a_view_through_the_api(cast, draft, api, on_commit):
    offer_and_agree(draft)
    on_commit(api(cast.specialist_a).post, f"/api/v1/reports/{draft.uuid}/sign/",
              {"confirm": True}, format="json")  # fmt: skip
    response = api(cast.employee_x1).post(
        f"/api/v1/reports/{draft.uuid}/employee-view/", {"employee_view": "Mee eens."},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200 and response.json()["employee_view"] == "Mee eens."
    other = api(cast.specialist_a).post(
        f"/api/v1/reports/{draft.uuid}/employee-view/", {"employee_view": "Namens"},
        format="json",
    )  # fmt: skip
    assert other.status_code == 403
    outsider = api(cast.employee_z1).post(
        f"/api/v1/reports/{draft.uuid}/employee-view/", {"employee_view": "x"}, format="json"
    )
    assert outsider.status_code == 404


# --- The BSN ----------------------------------------------------------------------------------


@pytest.mark.parametrize("recorded", [True, False])
def test_the_bsn_is_for_staff_on_screen_and_for_uwv_on_paper(
    cast, draft, login, on_commit, api, recorded
):
    """The policy (docs/decisions/rapportages.md, "BSN"; issue 38, item 11): staff see it on
    screen; the documents for UWV print it, also the copy the employer downloads to hand in
    with the RIV; no employer screen, API answer or export shows it."""
    cast.agency_a.record_bsn = recorded
    cast.agency_a.save()
    employee = draft.trajectory.employee
    employee.bsn = "111222333"  # passes the elfproef
    employee.save()
    offer_and_agree(draft)
    file_url = reverse("trajecten:file", args=[draft.trajectory.uuid])
    report_url = reverse("rapportages:detail", args=[draft.uuid])
    for who, sees in (("specialist_a", recorded), ("admin_a", recorded),
                      ("employee_x1", False)):  # fmt: skip
        client = login(getattr(cast, who))
        assert ("111222333" in client.get(file_url).content.decode()) is sees, who
        assert ("111222333" in client.get(report_url).content.decode()) is sees, who
    on_commit(
        login(cast.specialist_a).post,
        reverse("rapportages:sign", args=[draft.uuid]),
        {"step": "sign", "confirm": "on"},
    )
    draft.refresh_from_db()
    assert ("111222333" in pdf_text(draft)) is recorded
    for who in ("contact_x_all", "contact_x1"):
        client = login(getattr(cast, who))
        assert "111222333" not in client.get(file_url).content.decode()
        assert "111222333" not in client.get(report_url).content.decode()
        download = client.get(reverse("rapportages:download", args=[draft.uuid]))
        assert download.status_code == 200
        body = b"".join(download.streaming_content)
        assert ("111222333" in pdf_text(body)) is recorded  # on paper, for UWV
        token = api(getattr(cast, who))
        for url in (
            f"/api/v1/trajectories/{draft.trajectory.uuid}/",
            f"/api/v1/reports/{draft.uuid}/",
            "/api/v1/employees/",
        ):
            answer = token.get(url)
            assert "111222333" not in answer.content.decode(), url


def test_a_bsn_must_pass_the_elfproef(cast, login):
    cast.agency_a.record_bsn = True
    cast.agency_a.save()
    t = cast.traj_x1
    response = login(cast.specialist_a).post(
        reverse("trajecten:employee_edit", args=[t.uuid]),
        {"first_name": t.employee.first_name, "last_name": t.employee.last_name,
         "email": t.employee.email, "bsn": "123456789", "date_of_birth": "1971-04-09"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "voldoet aan de elfproef" in response.content.decode()
    t.employee.refresh_from_db()
    assert t.employee.bsn == ""
