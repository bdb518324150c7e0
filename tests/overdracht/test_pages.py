"""The hand-over pages: upload, dry run, import with its progress, export; for agency admins of
the agency only (issue 43, item 1)."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from overdracht import export
from tests.conftest import CAST_NAMES, enrol_totp
from tests.factories import UserFactory
from trajecten.models import Trajectory, TransferImport

from .files import rich_file


def archive_of(actor, trajectories) -> bytes:
    queryset = Trajectory.objects.visible_to(actor).filter(pk__in=[t.pk for t in trajectories])
    return export.to_bytes(export.trajectories_for(queryset), source="test")


def rewrite(data: bytes, change) -> bytes:
    """The archive with each trajectory's JSON passed through ``change(name, data)``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename.startswith("trajectories/"):
                content = json.dumps(change(item.filename, json.loads(content))).encode()
            dst.writestr(item.filename, content)
    return out.getvalue()


def upload(client, data: bytes, **extra):
    return client.post(
        reverse("overdracht:transfers"),
        {"file": SimpleUploadedFile("overdracht.zip", data, "application/zip"), **extra},
    )


@pytest.fixture
def two_files(cast):
    rich_file(cast.traj_x1, cast.specialist_a)
    rich_file(cast.traj_x2, cast.specialist_a2)
    return archive_of(cast.admin_a, [cast.traj_x1, cast.traj_x2])


@pytest.fixture
def three_files(cast, two_files):
    rich_file(cast.traj_y1, cast.specialist_a2)
    return archive_of(cast.admin_a, [cast.traj_x1, cast.traj_x2, cast.traj_y1])


def broken(name, data):
    """The second trajectory breaks the format (a date that is no date, a conversation in the
    future, a field the format does not know); the third its rules (an unknown phase, a
    medical conversation shared with the employer)."""
    if name.endswith("00002.json"):
        data["start_date"] = "31-02-2026"
        data["conversations"][0]["date"] = "2999-01-01"
        data["employee"]["shoe_size"] = 44
    if name.endswith("00003.json"):
        data["phase"] = "Onbekende fase"
        data["conversations"][1]["visibility"] = "employer"
        data["conversations"][1]["contains_medical"] = True
    return data


def test_an_archive_with_errors_is_checked_then_imported_without_the_wrong_trajectory(
    cast, login, three_files, on_commit
):
    client = login(cast.admin_b)
    data = rewrite(three_files, broken)

    response = on_commit(upload, client, data, assign_to=cast.specialist_b.pk)
    job = TransferImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("overdracht:transfer", args=[job.uuid])
    page = client.get(response["Location"]).content.decode()

    assert job.status == "checked"
    assert "1 traject wordt geïmporteerd" in page
    assert "2 trajecten hebben fouten en worden niet geïmporteerd" in page
    assert "Voer een geldige datum in." in page  # start_date, in Dutch (the admin's language)
    assert "employee.shoe_size" in page and "Dit veld kan niet worden ingesteld." in page
    assert "conversations[0].date" in page
    assert "phase: je bureau heeft geen fase &quot;Onbekende fase&quot;" in page  # a warning
    assert "conversations[1].visibility" in page
    assert "nooit met de werkgever worden gedeeld" in page
    imported = Trajectory.objects.filter(agency=cast.agency_b).exclude(external_ref="")
    assert not imported.exists()  # a dry run only

    response = on_commit(client.post, reverse("overdracht:transfer_start", args=[job.uuid]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "done"
    [imported] = Trajectory.objects.filter(agency=cast.agency_b).exclude(external_ref="")
    assert imported.employee.first_name == "Xavier"
    page = client.get(reverse("overdracht:transfer", args=[job.uuid])).content.decode()
    assert "1 traject geïmporteerd" in page
    assert reverse("trajecten:file", args=[imported.uuid]) in page

    # The same archive again: the file that is here is named and linked, nothing is imported.
    on_commit(upload, client, data, assign_to=cast.specialist_b.pk)
    again = TransferImport.objects.latest("created_at")
    page = client.get(reverse("overdracht:transfer", args=[again.uuid])).content.decode()
    assert "1 traject staat er al en blijft zoals het is" in page
    assert reverse("trajecten:file", args=[imported.uuid]) in page
    assert "importeren/" not in page  # nothing left to import from it

    # Twice the same click (or two admins): imported once.
    again = on_commit(client.post, reverse("overdracht:transfer_start", args=[job.uuid]))
    assert again.status_code == 302
    assert Trajectory.objects.filter(agency=cast.agency_b).exclude(external_ref="").count() == 1


def test_the_dry_run_speaks_the_admins_language(cast, login, two_files, on_commit):
    cast.admin_b.language = "pl"
    cast.admin_b.save(update_fields=["language"])
    client = login(cast.admin_b)
    on_commit(upload, client, rewrite(two_files, broken), assign_to=cast.specialist_b.pk)
    job = TransferImport.objects.get()
    client.cookies.load({"django_language": "pl"})
    page = client.get(reverse("overdracht:transfer", args=[job.uuid])).content.decode()
    assert "Wpisz poprawną datę." in page
    assert "Voer een geldige datum in." not in page


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a zip", "Dit is geen ZIP-bestand."),
        (b"PK\x05\x06" + b"\0" * 18, "Dit archief heeft geen manifest.json."),
    ],
)
def test_a_file_that_is_no_transfer_archive_is_refused_on_the_form(cast, login, content, message):
    response = upload(login(cast.admin_a), content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TransferImport.objects.exists()


def test_an_archive_climbing_out_of_its_folder_is_refused(cast, login):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("../../etc/evil.json", "{}")
    response = upload(login(cast.admin_a), out.getvalue())
    assert "Dit archief bevat een bestand buiten zijn eigen map." in response.content.decode()


def test_a_newer_format_version_is_named(cast, login):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        manifest = {"format": "spoorboek-overdracht", "version": 2, "trajectories": []}
        archive.writestr("manifest.json", json.dumps(manifest))
    response = upload(login(cast.admin_a), out.getvalue())
    assert "formaatversie 2" in response.content.decode()


def test_someone_elses_specialist_cannot_be_chosen(cast, login, two_files):
    response = upload(login(cast.admin_b), two_files, assign_to=cast.specialist_a.pk)
    assert response.status_code == 200
    assert not TransferImport.objects.exists()


@pytest.fixture
def job(cast, two_files, on_commit, login):
    on_commit(upload, login(cast.admin_a), two_files)
    return TransferImport.objects.get()


@pytest.mark.parametrize("who", CAST_NAMES)
def test_every_hand_over_page_is_for_the_agencys_admins_only(cast, login, client, job, who):
    urls = {
        "list": reverse("overdracht:transfers"),
        "job": reverse("overdracht:transfer", args=[job.uuid]),
        "progress": reverse("overdracht:transfer_progress", args=[job.uuid]),
        "export employer": reverse("overdracht:export_employer", args=[cast.employer_x.uuid]),
        "export file": reverse("overdracht:export_trajectory", args=[cast.traj_x1.uuid]),
    }
    client.logout()
    login(getattr(cast, who))
    for name, url in urls.items():
        expected = 200 if who == "admin_a" else 404
        if who == "admin_b" and name == "list":
            expected = 200  # their own list, without agency A's archive
        if name == "progress" and who == "admin_a":
            expected = 204  # the check has finished: the page reloads itself
        response = client.get(url)
        assert response.status_code == expected, (who, name)
        if name == "list" and who == "admin_b":
            assert str(job.uuid) not in response.content.decode()
    start = client.post(reverse("overdracht:transfer_start", args=[job.uuid]))
    assert start.status_code == (302 if who == "admin_a" else 404)


def test_an_export_is_a_download_in_the_audit_trail_of_each_file(cast, login, two_files):
    from portal.models import AuditEvent

    response = login(cast.admin_a).get(
        reverse("overdracht:export_employer", args=[cast.employer_x.uuid])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert len(json.loads(archive.read("manifest.json"))["trajectories"]) == 2
    events = AuditEvent.objects.filter(action="download", details__transfer=True)
    assert {e.subject_uuid for e in events} == {
        cast.traj_x1.employee.uuid,
        cast.traj_x2.employee.uuid,
    }


def test_the_progress_bar_shows_how_far_a_running_import_is(cast, login, job):
    TransferImport.objects.filter(pk=job.pk).update(status="importing", processed=1)
    client = login(cast.admin_a)
    page = client.get(reverse("overdracht:transfer", args=[job.uuid])).content.decode()
    assert '<progress id="transfer-bar" max="2" value="1">' in page
    assert "1 van 2 trajecten" in page
    fragment = client.get(reverse("overdracht:transfer_progress", args=[job.uuid]))
    assert fragment.status_code == 200
    assert 'hx-trigger="every 1s"' in fragment.content.decode()


def test_a_second_admin_sees_the_same_archive_and_its_outcome(cast, login, job):
    other = UserFactory(agency=cast.agency_a, admin=True)
    enrol_totp(other)
    page = login(other).get(reverse("overdracht:transfer", args=[job.uuid]))
    assert page.status_code == 200


def test_a_job_that_cannot_finish_says_so_instead_of_polling_for_ever(cast, login, job):
    """The stored archive is gone by the time the import runs: the job ends as failed, and the
    page says nothing was imported (no progress bar that never ends)."""
    from overdracht import services

    TransferImport.objects.filter(pk=job.pk).update(status="importing")
    job.file.storage.delete(job.file.name)
    services.transfer_import_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    client = login(cast.admin_a)
    page = client.get(reverse("overdracht:transfer", args=[job.uuid])).content.decode()
    assert "Het archief kon niet worden gelezen; er is niets geïmporteerd." in page
    assert "transfer-bar" not in page
    assert client.get(reverse("overdracht:transfer_progress", args=[job.uuid]))["HX-Refresh"]
