"""The history of every record (issue 44, item 1): who changed which field, from what to what,
when and through which path, recorded by the database whatever wrote it, shown to each viewer
only as far as they may see the record itself, append-only, and gone with the file."""

import datetime
import io
import json
import zipfile

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from config.celery import app as celery_app
from portal import changelog
from portal.api_tokens import token_create
from portal.models import RecordChange
from portal.tenancy import AgencyTask
from sollicitaties.models import ApplicationActivity
from tests.conftest import CAST_NAMES
from trajecten.constants import Visibility
from trajecten.models import ConversationReport, MedicalNote, Trajectory, TrajectoryMember

MOMENT = datetime.datetime(2026, 12, 1, 10, 30, tzinfo=datetime.UTC)


def conversation(cast, trajectory=None, **values) -> ConversationReport:
    trajectory = trajectory or cast.traj_x1
    return ConversationReport.objects.create(
        trajectory=trajectory,
        kind="coaching",
        date=datetime.date(2026, 11, 20),
        duration_minutes=30,
        summary=values.pop("summary", "Eerste gesprek over werkwensen"),
        visibility=values.pop("visibility", Visibility.AGENCY),
        author=trajectory.memberships.first().user,
        **values,
    )


def edit(client, record, **changes):
    data = {
        "summary": record.summary,
        "date": record.date.isoformat(),
        "kind": "coaching",
        "duration_minutes": "30",
        "visibility": record.visibility,
    }
    data.update(changes)
    url = reverse("trajecten:record_edit", args=[record.trajectory.uuid, "gesprek", record.uuid])
    return client.post(url, data)


def changes_of(record) -> list[RecordChange]:
    ct = ContentType.objects.get_for_model(record)
    return list(RecordChange.objects.filter(content_type=ct, object_id=record.pk).order_by("id"))


def history_tab(client, trajectory) -> str:
    url = reverse("trajecten:file", args=[trajectory.uuid]) + "?tab=history"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def api(user) -> APIClient:
    _token, raw = token_create(user=user, name="t", read_only=False, valid_days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


# --- Recording -------------------------------------------------------------------------------


def test_a_change_on_a_page_is_kept_with_who_when_path_and_both_values(cast, login):
    record = conversation(cast)
    with time_machine.travel(MOMENT, tick=False):
        client = login(cast.specialist_a)
        assert edit(client, record, summary="Tweede versie van het verslag").status_code == 302
        page = client.get(reverse("portal:record_history", args=["conversation", record.uuid]))
    change = changes_of(record)[-1]
    assert change.change_type == "U"
    assert change.actor_id == cast.specialist_a.pk
    assert change.via == "page"
    assert change.path == reverse(
        "trajecten:record_edit", args=[record.trajectory.uuid, "gesprek", record.uuid]
    )
    assert change.session_date == MOMENT
    assert change.changes["summary"] == [
        "Eerste gesprek over werkwensen",
        "Tweede versie van het verslag",
    ]
    assert (change.agency_id, change.trajectory_id) == (cast.agency_a.pk, cast.traj_x1.pk)

    text = page.content.decode()
    assert page.status_code == 200
    assert "<del>Eerste gesprek over werkwensen</del>" in text
    assert "<ins>Tweede versie van het verslag</ins>" in text
    assert "Cast Specialist A" in text
    assert "Pagina" in text


def test_a_change_through_the_api_is_kept_as_the_token_owners(cast):
    record = conversation(cast)
    response = api(cast.specialist_a).patch(
        f"/api/v1/conversation-reports/{record.uuid}/", {"summary": "Via de API"}, format="json"
    )
    assert response.status_code == 200
    change = changes_of(record)[-1]
    assert (change.actor_id, change.via) == (cast.specialist_a.pk, "api")
    assert change.changes["summary"][1] == "Via de API"


def test_update_bulk_update_and_bulk_create_are_kept_too(cast):
    first, second = conversation(cast), conversation(cast)
    with changelog.recording(via="task", path="a sweep"):
        ConversationReport.objects.filter(pk=first.pk).update(duration_minutes=45)
        second.duration_minutes = 60
        ConversationReport.objects.bulk_update([second], ["duration_minutes"])
        (made,) = ConversationReport.objects.bulk_create(
            [
                ConversationReport(
                    trajectory=cast.traj_x1,
                    agency=cast.agency_a,
                    kind="coaching",
                    duration_minutes=15,
                    summary="In bulk",
                    author=cast.specialist_a,
                )
            ]
        )
    assert changes_of(first)[-1].changes["duration_minutes"] == [30, 45]
    assert changes_of(second)[-1].changes["duration_minutes"] == [30, 60]
    created = RecordChange.objects.filter(
        content_type=ContentType.objects.get_for_model(ConversationReport),
        change_type="I",
        snapshot__summary="In bulk",
    ).get()
    assert (created.via, created.path, created.trajectory_id) == (
        "task",
        "a sweep",
        cast.traj_x1.pk,
    )
    if made.pk:  # bulk_create returns primary keys on both databases here
        assert created.object_id == made.pk


def test_a_removal_is_kept_with_the_last_values(cast):
    record = conversation(cast, summary="Wordt verwijderd")
    pk = record.pk
    record.delete()
    removal = RecordChange.objects.filter(
        content_type=ContentType.objects.get_for_model(ConversationReport), object_id=pk
    ).latest("id")
    assert removal.change_type == "D"
    assert removal.snapshot["summary"] == "Wordt verwijderd"


def _touch(*, agency_id, pk):
    Trajectory.objects.filter(pk=pk).update(intake_date=datetime.date(2026, 3, 2))


touch = celery_app.task(base=AgencyTask, name="tests.touch")(_touch)


def test_a_task_is_named_as_the_path(cast):
    touch.delay(agency_id=cast.agency_a.pk, pk=cast.traj_x1.pk)
    change = changes_of(cast.traj_x1)[-1]
    assert (change.via, change.path, change.actor_id) == ("task", "tests.touch", None)
    assert change.changes["intake_date"] == [None, "2026-03-02"]


def test_two_requests_in_a_row_are_two_sessions_of_their_own_people(cast, login):
    record = conversation(cast, visibility=Visibility.EMPLOYER)
    TrajectoryMember.objects.create(
        trajectory=cast.traj_x1, user=cast.specialist_a2, role="second_coach"
    )
    assert edit(login(cast.specialist_a), record, summary="Door de specialist").status_code == 302
    record.refresh_from_db()
    assert edit(login(cast.specialist_a2), record, summary="Door de collega").status_code == 302
    first, second = changes_of(record)[-2:]
    assert (first.actor_id, second.actor_id) == (cast.specialist_a.pk, cast.specialist_a2.pk)
    assert first.session_id != second.session_id


def test_a_write_outside_any_context_is_still_kept(cast):
    record = conversation(cast)
    ConversationReport.objects.filter(pk=record.pk).update(summary="Uit een shell")
    change = changes_of(record)[-1]
    assert (change.actor_id, change.via, change.path) == (None, "", "")
    assert change.session_id is not None and change.session_date is not None


# --- Who reads what --------------------------------------------------------------------------


def test_an_employer_never_reads_an_agency_only_conversations_history(cast, login):
    record = conversation(cast, summary="Interne notitie over motivatie")
    edit(login(cast.specialist_a), record, summary="Interne notitie, aangevuld")
    text = history_tab(login(cast.contact_x_all), cast.traj_x1)
    assert "Interne notitie" not in text
    assert "Gespreksverslag" not in text  # not even that one was made or changed
    assert history_tab(login(cast.specialist_a), cast.traj_x1).count("Interne notitie") >= 2
    url = reverse("portal:record_history", args=["conversation", record.uuid])
    assert login(cast.contact_x_all).get(url).status_code == 404


def test_a_conversation_shared_later_shows_the_employer_only_what_they_could_read(cast, login):
    record = conversation(cast, summary="Versie met iets persoonlijks")
    specialist = login(cast.specialist_a)
    edit(specialist, record, summary="Versie zonder")
    record.refresh_from_db()
    edit(specialist, record, visibility=Visibility.EMPLOYER)
    record.refresh_from_db()
    edit(specialist, record, summary="Gedeelde versie, aangevuld")

    text = history_tab(login(cast.contact_x_all), cast.traj_x1)
    assert "iets persoonlijks" not in text
    assert "<del>Versie zonder</del>" in text  # changed while shared: both values
    assert "<ins>Gedeelde versie, aangevuld</ins>" in text
    assert "niet zichtbaar voor jou" in text  # the sharing itself: no value from before
    staff = history_tab(login(cast.specialist_a), cast.traj_x1)
    assert "iets persoonlijks" in staff


def test_medical_notes_history_is_for_the_specialist_and_employee_only(cast, login):
    note = MedicalNote.objects.create(
        trajectory=cast.traj_x1,
        author=cast.specialist_a,
        consent_date=datetime.date(2026, 11, 1),
        consent_text="Toestemming",
        note="Diagnose: hernia",
    )
    MedicalNote.objects.filter(pk=note.pk).update(note="Diagnose: hernia L5")
    assert "hernia" in history_tab(login(cast.specialist_a), cast.traj_x1)
    assert "hernia" in history_tab(login(cast.employee_x1), cast.traj_x1)
    for who in ("admin_a", "contact_x_all", "contact_x1"):
        assert "hernia" not in history_tab(login(getattr(cast, who)), cast.traj_x1), who


def test_an_employer_reads_an_applications_status_but_never_its_private_notes(cast, login):
    activity = ApplicationActivity.objects.create(
        trajectory=cast.traj_x1,
        kind="application",
        organisation="Bakkerij Zoet",
        notes="Eigenlijk geen zin in",
        recorded_by=cast.employee_x1,
        recorded_by_role="employee",
    )
    ApplicationActivity.objects.filter(pk=activity.pk).update(
        status="invited", notes="Toch wel zin in"
    )
    employer = history_tab(login(cast.contact_x_all), cast.traj_x1)
    assert "Bakkerij Zoet" in employer
    assert "zin in" not in employer
    assert "Uitgenodigd" in employer or "uitgenodigd" in employer
    assert "Toch wel zin in" in history_tab(login(cast.employee_x1), cast.traj_x1)


RECORD_PAGE_ALLOWED = {"admin_a", "specialist_a", "contact_x_all", "contact_x1", "employee_x1"}


@pytest.mark.parametrize("who", CAST_NAMES)
def test_the_history_pages_answer_404_to_whoever_does_not_see_the_record(cast, login, who):
    shared = conversation(cast, visibility=Visibility.EMPLOYER)
    client = login(getattr(cast, who))
    allowed = who in RECORD_PAGE_ALLOWED
    pages = [
        reverse("portal:record_history", args=["conversation", shared.uuid]),
        reverse("portal:record_history", args=["trajectory", cast.traj_x1.uuid]),
        f"/api/v1/history/conversation/{shared.uuid}/",
        f"/api/v1/trajectories/{cast.traj_x1.uuid}/history/",
    ]
    for url in pages:
        assert client.get(url).status_code == (200 if allowed else 404), url
    tab = client.get(reverse("trajecten:file", args=[cast.traj_x1.uuid]) + "?tab=history")
    assert tab.status_code == (200 if allowed else 404)


@pytest.mark.parametrize(
    "url",
    [
        "/geschiedenis/conversation/not-a-uuid/",
        "/geschiedenis/no-such-kind/00000000-0000-0000-0000-000000000000/",
        "/geschiedenis/search-function/00000000-0000-0000-0000-000000000000/",
        "/api/v1/history/no-such-kind/00000000-0000-0000-0000-000000000000/",
    ],
)
def test_malformed_history_addresses_are_404(cast, login, url):
    assert login(cast.admin_a).get(url).status_code == 404


def test_the_api_gives_the_same_entries_as_the_page(cast, login):
    record = conversation(cast, visibility=Visibility.EMPLOYER)
    edit(login(cast.specialist_a), record, summary="Nieuwe samenvatting")
    body = api(cast.contact_x_all).get(f"/api/v1/trajectories/{cast.traj_x1.uuid}/history/")
    assert body.status_code == 200
    data = body.json()
    change = next(e for e in data["results"] if e["kind"] == "U" and e["record"] == "conversation")
    assert change["record_uuid"] == str(record.uuid)
    assert change["via"] == "page"
    summary = next(f for f in change["fields"] if f["name"] == "summary")
    assert (summary["old"], summary["new"]) == (
        "Eerste gesprek over werkwensen",
        "Nieuwe samenvatting",
    )
    assert data["page"] == 1 and data["pages"] == 1


@pytest.mark.parametrize("language", ["nl", "en", "pl"])
def test_the_history_tab_speaks_the_users_language(cast, login, language):
    record = conversation(cast, visibility=Visibility.EMPLOYER)
    client = login(cast.specialist_a)
    edit(client, record, summary="Taal")
    cast.specialist_a.language = language
    cast.specialist_a.save(update_fields=["language"])
    text = history_tab(login(cast.specialist_a), cast.traj_x1)
    expected = {"nl": "Gewijzigd", "en": "Changed", "pl": "Zmieniono"}[language]
    assert expected in text


def test_the_history_tab_costs_the_same_queries_for_few_and_many_changes(cast, login):
    client = login(cast.specialist_a)
    records = [conversation(cast) for _ in range(2)]

    def queries():
        with CaptureQueriesContext(connection) as captured:
            history_tab(client, cast.traj_x1)
        return len(captured)

    queries()  # the header's cached counts are warm after a first visit
    few = queries()
    for i in range(20):
        ConversationReport.objects.filter(pk=records[i % 2].pk).update(summary=f"Versie {i}")
    assert queries() == few


# --- Append-only, retention, right of access ---------------------------------------------------


def test_history_cannot_be_changed_or_removed_through_the_orm(cast):
    conversation(cast)
    with pytest.raises(PermissionError):
        RecordChange.objects.all().update(path="x")
    with pytest.raises(PermissionError):
        RecordChange.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="grants exist on PostgreSQL")
@pytest.mark.parametrize(
    "statement",
    ["UPDATE portal_recordchange SET path = 'x'", "DELETE FROM portal_recordchange"],
)
def test_the_application_role_cannot_change_or_remove_history(cast, statement):
    conversation(cast)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] != "postgres"  # the suite runs as the application role
        with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
            cursor.execute(statement)
    assert RecordChange.objects.exists()


def test_retention_removes_a_files_history_and_keeps_the_others(cast, on_commit):
    from privacy import retention

    gone, kept = conversation(cast), conversation(cast, trajectory=cast.traj_x2)
    ConversationReport.objects.filter(pk__in=[gone.pk, kept.pk]).update(summary="Gewijzigd")
    trajectory = cast.traj_x1
    trajectory.status, trajectory.end_date, trajectory.closing_reason = (
        "ended",
        datetime.date(2020, 1, 1),
        "new_job",
    )
    trajectory.save()
    runs = retention.apply(today=datetime.date(2026, 12, 1))
    assert runs and runs[0].counts["history"] > 0
    assert not RecordChange.objects.filter(trajectory_id=cast.traj_x1.pk).exists()
    assert changes_of(kept)
    case_type = ContentType.objects.get_for_model(cast.traj_x1.sickness_case)
    assert not RecordChange.objects.filter(
        content_type=case_type, object_id=cast.traj_x1.sickness_case_id
    ).exists()


def test_the_right_of_access_archive_holds_the_history(cast, login, on_commit):
    from privacy.access_export import export_build, export_request

    record = conversation(cast)
    edit(login(cast.specialist_a), record, summary="Voor het archief")
    export = export_request(employee=cast.traj_x1.employee, actor=cast.admin_a)
    export = export_build(export_id=export.pk)
    with zipfile.ZipFile(io.BytesIO(export.file.read())) as archive:
        history = json.loads(archive.read("history.json"))
    change = next(
        h for h in history if h["what"] == "changed" and h["record"] == "conversationreport"
    )
    assert change["changes"]["summary"][1] == "Voor het archief"
    assert change["who"] == cast.specialist_a.email
    assert all(h["record"] != "medicalnote" for h in history)


def test_an_import_is_kept_as_the_importing_admins_through_import(cast):
    from tests.factories import AgencyFactory, UserFactory
    from tests.overdracht.test_round_trip import archive_of, import_all

    conversation(cast, summary="Meegenomen verslag")
    data = archive_of(cast.admin_a, [cast.traj_x1])
    agency = AgencyFactory(name="Nieuw Bureau")
    admin = UserFactory(agency=agency, admin=True, email="admin@nieuw.example")
    specialist = UserFactory(agency=agency, specialist=True)
    [outcome] = import_all(admin, data, assign_to=specialist)
    assert outcome.outcome == "created", outcome.errors
    imported = RecordChange.objects.filter(agency=agency, snapshot__summary="Meegenomen verslag")
    change = imported.get()
    assert (change.change_type, change.via, change.actor_id) == ("I", "import", admin.pk)
    assert change.trajectory_id == Trajectory.objects.get(agency=agency).pk


def test_changes_of_fields_a_viewer_does_not_read_make_no_empty_pages(cast, login):
    activity = ApplicationActivity.objects.create(
        trajectory=cast.traj_x1,
        kind="application",
        organisation="Drukkerij Vos",
        recorded_by=cast.employee_x1,
        recorded_by_role="employee",
    )
    for i in range(60):  # private notes, 60 times: nothing the employer reads
        ApplicationActivity.objects.filter(pk=activity.pk).update(notes=f"Notitie {i}")
    ApplicationActivity.objects.filter(pk=activity.pk).update(status="invited")
    client = login(cast.contact_x_all)
    text = history_tab(client, cast.traj_x1)
    assert "Pagina 1 van" not in text  # one page: the creation, the status, the trajectory's
    assert text.count("Drukkerij Vos") >= 2
    body = api(cast.contact_x_all).get(f"/api/v1/trajectories/{cast.traj_x1.uuid}/history/")
    assert body.json()["pages"] == 1
    assert all(f["name"] != "notes" for e in body.json()["results"] for f in e["fields"])


def test_a_records_form_links_to_its_history(cast, login):
    record = conversation(cast)
    url = reverse("trajecten:record_edit", args=[cast.traj_x1.uuid, "gesprek", record.uuid])
    page = login(cast.specialist_a).get(url).content.decode()
    assert reverse("portal:record_history", args=["conversation", record.uuid]) in page
    new = reverse("trajecten:record_new", args=[cast.traj_x1.uuid, "gesprek"])
    assert "/geschiedenis/" not in login(cast.specialist_a).get(new).content.decode()
