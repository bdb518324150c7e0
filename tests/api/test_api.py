"""The REST API: same scoping as the browser, tokens, strict writes, one error shape."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from portal.api_tokens import token_create
from portal.models import ApiToken, AuditEvent
from sollicitaties.models import ApplicationActivity
from tests.conftest import CAST_NAMES, enrol_totp
from tests.factories import UserFactory
from trajecten.models import Assignment, ConversationReport, Employee

X1_VIEWERS = {"admin_a", "specialist_a", "contact_x_all", "contact_x1", "employee_x1"}
TODAY = timezone.localdate()


def detail_urls(cast, records):
    return {
        "trajectory": f"/api/v1/trajectories/{cast.traj_x1.uuid}/",
        "sickness case": f"/api/v1/sickness-cases/{cast.traj_x1.sickness_case.uuid}/",
        "application": f"/api/v1/application-activities/{records['application'].uuid}/",
        "shared conversation": f"/api/v1/conversation-reports/{records['conversation'].uuid}/",
        "legal entity x1": f"/api/v1/legal-entities/{cast.x1.uuid}/",
    }


@pytest.fixture
def records(cast):
    return {
        "application": ApplicationActivity.objects.create(
            trajectory=cast.traj_x1,
            kind="written_application",
            organisation="PostNL",
            notes="PRIVATE",
            recorded_by=cast.employee_x1,
            recorded_by_role="employee",
        ),
        "conversation": ConversationReport.objects.create(
            trajectory=cast.traj_x1,
            kind="coaching",
            duration_minutes=30,
            summary="SHARED",
            visibility="employer",
            author=cast.specialist_a,
        ),
        "assignment": Assignment.objects.create(
            trajectory=cast.traj_x1, title="Bel UWV", due_date=TODAY
        ),
    }


@pytest.mark.parametrize("who", CAST_NAMES)
def test_every_detail_endpoint_answers_404_outside_the_scope(cast, records, api, who):
    client = api(getattr(cast, who))
    visible = {
        "trajectory": X1_VIEWERS,
        "sickness case": X1_VIEWERS,
        "application": X1_VIEWERS,
        "shared conversation": X1_VIEWERS,
        "legal entity x1": {"admin_a", "specialist_a", "contact_x_all", "contact_x1"},
    }
    for name, url in detail_urls(cast, records).items():
        response = client.get(url)
        assert response.status_code == (200 if who in visible[name] else 404), (name, who)
        if response.status_code == 404:
            assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "path",
    ["trajectories", "employees", "sickness-cases", "employers", "legal-entities",
     "conversation-reports", "appointments", "assignments", "application-activities",
     "temp-agency-registrations", "reports"],
)  # fmt: skip
def test_lists_hold_only_the_agency_of_the_token(cast, records, api, path):
    own = api(cast.admin_b).get(f"/api/v1/{path}/").json()["results"]
    for row in own:
        assert "Employer X" not in str(row) and "PostNL" not in str(row)
    assert api(cast.specialist_b).get(f"/api/v1/{path}/").status_code == 200


def test_a_token_request_is_audited_as_the_token_user_in_their_agency(cast, api):
    api(cast.specialist_b).get("/api/v1/trajectories/")
    event = AuditEvent.objects.filter(path="/api/v1/trajectories/").get()
    assert (event.actor, event.agency_id) == (cast.specialist_b, cast.specialist_b.agency_id)


def test_employer_contacts_see_applications_without_private_notes(cast, records, api):
    row = api(cast.contact_x1).get(f"/api/v1/application-activities/{records['application'].uuid}/")
    assert "notes" not in row.json()
    assert (
        api(cast.employee_x1)
        .get(f"/api/v1/application-activities/{records['application'].uuid}/")
        .json()["notes"]
        == "PRIVATE"
    )


def test_the_employee_records_an_application_and_sets_its_status(cast, api):
    client = api(cast.employee_x1)
    created = client.post("/api/v1/application-activities/", {
        "trajectory": str(cast.traj_x1.uuid), "date": TODAY.isoformat(),
        "kind": "open_application", "organisation": "Jumbo",
    }, format="json")  # fmt: skip
    assert created.status_code == 201, created.json()
    uuid = created.json()["uuid"]
    assert created.json()["recorded_by_role"] == "employee"
    updated = client.post(f"/api/v1/application-activities/{uuid}/status/", {"status": "invited"})
    assert [h["status"] for h in updated.json()["status_history"]] == ["sent", "invited"]


@pytest.mark.parametrize(
    "field", ["status", "recorded_by_role", "uuid", "agency", "owner", "created_at"]
)
def test_fields_a_user_may_not_set_are_rejected_not_ignored(cast, api, field):
    response = api(cast.employee_x1).post("/api/v1/application-activities/", {
        "trajectory": str(cast.traj_x1.uuid), "date": TODAY.isoformat(),
        "kind": "open_application", field: "hired",
    }, format="json")  # fmt: skip
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"][field] == ["Dit veld kan niet worden ingesteld."]
    assert not ApplicationActivity.objects.exists()


def test_writes_follow_the_browser_rights(cast, api):
    application = {"trajectory": str(cast.traj_x1.uuid), "date": TODAY.isoformat(),
                   "kind": "open_application"}  # fmt: skip
    conversation = {"trajectory": str(cast.traj_x1.uuid), "date": TODAY.isoformat(),
                    "kind": "coaching", "duration_minutes": 30, "summary": "x"}  # fmt: skip
    assert (
        api(cast.contact_x1).post("/api/v1/application-activities/", application).status_code == 403
    )
    assert (
        api(cast.employee_x2).post("/api/v1/application-activities/", application).status_code
        == 404  # not visible: it does not exist for them
    )
    assert (
        api(cast.employee_x1).post("/api/v1/conversation-reports/", conversation).status_code == 403
    )
    assert api(cast.admin_a).post("/api/v1/conversation-reports/", conversation).status_code == 403
    created = api(cast.specialist_a).post("/api/v1/conversation-reports/", conversation)
    assert created.status_code == 201
    assert ConversationReport.objects.get(uuid=created.json()["uuid"]).author == cast.specialist_a


def test_a_medical_conversation_cannot_be_shared_with_the_employer_through_the_api(cast, api):
    response = api(cast.specialist_a).post("/api/v1/conversation-reports/", {
        "trajectory": str(cast.traj_x1.uuid), "date": TODAY.isoformat(), "kind": "coaching",
        "duration_minutes": 30, "summary": "x", "visibility": "employer", "contains_medical": True,
    }, format="json")  # fmt: skip
    assert response.status_code == 400
    assert "nooit met de werkgever" in response.json()["fields"]["visibility"][0]


def test_the_employee_completes_an_assignment(cast, records, api):
    url = f"/api/v1/assignments/{records['assignment'].uuid}/complete/"
    assert api(cast.contact_x1).post(url, {"result": "x"}).status_code == 404
    done = api(cast.employee_x1).post(url, {"result": "Gebeld"})
    assert done.json()["status"] == "done" and done.json()["result"] == "Gebeld"


def test_sickness_cases_carry_the_computed_wvp_milestones(cast, api):
    body = (
        api(cast.contact_x1)
        .get(f"/api/v1/sickness-cases/{cast.traj_x1.sickness_case.uuid}/")
        .json()
    )
    keys = [m["key"] for m in body["milestones"]]
    assert keys[0] == "probleemanalyse" and keys[-1] == "waiting_time_end"
    first = cast.traj_x1.sickness_case.first_sick_day
    assert body["milestones"][-1]["due"] == (first + timedelta(days=727)).isoformat()


def test_filters_and_cursor_pagination_make_incremental_sync_possible(cast, api):
    client = api(cast.admin_a)
    by_bv = client.get("/api/v1/trajectories/", {"legal_entity": str(cast.x1.uuid)}).json()
    assert [r["uuid"] for r in by_bv["results"]] == [str(cast.traj_x1.uuid)]
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert client.get("/api/v1/trajectories/", {"updated_since": later}).json()["results"] == []
    page = client.get("/api/v1/trajectories/", {"page_size": 1}).json()
    assert len(page["results"]) == 1 and "cursor=" in page["next"]
    bad = client.get("/api/v1/trajectories/", {"updated_since": "gisteren"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    # Python parses a +21:10 offset; PostgreSQL would refuse it. Found by schemathesis.
    odd = client.get("/api/v1/appointments/", {"updated_since": "1770-09-20T01:56:02+21:10"})
    assert odd.status_code == 400 and "updated_since" in odd.json()["fields"]


def test_tokens_are_stored_hashed_shown_once_and_revocable(cast, api, client):
    client.force_login(cast.specialist_a)
    page = client.post("/api-tokens/", {"name": "HR-koppeling", "valid_days": "90"}, follow=True)
    raw = page.context["shown"]
    assert ApiToken.objects.filter(name="HR-koppeling").count() == 1  # a refresh makes no second
    token = ApiToken.objects.get(name="HR-koppeling")
    assert raw.startswith("spb_") and raw.split("_")[-1] not in token.digest
    assert raw not in client.get("/api-tokens/").content.decode()
    api_client = APIClient()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api_client.get("/api/v1/trajectories/").status_code == 200
    client.post("/api-tokens/", {"revoke": str(token.uuid)})
    assert api_client.get("/api/v1/trajectories/").status_code == 401


def test_expired_tampered_and_read_only_tokens(cast, api):
    token, raw = token_create(user=cast.employee_x1, name="x", read_only=False, valid_days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/trajectories/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/trajectories/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw[:-2]}xx")
    assert client.get("/api/v1/trajectories/").status_code == 401
    read_only = api(cast.employee_x1, read_only=True)
    assert read_only.get("/api/v1/trajectories/").status_code == 200
    assert read_only.post("/api/v1/application-activities/", {}).status_code == 403


def test_staff_tokens_need_mfa_to_be_made_and_to_work(cast):
    from django.core.exceptions import ValidationError

    specialist = UserFactory(agency=cast.agency_a, specialist=True)
    with pytest.raises(ValidationError):
        token_create(user=specialist, name="x", read_only=True, valid_days=None)
    enrol_totp(specialist)
    _token, raw = token_create(user=specialist, name="x", read_only=True, valid_days=None)
    specialist.authenticator_set.all().delete()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/trajectories/").status_code == 401


def test_sessions_work_with_csrf_and_staff_without_mfa_get_json_403(cast):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(cast.employee_x1)
    assert client.get("/api/v1/trajectories/").status_code == 200
    assert client.post("/api/v1/application-activities/", {}).status_code == 403  # no CSRF token
    staff = UserFactory(agency=cast.agency_a, specialist=True)
    client.force_login(staff)
    response = client.get("/api/v1/trajectories/")
    assert response.status_code == 403 and response.json()["code"] == "mfa_required"


def test_errors_have_one_shape_in_the_users_language(cast, api):
    english = api(cast.employee_x1, language="en").get("/api/v1/trajectories/not-a-uuid/")
    assert english.status_code == 404
    anonymous = APIClient().get("/api/v1/trajectories/", HTTP_ACCEPT_LANGUAGE="pl")
    assert anonymous.status_code in (401, 403)
    assert set(anonymous.json()) == {"code", "message"}


def test_tokens_are_throttled(cast, api, monkeypatch):
    from portal.api.auth import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api": "3/min"})
    client = api(cast.employee_x1)
    codes = [client.get("/api/v1/trajectories/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert api(cast.employee_x1).get("/api/v1/trajectories/").status_code == 200  # another token


def test_the_employee_import_is_idempotent_and_never_deletes(cast, api):
    client = api(cast.admin_a)
    rows = [{"external_id": "HR-1", "first_name": "Anna", "last_name": "Bos",
             "legal_entity": str(cast.x1.uuid)},
            {"external_id": "HR-2", "first_name": "Bram", "last_name": "Kok"}]  # fmt: skip
    dry = client.post(
        "/api/v1/employees/import/", {"dry_run": True, "employees": rows}, format="json"
    )
    assert dry.json() == {"dry_run": True, "created": 2, "updated": 0, "unchanged": 0}
    assert not Employee.objects.filter(external_id__startswith="HR-").exists()
    client.post("/api/v1/employees/import/", {"employees": rows}, format="json")
    rows[1]["last_name"] = "Kok-de Wit"
    again = client.post("/api/v1/employees/import/", {"employees": rows[1:]}, format="json")
    assert again.json() == {"dry_run": False, "created": 0, "updated": 1, "unchanged": 0}
    assert Employee.objects.filter(external_id__startswith="HR-").count() == 2  # HR-1 kept
    anna = Employee.objects.get(external_id="HR-1")
    assert anna.employments.get().legal_entity == cast.x1
    foreign = [{"external_id": "HR-3", "first_name": "C", "last_name": "D",
                "legal_entity": str(cast.z1.uuid)}]  # fmt: skip
    assert (
        client.post("/api/v1/employees/import/", {"employees": foreign}, format="json").status_code
        == 400
    )
    assert (
        api(cast.specialist_a)
        .post("/api/v1/employees/import/", {"employees": rows}, format="json")
        .status_code
        == 403
    )


def test_an_import_row_never_matches_an_employee_of_another_agency(cast, api):
    """The same HR number in agency B is another person: A's import creates its own and
    leaves B's untouched."""
    theirs = cast.traj_z1.employee
    theirs.external_id = "HR-7"
    theirs.save()
    row = {"external_id": "HR-7", "first_name": "Anna", "last_name": "Bos"}
    response = api(cast.admin_a).post("/api/v1/employees/import/", {"employees": [row]},
                                      format="json")  # fmt: skip
    assert response.json()["created"] == 1
    theirs.refresh_from_db()
    assert theirs.first_name == "Zbigniew"
    assert Employee.objects.get(agency=cast.agency_a, external_id="HR-7").first_name == "Anna"


def test_import_errors_name_the_row_and_field_in_plain_words(cast, api):
    rows = [{"external_id": "HR-1", "first_name": "Anna", "last_name": "Bos"},
            {"external_id": "HR-2", "first_name": "Bram", "last_name": "Kok",
             "email": "geen adres"}]  # fmt: skip
    response = api(cast.admin_a).post("/api/v1/employees/import/", {"employees": rows},
                                      format="json")  # fmt: skip
    assert response.status_code == 400
    body = response.json()
    assert body["fields"] == {"employees[1].email": ["Voer een geldig e-mailadres in."]}
    assert "ErrorDetail" not in response.content.decode()


@pytest.mark.parametrize("path", ["trajectories", "application-activities", "conversation-reports",
                                  "sickness-cases", "reports"])  # fmt: skip
def test_list_endpoints_use_a_constant_number_of_queries(cast, api, path):
    def count(n):
        for i in range(n):
            ApplicationActivity.objects.create(
                trajectory=cast.traj_x1, kind="open_application", date=TODAY - timedelta(days=i),
                recorded_by=cast.employee_x1, recorded_by_role="employee",
            )  # fmt: skip
            ConversationReport.objects.create(
                trajectory=cast.traj_x1, kind="coaching", duration_minutes=30, summary="s",
                author=cast.specialist_a,
            )  # fmt: skip
        client = api(cast.admin_a)
        client.get(f"/api/v1/{path}/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/v1/{path}/").status_code == 200
        return len(ctx)

    assert count(1) == count(49)


def test_schema_and_docs_are_served_without_a_cdn(cast, client):
    assert client.get("/api/schema/").status_code == 200
    client.force_login(cast.employee_x1)
    docs = client.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar" in docs and "cdn" not in docs.lower()


def test_the_schema_documents_enums_errors_and_examples(db, client):
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]
    assert "Error" in components["schemas"]
    assert components["schemas"]["KindEnum"]["enum"][0] == "written_application"
    create = schema["paths"]["/api/v1/application-activities/"]["post"]
    assert "An online application" in str(create["requestBody"])
    assert {"400", "401", "403", "404", "429"} <= set(create["responses"])


@pytest.fixture
def more_records(cast, records):
    from django.core.files.base import ContentFile

    from rapportages.models import Report
    from sollicitaties.models import Evidence, TempAgencyRegistration, Vacancy
    from trajecten.models import Appointment

    now = timezone.now()
    report = Report.objects.create(
        trajectory=cast.traj_x1, agency_id=cast.agency_a.pk, kind="progress", number=1,
        period_start=TODAY, period_end=TODAY, due_date=TODAY, status="final",
    )  # fmt: skip
    report.pdf.save("r.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    evidence = Evidence(
        trajectory=cast.traj_x1, activity=records["application"], uploaded_by=cast.employee_x1,
        content_type="application/pdf",
    )  # fmt: skip
    evidence.file.save("e.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return {
        **records,
        "appointment": Appointment.objects.create(
            trajectory=cast.traj_x1,
            subject="s",
            location="l",
            starts_at=now,
            ends_at=now + timedelta(hours=1),
        ),
        "registration": TempAgencyRegistration.objects.create(
            trajectory=cast.traj_x1, agency_name="Randstad"
        ),
        "vacancy": Vacancy.objects.create(
            agency=cast.agency_a, title="Planner", organisation="DHL", place="Utrecht"
        ),
        "report": report,
        "evidence": evidence,
    }


AGENCY_A = {"admin_a", "specialist_a", "specialist_a2", "contact_x_all", "contact_x1",
            "contact_y", "employee_x1", "employee_x2", "employee_y1"}  # fmt: skip
AGENCY_A_VACANCY_READERS = AGENCY_A - {"contact_x_all", "contact_x1", "contact_y"}
X1_AGENCY_AND_EMPLOYEE = {"admin_a", "specialist_a", "employee_x1"}


@pytest.mark.parametrize("who", CAST_NAMES)
def test_the_remaining_endpoints_answer_404_outside_the_scope(cast, more_records, api, who):
    r = more_records
    cases = {
        f"/api/v1/agencies/{cast.agency_a.uuid}/": AGENCY_A,
        f"/api/v1/employers/{cast.employer_x.uuid}/": {
            "admin_a", "specialist_a", "specialist_a2", "contact_x_all", "contact_x1"},
        f"/api/v1/employees/{cast.traj_x1.employee.uuid}/": X1_VIEWERS,
        f"/api/v1/appointments/{r['appointment'].uuid}/": X1_AGENCY_AND_EMPLOYEE,
        f"/api/v1/assignments/{r['assignment'].uuid}/": X1_AGENCY_AND_EMPLOYEE,
        f"/api/v1/temp-agency-registrations/{r['registration'].uuid}/": X1_VIEWERS,
        f"/api/v1/vacancies/{r['vacancy'].uuid}/": AGENCY_A_VACANCY_READERS,
        f"/api/v1/reports/{r['report'].uuid}/": X1_VIEWERS,
        f"/api/v1/reports/{r['report'].uuid}/pdf/": X1_VIEWERS,
        f"/api/v1/application-activities/{r['application'].uuid}/evidence/{r['evidence'].uuid}/":
            X1_AGENCY_AND_EMPLOYEE,
    }  # fmt: skip
    client = api(getattr(cast, who))
    for url, readers in cases.items():
        assert client.get(url).status_code == (200 if who in readers else 404), (url, who)
    status = client.post(
        f"/api/v1/application-activities/{r['application'].uuid}/status/", {"status": "invited"}
    ).status_code
    recorders = {"specialist_a", "employee_x1"}
    assert status == (200 if who in recorders else 403 if who in X1_VIEWERS else 404), who


def test_no_medical_conversation_reaches_an_employer_through_the_api(cast, records, api):
    medical = ConversationReport.objects.create(
        trajectory=cast.traj_x1, kind="coaching", duration_minutes=30, summary="MEDICAL",
        visibility="employee", contains_medical=True, author=cast.specialist_a,
    )  # fmt: skip
    for contact in (cast.contact_x_all, cast.contact_x1):
        client = api(contact)
        assert "MEDICAL" not in str(client.get("/api/v1/conversation-reports/").json())
        assert client.get(f"/api/v1/conversation-reports/{medical.uuid}/").status_code == 404
    assert "MEDICAL" in str(api(cast.employee_x1).get("/api/v1/conversation-reports/").json())
