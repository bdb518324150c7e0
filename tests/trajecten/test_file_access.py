"""Who sees what in a file: domain.md section 6, through every tab, URL and download."""

import pytest
from django.urls import reverse

from portal.constants import AuditAction
from portal.models import AuditEvent
from tests.conftest import CAST_NAMES

X1_VIEWERS = {"admin_a", "specialist_a", "contact_x_all", "contact_x1", "employee_x1"}
TABS = ["overview", "conversations", "profile", "agenda", "trainings", "documents", "tasks",
        "time", "log"]  # fmt: skip


def file_html(client, trajectory, tab):
    response = client.get(reverse("trajecten:file", args=[trajectory.uuid]), {"tab": tab})
    return response.status_code, response.content.decode()


def all_tabs(client, trajectory) -> str:
    return "".join(file_html(client, trajectory, tab)[1] for tab in TABS)


@pytest.mark.parametrize("who", CAST_NAMES)
def test_file_answers_200_to_viewers_and_404_to_everyone_else_on_every_tab(
    cast, records, login, who
):
    client = login(getattr(cast, who))
    for tab in TABS:
        status, _ = file_html(client, cast.traj_x1, tab)
        assert status == (200 if who in X1_VIEWERS else 404), tab


# text -> who may read it anywhere in the file (domain.md section 6)
VISIBLE_TO = {
    "SUMMARY-AGENCY-ONLY": {"admin_a", "specialist_a"},
    "SUMMARY-EMPLOYEE-SHARED": {"admin_a", "specialist_a", "employee_x1"},
    "SUMMARY-EMPLOYER-SHARED": X1_VIEWERS,
    "SUMMARY-MEDICAL": {"admin_a", "specialist_a", "employee_x1"},
    "MEDICAL-NOTE-TEXT": {"specialist_a", "employee_x1"},
    "PROFILE-WISHES": {"admin_a", "specialist_a", "employee_x1"},
    "CAPACITY-LIMITATIONS": X1_VIEWERS,
    "SEARCH-FUNCTION": X1_VIEWERS,
    "APPOINTMENT-SUBJECT": {"admin_a", "specialist_a", "employee_x1"},
    "ASSIGNMENT-TITLE": {"admin_a", "specialist_a", "employee_x1"},
    "TRAINING-NAME": {"admin_a", "specialist_a", "employee_x1"},
    "TASK-TITLE": {"admin_a", "specialist_a"},
    "TIME-NOTE": {"admin_a", "specialist_a"},
    "PLACEMENT-EMPLOYER": X1_VIEWERS,
    "EMPLOYER_DOCUMENT": X1_VIEWERS,
    "AGENCY_DOCUMENT": {"admin_a", "specialist_a"},
}


@pytest.mark.parametrize("who", sorted(X1_VIEWERS))
def test_each_role_reads_exactly_its_part_of_the_file(cast, records, login, who):
    html = all_tabs(login(getattr(cast, who)), cast.traj_x1)
    for text, readers in VISIBLE_TO.items():
        assert (text in html) == (who in readers), text


def test_medical_information_never_reaches_an_employer_contact(cast, records, login):
    for contact in (cast.contact_x_all, cast.contact_x1):
        client = login(contact)
        html = all_tabs(client, cast.traj_x1)
        assert "MEDICAL" not in html
        for kind in ("medisch",):
            url = reverse(
                "trajecten:record_edit",
                args=[cast.traj_x1.uuid, kind, records["medical_note"].uuid],
            )
            assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("kind", "record", "expected"),
    [
        ("gesprek", "agency_only", {"specialist_a": 200, "admin_a": 403}),
        ("medisch", "medical_note", {"specialist_a": 200, "employee_x1": 403, "admin_a": 404}),
        ("afspraak", "appointment", {"specialist_a": 200, "employee_x1": 403, "admin_a": 403}),
        ("tijd", "time", {"specialist_a": 200, "admin_a": 200}),
    ],
)
def test_record_edit_pages_are_for_writers_only(cast, records, login, kind, record, expected):
    url = reverse("trajecten:record_edit", args=[cast.traj_x1.uuid, kind, records[record].uuid])
    for who in CAST_NAMES:
        status = login(getattr(cast, who)).get(url).status_code
        default = 404 if who not in X1_VIEWERS else status  # viewers: checked where listed
        assert status == expected.get(who, default), who
        if who not in X1_VIEWERS:
            assert status == 404, who


@pytest.mark.parametrize("who", CAST_NAMES)
def test_new_record_pages_answer_403_to_viewers_and_404_to_outsiders(cast, login, who):
    url = reverse("trajecten:record_new", args=[cast.traj_x1.uuid, "gesprek"])
    status = login(getattr(cast, who)).get(url).status_code
    if who == "specialist_a":
        assert status == 200
    else:
        assert status == (403 if who in X1_VIEWERS else 404)


@pytest.mark.parametrize("who", CAST_NAMES)
def test_document_downloads_follow_visibility_and_are_audited(cast, records, login, who):
    client = login(getattr(cast, who))
    shared = reverse("trajecten:download", args=["document", records["employer_document"].uuid])
    internal = reverse("trajecten:download", args=["document", records["agency_document"].uuid])
    assert client.get(shared).status_code == (200 if who in X1_VIEWERS else 404)
    may_see_internal = who in {"admin_a", "specialist_a"}
    response = client.get(internal)
    assert response.status_code == (200 if may_see_internal else 404)
    if may_see_internal:
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert response["Content-Disposition"].startswith("attachment")
        assert AuditEvent.objects.filter(
            action=AuditAction.DOWNLOAD, object_uuid=records["agency_document"].uuid
        ).exists()


def test_uploaded_files_are_not_served_from_any_public_url(cast, records, client):
    path = records["agency_document"].file.name
    assert client.get(f"/private-not-served/{path}").status_code == 404
    assert client.get(f"/media/{path}").status_code == 404


def test_employer_sees_time_totals_only_when_the_agency_shares_them(cast, records, login):
    client = login(cast.contact_x_all)
    assert "90 minuten" not in file_html(client, cast.traj_x1, "overview")[1]
    cast.agency_a.share_time_totals_with_employer = True
    cast.agency_a.save()
    html = file_html(client, cast.traj_x1, "overview")[1]
    assert "90 minuten" in html or "90 minutes" in html
    assert "TIME-NOTE" not in all_tabs(client, cast.traj_x1)


def test_employer_tabs_leave_out_what_they_may_not_see(cast, records, login):
    html = file_html(login(cast.contact_x1), cast.traj_x1, "overview")[1]
    assert "?tab=conversations" in html
    for hidden in ("?tab=agenda", "?tab=trainings", "?tab=tasks", "?tab=time"):
        assert hidden not in html


def test_a_stored_file_that_is_missing_is_a_404_and_an_error_in_the_log(
    cast, login, caplog, records
):
    document = records["employer_document"]
    document.file.storage.delete(document.file.name)
    response = login(cast.specialist_a).get(f"/trajecten/bestand/document/{document.uuid}/")
    assert response.status_code == 404
    assert any(
        r.levelname == "ERROR" and document.file.name in r.getMessage() for r in caplog.records
    )
