"""The employee's phone flow: the home page's main button, the four essentials first, a
pasted link, errors at the top and at the field, and a status tap that can be undone."""

import uuid
from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.constants import AuditAction
from portal.models import AuditEvent
from sollicitaties import services
from sollicitaties.models import ApplicationActivity

TODAY = timezone.localdate()


def _new(client, cast, **data):
    payload = {"kind": "written_application", "date": TODAY.isoformat(), "status": "sent",
               "organisation": "Jumbo"}  # fmt: skip
    payload.update(data)
    return client.post(reverse("sollicitaties:new", args=[cast.traj_x1.uuid]), payload)


def test_the_employee_home_leads_with_recording_an_application(cast, login):
    html = login(cast.employee_x1).get(reverse("dashboards:home")).content.decode()
    button = reverse("sollicitaties:new", args=[cast.traj_x1.uuid])
    main = html.split('button-main"', 1)[1].split(">", 1)[0]
    assert f'href="{button}"' in main
    assert "Sollicitatie vastleggen" in html


def test_the_four_essentials_come_first_and_the_rest_waits(cast, login):
    html = (
        login(cast.employee_x1)
        .get(reverse("sollicitaties:new", args=[cast.traj_x1.uuid]))
        .content.decode()
    )
    top, details = html.split('<details class="more-details"', 1)
    for name in ("kind", "date", "organisation", "vacancy_title"):
        assert f'name="{name}"' in top
    for name in ("vacancy_url", "channel", "status", "place", "notes", "evidence"):
        assert f'name="{name}"' in details and f'name="{name}"' not in top
    assert " open>" not in details.split(">", 1)[0] + ">"  # closed on a new form


def test_a_pasted_link_is_kept_as_the_vacancys_link(cast, login):
    link = "https://www.werkenbijjumbo.nl/vacatures/" + "teamleider-" * 30
    _new(login(cast.employee_x1), cast, vacancy_title=link)
    activity = ApplicationActivity.objects.get()
    assert (activity.vacancy_title, activity.vacancy_url) == ("", link)


def test_a_title_stays_a_title(cast, login):
    _new(login(cast.employee_x1), cast, vacancy_title="Teamleider vers")
    assert ApplicationActivity.objects.get().vacancy_title == "Teamleider vers"


def test_errors_are_summarised_at_the_top_and_said_at_the_field(cast, login):
    future = (TODAY + timedelta(days=2)).isoformat()
    response = _new(login(cast.employee_x1), cast, date=future, place="x" * 300)
    html = response.content.decode()
    assert response.status_code == 200 and not ApplicationActivity.objects.exists()
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#id_date"' in summary and 'href="#id_place"' in summary
    assert html.count("De datum kan niet in de toekomst liggen.") == 2  # top and field
    # An error inside "more details" opens it; what was typed is still there.
    assert '<details class="more-details" open>' in html
    assert 'value="Jumbo"' in html


def _status(client, activity, status):
    return client.post(
        reverse("sollicitaties:status", args=[activity.uuid]),
        {"status": status, "next": reverse("sollicitaties:mine")},
    )


def test_a_status_tap_names_the_application_and_can_be_undone(cast, login):
    client = login(cast.employee_x1)
    _new(client, cast, vacancy_title="Teamleider")
    activity = ApplicationActivity.objects.get()
    response = _status(client, activity, "invited")
    assert response.url == reverse("sollicitaties:mine") + f"#activity-{activity.uuid}"
    html = client.get(response.url).content.decode()
    undo = html.split('class="undo"', 1)[1].split("</div>", 1)[0]
    assert "Jumbo – Teamleider: status gewijzigd in Uitgenodigd." in undo
    assert "Ongedaan maken" in undo
    assert 'class="undo"' not in client.get(response.url).content.decode()  # offered once

    change = activity.status_changes.order_by("-pk").first()
    response = client.post(
        reverse("sollicitaties:status_undo", args=[activity.uuid]),
        {"change": change.pk, "next": reverse("sollicitaties:mine")},
    )
    activity.refresh_from_db()
    assert activity.status == "sent"
    assert [c.status for c in activity.status_changes.all()] == ["sent"]
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, details__status_undone="invited"
    ).exists()
    html = client.get(response.url).content.decode()
    assert "Jumbo – Teamleider: de status is terug naar Verstuurd." in html


def test_an_undo_is_refused_when_late_or_by_someone_else(cast, login):
    client = login(cast.employee_x1)
    _new(client, cast)
    activity = ApplicationActivity.objects.get()
    services.activity_status_set(
        actor=cast.employee_x1, activity=activity, status="invited", on=TODAY
    )
    change = activity.status_changes.order_by("-pk").first()
    url = reverse("sollicitaties:status_undo", args=[activity.uuid])

    # The specialist did not make this change, so cannot take it back.
    login(cast.specialist_a).post(url, {"change": change.pk})
    activity.refresh_from_db()
    assert activity.status == "invited"
    # Eleven minutes later the employee cannot either; the page says so.
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = login(cast.employee_x1).post(url, {"change": change.pk}, follow=True)
    assert "kan niet meer ongedaan worden gemaakt" in response.content.decode()
    activity.refresh_from_db()
    assert activity.status == "invited"
    # The first status is the application itself: never undone.
    first = activity.status_changes.order_by("pk").first()
    login(cast.employee_x1).post(url, {"change": first.pk})
    assert activity.status_changes.count() == 2


def test_an_undo_is_404_outside_the_file_and_for_a_malformed_change(cast, login):
    client = login(cast.employee_x1)
    _new(client, cast)
    activity = ApplicationActivity.objects.get()
    url = reverse("sollicitaties:status_undo", args=[activity.uuid])
    assert login(cast.employee_x2).post(url, {"change": 1}).status_code == 404
    assert login(cast.contact_z).post(url, {"change": 1}).status_code == 404
    assert login(cast.employee_x1).post(url, {"change": "abc"}).status_code == 404


def test_the_same_form_sent_twice_records_one_application(cast, login):
    """A retry after a lost answer, or the offline outbox sending again: the form's key makes
    the second send a no-op that still answers as a success."""
    client = login(cast.employee_x1)
    html = client.get(reverse("sollicitaties:new", args=[cast.traj_x1.uuid])).content.decode()
    key = html.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0]
    first = _new(client, cast, idempotency_key=key)
    second = _new(client, cast, idempotency_key=key)
    assert first.status_code == second.status_code == 302
    activity = ApplicationActivity.objects.get()
    assert activity.idempotency_key == uuid.uuid5(cast.employee_x1.uuid, key)  # theirs alone
    assert activity.status_changes.count() == 1
    assert (
        AuditEvent.objects.filter(action=AuditAction.CREATE, object_uuid=activity.uuid).count() == 1
    )
    # Two forms are two applications (once the employee confirms the same vacancy twice).
    html = client.get(reverse("sollicitaties:new", args=[cast.traj_x1.uuid])).content.decode()
    assert key not in html


def test_a_key_someone_else_used_tells_nothing_and_records_as_any_new_key(cast, login):
    """Keys are each person's own (issue 38, item 12): a key already used in a file the sender
    cannot see answers exactly as a new key does, and records the application."""
    key, fresh = uuid.uuid4(), uuid.uuid4()
    _new(login(cast.employee_x1), cast, idempotency_key=key, organisation="Eerste")
    answers = []
    for k, name in ((key, "Ander"), (fresh, "Derde")):
        response = login(cast.employee_x2).post(
            reverse("sollicitaties:new", args=[cast.traj_x2.uuid]),
            {"kind": "written_application", "date": TODAY.isoformat(), "status": "sent",
             "organisation": name, "idempotency_key": str(k)},
        )  # fmt: skip
        answers.append((response.status_code, response.get("Location")))
    assert answers[0] == answers[1] and answers[0][0] == 302
    assert sorted(ApplicationActivity.objects.values_list("organisation", flat=True)) == [
        "Ander", "Derde", "Eerste",
    ]  # fmt: skip


def test_the_nil_uuid_is_no_key(cast, login, api):
    nil = "00000000-0000-0000-0000-000000000000"
    response = _new(login(cast.employee_x1), cast, idempotency_key=nil)
    assert response.status_code == 200 and "Dit formulier is al gebruikt" in (
        response.content.decode()
    )
    body = {"trajectory": str(cast.traj_x1.uuid), "date": TODAY.isoformat(),
            "kind": "open_application", "organisation": "Jumbo"}  # fmt: skip
    refused = api(cast.employee_x1).post(
        "/api/v1/application-activities/", body, format="json", HTTP_IDEMPOTENCY_KEY=nil
    )
    assert refused.status_code == 400
    assert not ApplicationActivity.objects.exists()


def test_the_api_honours_an_idempotency_key(cast, api):
    import uuid

    client, key = api(cast.employee_x1), str(uuid.uuid4())
    body = {"trajectory": str(cast.traj_x1.uuid), "date": TODAY.isoformat(),
            "kind": "open_application", "organisation": "Jumbo"}  # fmt: skip
    url = "/api/v1/application-activities/"
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    second = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == second.status_code == 201
    assert first.json()["uuid"] == second.json()["uuid"]
    assert ApplicationActivity.objects.count() == 1
    bad = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="not-a-uuid")
    assert bad.status_code == 400 and "Idempotency-Key" in bad.json()["fields"]


def test_a_key_sent_again_with_other_details_is_refused_never_answered_as_recorded(
    cast, login, api
):
    """Issue 39, item 1: a phone's cached form carried the key of an application recorded
    earlier; the server answered the second one as a replay ("vastgelegd") and saved nothing.
    The same key with the same details is a replay; with other details a 422, saying so."""
    client = login(cast.employee_x1)
    key = str(uuid.uuid4())
    assert _new(client, cast, idempotency_key=key, organisation="Eerste").status_code == 302
    assert _new(client, cast, idempotency_key=key, organisation="Eerste").status_code == 302
    refused = _new(client, cast, idempotency_key=key, organisation="Tweede")
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "al verstuurd met andere gegevens" in html and "niet vastgelegd" in html
    assert "Tweede" in html  # the details stay in the form
    assert list(ApplicationActivity.objects.values_list("organisation", flat=True)) == ["Eerste"]

    url = "/api/v1/application-activities/"
    body = {"trajectory": str(cast.traj_x1.uuid), "date": TODAY.isoformat(),
            "kind": "open_application", "organisation": "Jumbo"}  # fmt: skip
    token, api_key = api(cast.employee_x1), str(uuid.uuid4())
    assert token.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=api_key).status_code == 201
    other = token.post(url, {**body, "organisation": "Lidl"}, format="json",
                       HTTP_IDEMPOTENCY_KEY=api_key)  # fmt: skip
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert ApplicationActivity.objects.filter(organisation="Lidl").count() == 0
