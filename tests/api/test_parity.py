"""One write path (issue 15): every write that both a page and the API offer gives, for the
same input, the same rows, the same audit events, the same raised dashboard versions and the
same notices through either, and for bad input the same refusal with the same message.

Each write runs twice on the same starting point: through the page, then (after rolling the
database back and clearing the outbox) through the API; what it left behind is compared."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal import live
from portal.api_tokens import token_create
from portal.models import AuditEvent
from sollicitaties.models import ApplicationActivity
from trajecten.models import Assignment

TODAY = timezone.localdate()
VOLATILE = {"id", "uuid", "created_at", "updated_at", "completed_at", "agency"}


@dataclass
class Write:
    actor: str
    page: tuple  # (url name, args from the cast, form data)
    api: tuple  # (path, JSON body)
    models: tuple  # what the write creates or changes


def _api_client(user) -> APIClient:
    _token, raw = token_create(user=user, name="parity", read_only=False, valid_days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="nl")
    return client


def _rows(models) -> list:
    """The rows of these models, without ids, timestamps and links to rows the same write
    made (a database sequence does not roll back), in a stable order."""
    found = []
    for label in models:
        model = apps.get_model(label)
        made_here = {
            f.attname
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model._meta.label in models
        }
        for row in model.objects.all().values():
            row = {
                k: v
                for k, v in row.items()
                if k not in VOLATILE and k not in made_here and not k.endswith("_at")
            }
            found.append((label, sorted(row.items(), key=lambda kv: kv[0])))
    return sorted(found, key=repr)


def _trace(cast, models, run) -> dict:
    """Run ``run()`` as a request would be committed (its on-commit work runs), note what it
    left, then roll the database back."""
    keys = [live.agency_key(cast.agency_a.pk), live.employer_key(cast.employer_x.pk)]
    before = live.versions(keys)
    first_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    mail.outbox.clear()
    with transaction.atomic():
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            response = run()
        events = [
            (e.action, e.object_type, e.actor_id, e.outcome, sorted(e.details))
            for e in AuditEvent.objects.filter(id__gt=first_event).order_by("id")
            if e.action not in ("view", "list")
        ]
        trace = {
            "status": response.status_code < 400,
            "rows": _rows(models),
            "audit": events,
            "bumped": sorted(k for k, v in live.versions(keys).items() if v != before[k]),
            "mail": sorted((tuple(m.to), m.subject) for m in mail.outbox),
        }
        transaction.set_rollback(True)
    cache.clear()
    return trace


def _both(cast, write: Write, *, page_data=None, api_body=None):
    actor = getattr(cast, write.actor)
    name, args_of, data = write.page
    client = Client()
    client.force_login(actor)
    page = _trace(
        cast, write.models,
        lambda: client.post(reverse(name, args=args_of(cast)), page_data or data),
    )  # fmt: skip
    path, body = write.api
    api_client = _api_client(actor)  # its own audit event stays out of the comparison
    api = _trace(
        cast, write.models,
        lambda: api_client.post(path(cast), api_body or body(cast), format="json"),
    )  # fmt: skip
    return page, api


APPLICATION = {
    "kind": "written_application",
    "date": TODAY.isoformat(),
    "organisation": "Jumbo",
    "vacancy_title": "Teamleider",
    "notes": "Via de site",
}
CONVERSATION = {
    "summary": "Cv doorgenomen",
    "agreements": "Twee brieven",
    "kind": "coaching",
    "date": TODAY.isoformat(),
    "duration_minutes": 45,
    "visibility": "employer",
}
APPOINTMENT = {
    "subject": "Intake",
    "location": "Utrecht",
    "starts_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT10:00"),
    "ends_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT11:00"),
}
ASSIGNMENT = {"title": "Cv bijwerken", "description": "Met foto", "due_date": TODAY.isoformat()}
VACANCY = {"title": "Planner", "organisation": "DHL", "place": "Tilburg", "hours_per_week": 32}


def _traj(cast):
    return [cast.traj_x1.uuid]


def _with_trajectory(data):
    return lambda cast: {"trajectory": str(cast.traj_x1.uuid), **data}


WRITES = {
    "application": Write(
        "employee_x1", ("sollicitaties:new", _traj, {**APPLICATION, "status": "sent"}),
        (lambda c: "/api/v1/application-activities/", _with_trajectory(APPLICATION)),
        ("sollicitaties.ApplicationActivity", "sollicitaties.StatusChange"),
    ),
    "conversation": Write(
        "specialist_a", ("trajecten:record_new", lambda c: [c.traj_x1.uuid, "gesprek"],
                         CONVERSATION),
        (lambda c: "/api/v1/conversation-reports/", _with_trajectory(CONVERSATION)),
        ("trajecten.ConversationReport",),
    ),
    "appointment": Write(
        "specialist_a", ("trajecten:record_new", lambda c: [c.traj_x1.uuid, "afspraak"],
                         APPOINTMENT),
        (lambda c: "/api/v1/appointments/", _with_trajectory(APPOINTMENT)),
        ("trajecten.Appointment",),
    ),
    "assignment": Write(
        "specialist_a", ("trajecten:record_new", lambda c: [c.traj_x1.uuid, "opdracht"],
                         ASSIGNMENT),
        (lambda c: "/api/v1/assignments/", _with_trajectory(ASSIGNMENT)),
        ("trajecten.Assignment",),
    ),
    "temp agency": Write(
        "employee_x1", ("sollicitaties:temp_agency_new", _traj,
                        {"agency_name": "Randstad", "date": TODAY.isoformat()}),
        (lambda c: "/api/v1/temp-agency-registrations/",
         _with_trajectory({"agency_name": "Randstad", "date": TODAY.isoformat()})),
        ("sollicitaties.TempAgencyRegistration",),
    ),
    "message": Write(
        "contact_x1", ("trajecten:messages", _traj, {"body": "Hoe gaat het met Xavier?"}),
        (lambda c: "/api/v1/messages/", _with_trajectory({"body": "Hoe gaat het met Xavier?"})),
        ("trajecten.Message",),
    ),
    "vacancy": Write(
        "specialist_a", ("sollicitaties:vacancy_new", lambda c: [], VACANCY),
        (lambda c: "/api/v1/vacancies/", lambda c: VACANCY),
        ("sollicitaties.Vacancy",),
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", WRITES)
def test_a_write_gives_the_same_result_through_the_page_and_the_api(cast, name):
    page, api = _both(cast, WRITES[name])
    assert page["status"] and api["status"]
    assert page["rows"], "the write wrote nothing"
    assert page == api


def test_an_application_status_and_an_assignment_done_agree_too(cast):
    activity = ApplicationActivity.objects.create(
        trajectory=cast.traj_x1, kind="written_application", organisation="PostNL",
        recorded_by=cast.employee_x1, recorded_by_role="employee", date=TODAY,
    )  # fmt: skip
    status = Write(
        "employee_x1", ("sollicitaties:status", lambda c: [activity.uuid], {"status": "invited"}),
        (lambda c: f"/api/v1/application-activities/{activity.uuid}/status/",
         lambda c: {"status": "invited"}),
        ("sollicitaties.ApplicationActivity", "sollicitaties.StatusChange"),
    )  # fmt: skip
    page, api = _both(cast, status)
    assert page == api and page["bumped"]
    assignment = Assignment.objects.create(trajectory=cast.traj_x1, title="Cv", due_date=TODAY)
    done = Write(
        "employee_x1", ("trajecten:assignment_done", lambda c: [assignment.uuid],
                        {"result": "Klaar"}),
        (lambda c: f"/api/v1/assignments/{assignment.uuid}/complete/",
         lambda c: {"result": "Klaar"}),
        ("trajecten.Assignment",),
    )  # fmt: skip
    page, api = _both(cast, done)
    assert page == api


def _page_errors(client, name, args, data) -> dict:
    response = client.post(reverse(name, args=args), data)
    form = response.context["form"]
    return {k: [str(m) for m in v] for k, v in form.errors.items()}


@pytest.mark.parametrize(
    ("name", "bad", "field"),
    [
        ("application", {"date": (TODAY + timedelta(days=3)).isoformat()}, "date"),
        ("conversation", {"contains_medical": True}, "visibility"),
        ("assignment", {"due_date": "geen datum"}, "due_date"),
    ],
)
def test_bad_input_is_refused_with_the_same_message_through_both(cast, name, bad, field):
    write = WRITES[name]
    actor = getattr(cast, write.actor)
    url_name, args_of, data = write.page
    client = Client()
    client.force_login(actor)
    page_data = {**data, **{k: ("on" if v is True else v) for k, v in bad.items()}}
    page_errors = _page_errors(client, url_name, args_of(cast), page_data)
    path, body = write.api
    response = _api_client(actor).post(path(cast), {**body(cast), **bad}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"][field] == page_errors[field]
    assert not apps.get_model(write.models[0]).objects.exists()


def test_the_same_vacancy_twice_on_one_day_is_refused_alike(cast):
    ApplicationActivity.objects.create(
        trajectory=cast.traj_x1, kind="written_application", organisation="Jumbo",
        vacancy_title="Teamleider", recorded_by=cast.employee_x1, recorded_by_role="employee",
        date=TODAY,
    )  # fmt: skip
    client = Client()
    client.force_login(cast.employee_x1)
    page = client.post(
        reverse("sollicitaties:new", args=[cast.traj_x1.uuid]), {**APPLICATION, "status": "sent"}
    )
    page_message = [str(m) for m in page.context["form"].non_field_errors()]
    response = _api_client(cast.employee_x1).post(
        "/api/v1/application-activities/", _with_trajectory(APPLICATION)(cast), format="json"
    )
    assert response.json()["fields"]["confirm_duplicate"] == page_message
    assert ApplicationActivity.objects.count() == 1
