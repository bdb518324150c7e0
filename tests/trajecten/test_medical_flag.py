"""The "contains medical information" flag (issue 14, item 8): a wrong flag can be corrected,
but only as its own action with a reason, audited, never in the save that widens who sees it."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from portal.api_tokens import token_create
from portal.models import AuditEvent
from trajecten.models import ConversationReport

REASON = "Het ging over een fietsongeluk van de hond, niet over de werknemer."


@pytest.fixture
def medical(cast):
    return ConversationReport.objects.create(
        trajectory=cast.traj_x1, kind="coaching", duration_minutes=30,
        summary="Gesprek over de behandeling", visibility="employee", contains_medical=True,
        author=cast.specialist_a,
    )  # fmt: skip


def api(user) -> APIClient:
    _token, raw = token_create(user=user, name="t", read_only=False, valid_days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def edit(client, conversation, **changes):
    data = {"summary": conversation.summary, "date": conversation.date.isoformat(),
            "kind": "coaching", "duration_minutes": "30", "visibility": "employee"}  # fmt: skip
    data.update(changes)
    url = reverse("trajecten:record_edit", args=[conversation.trajectory.uuid, "gesprek",
                                                 conversation.uuid])  # fmt: skip
    return client.post(url, data)


def test_clearing_the_flag_and_sharing_with_the_employer_in_one_save_is_refused(
    cast, login, medical
):
    response = edit(login(cast.specialist_a), medical, visibility="employer")  # box unticked
    assert response.status_code == 200
    assert "nooit met de werkgever worden gedeeld" in response.content.decode()
    medical.refresh_from_db()
    assert (medical.contains_medical, medical.visibility) == (True, "employee")


def test_an_ordinary_save_keeps_the_flag(cast, login, medical):
    response = edit(login(cast.specialist_a), medical, summary="Aangevuld")  # box unticked
    assert response.status_code == 302
    medical.refresh_from_db()
    assert (medical.summary, medical.contains_medical) == ("Aangevuld", True)


@pytest.mark.parametrize(
    "payload", [{"contains_medical": False, "visibility": "employer"}, {"contains_medical": False}]
)
def test_the_api_refuses_to_clear_the_flag_in_an_update(cast, medical, payload):
    response = api(cast.specialist_a).patch(
        f"/api/v1/conversation-reports/{medical.uuid}/", payload, format="json"
    )
    assert response.status_code == 400
    assert (
        "contains_medical" in response.json()["fields"]
        or "visibility" in (response.json()["fields"])
    )
    medical.refresh_from_db()
    assert (medical.contains_medical, medical.visibility) == (True, "employee")


def test_correcting_the_flag_is_its_own_step_with_a_reason_and_widens_nothing(cast, login, medical):
    client = login(cast.specialist_a)
    form_page = client.get(
        reverse("trajecten:record_edit", args=[cast.traj_x1.uuid, "gesprek", medical.uuid])
    ).content.decode()
    url = reverse("trajecten:medical_flag_clear", args=[cast.traj_x1.uuid, medical.uuid])
    assert url in form_page
    too_short = client.post(url, {"reason": "fout"})
    assert "Leg in een zin uit" in too_short.content.decode()
    assert client.post(url, {"reason": REASON}).status_code == 302
    medical.refresh_from_db()
    assert (medical.contains_medical, medical.visibility) == (False, "employee")
    event = AuditEvent.objects.get(object_uuid=medical.uuid, details__medical_flag_cleared=True)
    assert event.details["reason"] == REASON and event.actor == cast.specialist_a
    # Sharing it with the employer is a later, ordinary save.
    assert edit(client, medical, visibility="employer").status_code == 302
    medical.refresh_from_db()
    assert medical.visibility == "employer"


def test_the_api_corrects_the_flag_through_its_own_action(cast, medical):
    url = f"/api/v1/conversation-reports/{medical.uuid}/clear-medical-flag/"
    assert api(cast.specialist_a).post(url, {"reason": "x"}, format="json").status_code == 400
    response = api(cast.specialist_a).post(url, {"reason": REASON}, format="json")
    assert response.status_code == 200
    assert response.json()["contains_medical"] is False
    assert response.json()["visibility"] == "employee"


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin_a", 403), ("specialist_a2", 404), ("contact_x1", 404), ("employee_x1", 403),
     ("specialist_b", 404)],
)  # fmt: skip
def test_only_the_trajectorys_specialists_correct_the_flag(cast, login, medical, who, status):
    user = getattr(cast, who)
    url = reverse("trajecten:medical_flag_clear", args=[cast.traj_x1.uuid, medical.uuid])
    assert login(user).post(url, {"reason": REASON}).status_code == status
    api_url = f"/api/v1/conversation-reports/{medical.uuid}/clear-medical-flag/"
    assert api(user).post(api_url, {"reason": REASON}, format="json").status_code == status
    medical.refresh_from_db()
    assert medical.contains_medical
