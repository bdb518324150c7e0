"""The medical-words guard: text about to reach an employer is scanned, the writer rephrases
or confirms, the confirmation is audited; it warns, it never blocks on its own."""

import re
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
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


# --- Issue 38, item 5: words written to slip past, and every field an employer reads ---------


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("Na de her\u200bnia tilt hij niet.", "hernia"),  # a zero-width space
        ("De dep\u00adressie is minder.", "depressie"),  # a soft hyphen
        ("Door de h\u0435rnia tilt hij niet.", "hernia"),  # a Cyrillic e
        ("Hij gaat naar de psych\u03bfloog.", "psycholoog"),  # a Greek o
        ("De \uff48\uff45\uff52\uff4e\uff49\uff41 is weer rustig.", "hernia"),  # full-width
        ("Na de h3rnia tilt hij niet.", "hernia"),  # a digit for a letter
        ("Sinds de hernia2 van vorig jaar.", "hernia"),  # a digit against the word
        ("Hij heeft een burn0ut gehad.", "burnout"),
    ],
)  # fmt: skip
def test_a_word_written_to_slip_past_is_found_all_the_same(sentence, found):
    from portal.medical import _plain

    words = medical_words(sentence)
    assert len(words) == 1, words
    assert found in _plain(words[0]).translate(str.maketrans("03", "oe")) or found in _plain(
        words[0]
    )


def _employer_readable_models():
    """Every model an employer contact reads a row of: the rule table's, the file itself, and
    the rows they read through those (the search profile's functions, a report's responses,
    the thread)."""
    from django.apps import apps

    from portal import access

    models = [m for m, (_e, contact, _a) in access.RECORD_RULES.items() if contact is not None]
    for label in ("trajecten.trajectory", "trajecten.searchfunction", "rapportages.reportresponse"):
        models.append(apps.get_model(label))
    return models


def test_every_free_text_field_an_employer_reads_is_checked_or_exempt_with_a_reason():
    from django.db import models

    from portal.medical import EMPLOYER_TEXT, EXEMPT

    missing, unknown = [], []
    for model in _employer_readable_models():
        label = model._meta.label_lower
        texts = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and not isinstance(f, models.FileField)
        ]
        guarded = set(EMPLOYER_TEXT.get(label, {}).get("fields", ()))
        exempt = set(EXEMPT.get(label, {}))
        missing += [f"{label}.{name}" for name in texts if name not in guarded | exempt]
        unknown += [f"{label}.{name}" for name in guarded | exempt if name not in texts]
    assert missing == [], "an employer reads these: check them, or exempt them with a reason"
    assert unknown == []
    assert all(reason for fields in EXEMPT.values() for reason in fields.values())


def test_every_text_field_of_the_employer_api_is_registered():
    """The serializers an employer contact's token reaches: no string field of a model that
    the registry does not know."""
    from django.db import models
    from rest_framework import serializers as drf

    from config.api import router
    from portal.medical import EMPLOYER_TEXT, EXEMPT

    seen = []
    for _prefix, viewset, _name in router.registry:
        serializer_class = getattr(viewset, "serializer_class", None)
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        if model is None:
            continue
        label = model._meta.label_lower
        known = set(EMPLOYER_TEXT.get(label, {}).get("fields", ())) | set(EXEMPT.get(label, {}))
        for name, field in serializer_class().fields.items():
            model_field = next((f for f in model._meta.concrete_fields if f.name == name), None)
            if (
                isinstance(field, drf.CharField)
                and isinstance(model_field, models.CharField | models.TextField)
                and not model_field.choices
                and label in EMPLOYER_TEXT | EXEMPT
                and name not in known
            ):
                seen.append(f"{label}.{name}")
    assert seen == []


def test_the_participants_of_a_shared_conversation_are_checked(cast, login):
    client = login(cast.specialist_a)
    response = _conversation(
        client, cast, summary="Goed gesprek over de vacatures.", participants="Jan, zijn psycholoog"
    )
    assert "“psycholoog”" in response.content.decode()
    assert not ConversationReport.objects.exists()


def test_a_correction_note_is_checked_before_the_correction_goes_out(cast, draft):
    from django.core.exceptions import ValidationError

    from rapportages import services

    Report.objects.filter(pk=draft.pk).update(correction_note="Hersteld: de d\u0435pressie.")
    draft.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.report_offer(actor=cast.specialist_a, report=draft)
    assert "medical_confirmed" in refused.value.message_dict


def test_the_closing_note_norm_reason_and_a_message_to_the_employer_are_checked(cast, login, api):
    from django.core.exceptions import ValidationError

    from sollicitaties.services import norm_set
    from trajecten import messaging
    from trajecten.services import trajectory_close

    t = cast.traj_x1
    with pytest.raises(ValidationError) as refused:
        trajectory_close(
            actor=cast.specialist_a,
            trajectory=t,
            closing_reason="other",
            end_date=t.start_date,
            closing_note="Vanwege de kanker gestopt.",
        )
    assert "medical_confirmed" in refused.value.message_dict
    with pytest.raises(ValidationError):
        norm_set(actor=cast.specialist_a, trajectory=t, count=2, weeks=4, reason="Chemo\u200bkuur.")
    with pytest.raises(ValidationError):
        messaging.message_post(
            author=cast.specialist_a, trajectory=t, body="Zijn hernia speelt op."
        )
    # The employer's own message to the agency is theirs to write.
    messaging.message_post(author=cast.contact_x1, trajectory=t, body="Hoe gaat het met de hernia?")
    # The page keeps the text and asks to confirm; the API takes the confirmation.
    client = login(cast.specialist_a)
    url = reverse("trajecten:messages", args=[t.uuid])
    client.post(url, {"body": "Zijn hernia speelt op."})
    page = client.get(reverse("trajecten:file", args=[t.uuid]) + "?tab=messages").content.decode()
    assert "“hernia”" in page and 'name="medical_confirmed"' in page
    assert "Zijn hernia speelt op." in page  # nothing lost
    client.post(url, {"body": "Zijn hernia speelt op.", "medical_confirmed": "on"})
    body = {"trajectory": str(t.uuid), "body": "De h3rnia speelt op."}
    assert api(cast.specialist_a).post("/api/v1/messages/", body, format="json").status_code == 400
    body["medical_confirmed"] = True
    assert api(cast.specialist_a).post("/api/v1/messages/", body, format="json").status_code == 201
    assert t.messages.count() == 3


def test_the_work_capacity_and_the_search_profile_are_checked(cast):
    from django.core.exceptions import ValidationError

    from trajecten.models import WorkCapacity
    from trajecten.services import record_save, search_profile_save

    t = cast.traj_x1
    with pytest.raises(ValidationError):
        record_save(
            actor=cast.specialist_a,
            trajectory=t,
            model=WorkCapacity,
            hours_per_week=24,
            limitations="Niet tillen door de hernia.",
        )
    profile = {
        "actor": cast.specialist_a,
        "trajectory": t,
        "valid_from": date(2026, 11, 2),
        "sectors": "Zorg",
        "region": "Utrecht",
        "functions": [{"title": "Receptionist", "reason": "Past bij zijn rugklachten."}],
    }
    with pytest.raises(ValidationError):
        search_profile_save(**profile)
    saved = search_profile_save(**profile, medical_confirmed=True)
    assert AuditEvent.objects.filter(
        object_uuid=saved.uuid, details__medical_words_confirmed=["rugklachten"]
    ).exists()


def test_a_document_for_the_employer_is_checked_by_its_title_and_file_name(cast, login):
    from tests.files import PDF

    client = login(cast.specialist_a)
    url = reverse("trajecten:record_new", args=[cast.traj_x1.uuid, "document"])
    upload = SimpleUploadedFile("uitslag-hernia.pdf", PDF, content_type="application/pdf")
    response = client.post(
        url,
        {"title": "Uitslag", "kind": "correspondence", "visibility": "employer", "file": upload},
    )
    html = response.content.decode()
    assert "hernia”" in html and 'name="medical_confirmed"' in html
