"""The medical-words guard: text about to reach an employer is scanned, the writer rephrases
or confirms, the confirmation is audited; it warns, it never blocks on its own."""

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from portal.medical import medical_words
from portal.models import AuditEvent
from rapportages.models import Report
from trajecten.models import ConversationReport


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("Hij gebruikt sinds maart Oxazepam en gaat naar de fysiotherapeut.",
         ["Oxazepam", "fysiotherapeut"]),
        ("Na haar burn-out is ze bij de psycholoog onder behandeling.", ["burn-out", "psycholoog"]),
        ("De rugklachten nemen af; de hernia is geopereerd.",
         ["rugklachten", "hernia", "geopereerd"]),
        ("Zij is zwanger en heeft last van psychische klachten.",
         ["zwanger", "psychische klachten"]),
        ("De bètablokker helpt; na de chemokuur is hij moe.", ["bètablokker", "chemokuur"]),
        ("Ze was twee weken opgenomen in het ziekenhuis met Long Covid.",
         ["opgenomen in het ziekenhuis", "Long Covid"]),
        ("Depressieve klachten zijn minder.", ["Depressieve"]),
    ],
)  # fmt: skip
def test_medical_words_are_found_as_written(sentence, found):
    assert medical_words(sentence) == found


@pytest.mark.parametrize(
    "sentence",
    [
        "De bedrijfsarts adviseert 4 uur per dag te werken; belastbaar voor zittend werk.",
        "Hij werkt op arbeidstherapeutische basis bij de klachtenafhandeling.",
        "Belemmeringen (niet-medisch): reistijd boven 45 minuten, geen rijbewijs.",
        "Na de ziekmelding in maart is het verzuim besproken met de werkgever.",
        "Operationeel planner gezocht; de sollicitatie bij de klantenservice liep goed.",
        "Ze wil geen nachtdiensten meer; de specialist van Spoorwerk belt haar.",
        "Mevrouw is gemotiveerd en heeft drie gesprekken gehad.",
    ],
)
def test_ordinary_re_integration_sentences_do_not_trigger(sentence):
    assert medical_words(sentence) == []


def _conversation(client, cast, **extra):
    return client.post(
        reverse("trajecten:record_new", args=[cast.traj_x1.uuid, "gesprek"]),
        {"summary": "Na de burn-out gaat het beter; de fysiotherapeut is tevreden.",
         "date": "2026-11-20", "kind": "coaching", "duration_minutes": "30",
         "visibility": "employer", **extra},
    )  # fmt: skip


def test_a_conversation_for_the_employer_names_the_words_and_saves_once_confirmed(cast, login):
    client = login(cast.specialist_a)
    warned = _conversation(client, cast)
    html = warned.content.decode()
    assert "Deze woorden kunnen medisch zijn: “burn-out”, “fysiotherapeut”" in html
    assert re.search(r'type="checkbox" name="medical_confirmed"', html)  # now a checkbox
    assert not ConversationReport.objects.exists()  # nothing lost: the form keeps the text
    assert "Na de burn-out gaat het beter" in html

    assert _conversation(client, cast, medical_confirmed="on").status_code == 302
    saved = ConversationReport.objects.get()
    event = AuditEvent.objects.get(
        object_uuid=saved.uuid, details__has_key="medical_words_confirmed"
    )
    assert event.details["medical_words_confirmed"] == ["burn-out", "fysiotherapeut"]
    assert event.actor == cast.specialist_a


def test_a_conversation_kept_within_the_agency_or_with_the_employee_is_not_checked(cast, login):
    client = login(cast.specialist_a)
    for visibility in ("agency", "employee"):
        assert _conversation(client, cast, visibility=visibility).status_code == 302
    assert ConversationReport.objects.count() == 2


def test_the_api_names_the_words_and_takes_the_confirmation(cast, api):
    client = api(cast.specialist_a)
    body = {"trajectory": str(cast.traj_x1.uuid), "date": "2026-11-20", "kind": "coaching",
            "duration_minutes": 30, "visibility": "employer",
            "summary": "Hij slikt paracetamol tegen de hoofdpijn."}  # fmt: skip
    refused = client.post("/api/v1/conversation-reports/", body, format="json")
    assert refused.status_code == 400
    [message] = refused.json()["fields"]["medical_confirmed"]
    assert "“paracetamol”, “hoofdpijn”" in message
    confirmed = client.post("/api/v1/conversation-reports/", {**body, "medical_confirmed": True},
                            format="json")  # fmt: skip
    assert confirmed.status_code == 201
    assert "medical_confirmed" not in confirmed.json()


@time_machine.travel(date(2026, 8, 4), tick=False)
def test_a_report_with_medical_words_goes_out_only_once_the_writer_confirms(cast, draft, login):
    Report.objects.filter(pk=draft.pk).update(evaluation="Door de depressie was het tempo laag.")
    client = login(cast.specialist_a)
    offer = reverse("rapportages:offer", args=[draft.uuid])
    refused = client.post(offer, follow=True).content.decode()
    assert "Deze woorden kunnen medisch zijn: “depressie”" in refused
    assert 'name="medical_confirmed"' in refused
    draft.refresh_from_db()
    assert not draft.review_requested_at
    client.post(offer, {"medical_confirmed": "on"})
    draft.refresh_from_db()
    assert draft.review_requested_at
    assert AuditEvent.objects.filter(
        object_uuid=draft.uuid, details__medical_words_confirmed=["depressie"]
    ).exists()


@time_machine.travel(date(2026, 8, 4), tick=False)
def test_the_employees_own_words_are_checked_too_the_employer_reads_them(
    cast, draft, login, on_commit
):
    from .conftest import respond_in_page

    login(cast.specialist_a).post(reverse("rapportages:offer", args=[draft.uuid]))
    phone = login(cast.employee_x1)
    named = respond_in_page(phone, draft, "disagree", "Door mijn hernia kan ik niet tillen.")
    assert "Deze woorden kunnen medisch zijn: “hernia”" in named.content.decode()
    assert 'type="checkbox" name="medical_confirmed"' in named.content.decode()
    draft.refresh_from_db()
    confirmed = phone.post(
        reverse("rapportages:respond", args=[draft.uuid]),
        {"decision": "disagree", "reason": "Door mijn hernia kan ik niet tillen.",
         "content_sha256": draft.review_sha256, "medical_confirmed": "on"},
    )  # fmt: skip
    assert confirmed.status_code == 302
    assert AuditEvent.objects.filter(details__medical_words_confirmed=["hernia"]).exists()

    on_commit(login(cast.specialist_a).post, reverse("rapportages:sign", args=[draft.uuid]),
              {"step": "sign", "confirm": "on"})  # fmt: skip
    later = reverse("rapportages:employee_view", args=[draft.uuid])
    refused = login(cast.employee_x1).post(later, {"employee_view": "Ik slik nu oxazepam."})
    assert refused.status_code == 200 and "“oxazepam”" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.employee_view == ""
    login(cast.employee_x1).post(later, {"employee_view": "Ik zoek liever in de zorg."})
    draft.refresh_from_db()
    assert draft.employee_view == "Ik zoek liever in de zorg."
