from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.constants import PhaseSet


def settings_payload(agency, **changes):
    data = {
        "name": agency.name,
        "default_language": "nl",
        "phase_set": agency.phase_set,
        "application_norm_count": 4,
        "application_norm_weeks": 4,
        "retention_months": 24,
        "retention_months_self_insurer": 60,
        "response_days": 5,
        "contact_alert_days": 14,
        "survey_valid_days": 30,
        "count_repeats_once": "on",
        "repeat_window_days": 30,
    }
    data.update(changes)
    return data


def test_switching_the_phase_set_replaces_the_phases(cast, login):
    client = login(cast.admin_a)
    client.post(
        reverse("portal:agency_settings"),
        settings_payload(cast.agency_a, phase_set=PhaseSet.FOUR_PHASES, application_norm_count=6),
    )
    cast.agency_a.refresh_from_db()
    assert cast.agency_a.application_norm_count == 6
    assert list(cast.agency_a.phases.values_list("name", flat=True)) == [
        "Intake",
        "Versterken van het aanbod",
        "Oriëntatie en solliciteren",
        "Werk en nazorg",
    ]
    assert cast.agency_b.phases.count() == 6


def test_settings_errors_are_translated_and_change_nothing(cast, login):
    response = login(cast.admin_a).post(
        reverse("portal:agency_settings"),
        settings_payload(cast.agency_a, application_norm_count=0, retention_months="twee"),
    )
    html = response.content.decode()
    assert "Zorg ervoor dat deze waarde minstens 1 is." in html
    assert "Voer een geheel getal in." in html
    cast.agency_a.refresh_from_db()
    assert cast.agency_a.application_norm_count == 4


def test_a_logo_that_is_not_an_image_is_refused(cast, login):
    fake = SimpleUploadedFile("logo.png", b"%PDF-1.4 not an image", content_type="image/png")
    response = login(cast.admin_a).post(
        reverse("portal:agency_settings"), {**settings_payload(cast.agency_a), "logo": fake}
    )
    assert response.status_code == 200
    assert "Upload een geldige afbeelding" in response.content.decode()
    cast.agency_a.refresh_from_db()
    assert not cast.agency_a.logo


def test_the_admin_sets_the_days_to_respond_and_the_four_eyes_check(cast, login):
    client = login(cast.admin_a)
    refused = client.post(reverse("portal:agency_settings"),
                          settings_payload(cast.agency_a, response_days=0))  # fmt: skip
    assert refused.status_code == 200
    cast.agency_a.refresh_from_db()
    assert cast.agency_a.response_days == 5
    client.post(reverse("portal:agency_settings"),
                settings_payload(cast.agency_a, response_days=10, four_eyes="on"))  # fmt: skip
    cast.agency_a.refresh_from_db()
    assert (cast.agency_a.response_days, cast.agency_a.four_eyes) == (10, True)
    assert login(cast.specialist_a).get(reverse("portal:agency_settings")).status_code == 404


def test_the_admin_sets_the_survey_link_days_and_the_measurement_period(cast, login):
    client = login(cast.admin_a)
    refused = client.post(
        reverse("portal:agency_settings"),
        settings_payload(cast.agency_a, survey_valid_days=3, measurement_period_start="2999-01-01"),
    )
    html = refused.content.decode()
    assert "minstens 8" in html and "De datum kan niet in de toekomst liggen." in html
    client.post(
        reverse("portal:agency_settings"),
        settings_payload(
            cast.agency_a, survey_valid_days=21, measurement_period_start="2026-01-01"
        ),
    )
    cast.agency_a.refresh_from_db()
    assert cast.agency_a.survey_valid_days == 21
    assert str(cast.agency_a.measurement_period_start) == "2026-01-01"
