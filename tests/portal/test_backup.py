"""Backup and restore on PostgreSQL: backup, restore into a new database and storage, verify;
a tampered or missing file is reported, not passed over; the archive holds nothing readable."""

import hashlib
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from portal import backup
from rapportages.models import Report
from trajecten.models import Document

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="backups need PostgreSQL (pg_dump)"
)
PDF = b"%PDF-1.7\n" + b"signed report " * 200
SIGN, VERIFY = backup.backup_keys()


@pytest.fixture(autouse=True)
def _signing_key(monkeypatch):
    """The backup job's signing key, as the backup service has it."""
    monkeypatch.setenv("BACKUP_SIGNING_KEY", SIGN)
    monkeypatch.setenv("BACKUP_VERIFY_KEY", VERIFY)


@pytest.fixture
def keys():
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    return str(identity.to_public()), str(identity)


@pytest.fixture
def restored_db():
    """A new, empty database beside the test database, dropped afterwards."""
    settings = dict(connection.settings_dict)
    name = f"{settings['NAME']}_restore"
    admin = {k: settings.get(k) or None for k in ("HOST", "PORT", "USER", "PASSWORD")}

    def run(sql):
        with psycopg.connect(dbname="postgres", host=admin["HOST"], port=admin["PORT"],
                             user=admin["USER"], password=admin["PASSWORD"],
                             autocommit=True) as conn:  # fmt: skip
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    yield {**settings, "NAME": name}
    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _database_owned_by_a_role_of_its_own(database: dict) -> dict:
    """The restore connects as the new database's owner, not as a superuser."""
    role = "spoorboek_restore_owner"
    admin = {key.lower(): database.get(key) or None for key in ("HOST", "PORT", "USER", "PASSWORD")}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
            conn.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER")
        conn.execute(f'ALTER DATABASE "{database["NAME"]}" OWNER TO {role}')
    return {**database, "USER": role, "PASSWORD": ""}


@pytest.fixture
def a_file(transactional_db, cast):
    """A signed report with its PDF and an uploaded document, committed (pg_dump reads only
    what is committed)."""
    name = default_storage.save("reports/2026/11/signed.pdf", ContentFile(PDF))
    report = Report.objects.create(
        agency=cast.agency_a, trajectory=cast.traj_x1, kind="progress", number=1,
        period_start="2026-08-01", period_end="2026-10-31", due_date="2026-11-01",
        status="final", pdf=name, pdf_sha256=hashlib.sha256(PDF).hexdigest(),
    )  # fmt: skip
    document = Document.objects.create(
        trajectory=cast.traj_x1,
        kind="cv",
        title="CV",
        uploaded_by=cast.specialist_a,
        file=ContentFile(b"cv text", "cv.txt"),
    )
    return report, document


@postgres_only
def test_backup_restore_verify_and_a_tampered_file_is_reported(
    a_file, keys, restored_db, tmp_path, settings
):
    report, document = a_file
    public, secret = keys
    made = backup.backup_create(out_dir=tmp_path / "backups", recipients=public, signing_key=SIGN)
    assert made.path.name.endswith(".tar.age") and made.missing == []
    assert made.manifest["database"]["tables"]["trajecten_trajectory"] == 4
    assert made.manifest["files"][report.pdf.name] == report.pdf_sha256
    raw = made.path.read_bytes()
    for plain in (b"PDF-1.7", b"signed report", b"Xavier", b"trajecten_trajectory"):
        assert plain not in raw  # encrypted, all of it

    storage = FileSystemStorage(location=tmp_path / "restored")
    owner = _database_owned_by_a_role_of_its_own(restored_db)
    problems = backup.backup_restore(
        archive=made.path, identity=secret, verify_key=VERIFY, database=owner,
        storage=storage,
    )  # fmt: skip
    assert problems == []
    with backup._connect(restored_db) as conn:  # made by the owner, from the code
        owners = conn.execute(
            "SELECT DISTINCT pg_get_userbyid(proowner) FROM pg_proc WHERE proname LIKE 'spoorboek%'"
        ).fetchall()
        forced = conn.execute(
            "SELECT relforcerowsecurity FROM pg_class WHERE relname = 'trajecten_trajectory'"
        ).fetchone()[0]
    assert owners == [(owner["USER"],)] and forced is True
    with backup._connect(restored_db) as conn:
        assert conn.execute("SELECT count(*) FROM trajecten_trajectory").fetchone()[0] == 4
        first = conn.execute("SELECT first_name FROM trajecten_employee ORDER BY id").fetchone()
        # The history of the file keeps being written in the restored database: its triggers
        # were made again from the code (never taken from the dump), with its content types.
        conn.execute("UPDATE trajecten_trajectory SET closing_note = 'hersteld'")
        recorded = conn.execute(
            "SELECT count(*) FROM portal_recordchange WHERE change_type = 'U' "
            "AND changes ? 'closing_note'"
        ).fetchone()[0]
    assert first[0] == "Xavier"
    assert recorded == 4
    assert storage.open(report.pdf.name).read() == PDF

    # Tampered and missing: each reported by name.
    Path(storage.path(report.pdf.name)).write_bytes(PDF + b"changed")
    Path(storage.path(document.file.name)).unlink()
    with backup._connect(restored_db) as conn:
        conn.execute("DELETE FROM trajecten_placement")  # nothing there: counts still agree
        conn.execute("DELETE FROM portal_notification")
    problems = backup.backup_verify(manifest=made.manifest, database=restored_db, storage=storage)
    assert f"report file {report.pdf.name}: SHA-256 differs from the one on its report" in problems
    assert f"file {report.pdf.name}: SHA-256 differs from the backup's" in problems
    assert f"file {document.file.name}: missing" in problems


@postgres_only
def test_a_row_lost_after_the_restore_is_reported(a_file, keys, restored_db, tmp_path):
    public, secret = keys
    made = backup.backup_create(out_dir=tmp_path, recipients=public, signing_key=SIGN)
    storage = FileSystemStorage(location=tmp_path / "restored")
    backup.backup_restore(
        archive=made.path, identity=secret, verify_key=VERIFY, database=restored_db,
        storage=storage,
    )  # fmt: skip
    with backup._connect(restored_db) as conn:
        conn.execute("DELETE FROM trajecten_document")
    problems = backup.backup_verify(manifest=made.manifest, database=restored_db, storage=storage)
    assert "table trajecten_document: 0 rows, the backup had 1" in problems


@postgres_only
def test_restore_refuses_a_database_that_is_not_empty(a_file, keys, tmp_path):
    public, secret = keys
    made = backup.backup_create(out_dir=tmp_path, recipients=public, signing_key=SIGN)
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.backup_restore(
            archive=made.path, identity=secret, verify_key=VERIFY,
            database=dict(connection.settings_dict),
            storage=FileSystemStorage(location=tmp_path / "restored"),
        )  # fmt: skip


@postgres_only
def test_the_wrong_key_or_no_key_is_told_not_guessed(a_file, keys, tmp_path, restored_db):
    import pyrage

    public, _secret = keys
    made = backup.backup_create(out_dir=tmp_path, recipients=public, signing_key=SIGN)
    other = str(pyrage.x25519.Identity.generate())
    with pytest.raises(backup.BackupError, match="cannot be decrypted"):
        backup.backup_restore(
            archive=made.path, identity=other, verify_key=VERIFY, database=restored_db
        )
    with pytest.raises(backup.BackupError, match="BACKUP_AGE_RECIPIENTS is empty"):
        backup.backup_create(out_dir=tmp_path, recipients="", signing_key=SIGN)
    with pytest.raises(backup.BackupError, match="not an age key"):
        backup.backup_create(out_dir=tmp_path, recipients="age1notakey", signing_key=SIGN)


@postgres_only
def test_a_file_missing_at_backup_time_fails_the_command_and_is_listed(
    a_file, keys, tmp_path, monkeypatch
):
    report, _document = a_file
    default_storage.delete(report.pdf.name)
    monkeypatch.setenv("BACKUP_AGE_RECIPIENTS", keys[0])
    with pytest.raises(CommandError, match=report.pdf.name):
        call_command("backup", out=str(tmp_path))
    [made] = tmp_path.glob("*.tar.age")  # written all the same, with the loss in its manifest
    manifest = backup.backup_manifest(archive=made, identity=keys[1], verify_key=VERIFY)
    assert manifest["missing"] == [report.pdf.name]


def test_prune_keeps_seven_daily_and_four_weekly(tmp_path):
    from datetime import date, timedelta

    for n in range(40):  # one a day, newest 2026-12-01
        day = date(2026, 12, 1) - timedelta(days=n)
        (tmp_path / f"spoorboek-{day:%Y%m%d}-013000.tar.age").write_bytes(b"x")
    backup.backups_prune(out_dir=tmp_path)
    kept = sorted(p.name[10:18] for p in tmp_path.iterdir())
    # The last 7 days (25 Nov - 1 Dec) and the newest of each of the last 4 ISO weeks: the
    # weeks of 1 December and of 29 November are in those days already, then 22 and 15 November.
    assert kept == ["20261115", "20261122", *[f"202611{d}" for d in range(25, 31)], "20261201"]


@postgres_only
def test_the_daily_task_writes_a_backup_and_prunes(a_file, keys, tmp_path, settings, monkeypatch):
    from portal.tasks import make_backup

    settings.BACKUP_DIR = tmp_path
    monkeypatch.setenv("BACKUP_AGE_RECIPIENTS", keys[0])
    for day in range(6, 13):  # a week of old backups, Monday 6 to Sunday 12 January 2020
        (tmp_path / f"spoorboek-202001{day:02}-013000.tar.age").write_bytes(b"old")
    written = Path(make_backup())
    kept = sorted(p.name for p in tmp_path.glob("*.tar.age"))
    # The 7 newest days (today and 7 to 12 January); the week's newest is among them.
    assert kept == [*(f"spoorboek-202001{d:02}-013000.tar.age" for d in range(7, 13)), written.name]
    assert written.with_name(written.name + ".sig").exists()
    manifest = backup.backup_manifest(archive=written, identity=keys[1], verify_key=VERIFY)
    assert manifest["database"]["tables"]["rapportages_report"] == 1


# --- Issue 38, item 6: forged backups ----------------------------------------------------------


def _forge(tmp_path, public: str, sql: str) -> Path:
    """What anyone with the *public* age key can make: a dump of a database of their own
    (here one table and a function as a superuser would plant it), packed and encrypted like
    a backup, with a manifest that matches it."""
    import io
    import json
    import shutil
    import subprocess
    import tarfile

    import pyrage

    settings = dict(connection.settings_dict)
    name = f"{settings['NAME']}_forge"
    admin = {key.lower(): settings.get(key) or None for key in ("HOST", "PORT", "USER", "PASSWORD")}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(dbname=name, autocommit=True, **admin) as conn:
        conn.execute(sql)
    dump = tmp_path / "forged.dump"
    env = backup._pg_env({**settings, "NAME": name})
    pg_dump = shutil.which("pg_dump") or "pg_dump"
    subprocess.run([pg_dump, "--format=custom", f"--file={dump}"], env=env, check=True)
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    plain = tmp_path / "forged.tar"
    manifest = {"format": 1, "made_at": "2026-12-05T00:00:00+00:00", "files": {}, "missing": []}
    manifest["database"] = {"tables": {"portal_agency": 0}}
    with tarfile.open(plain, "w") as tar:
        tar.add(dump, arcname="database.dump")
        data = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    archive = tmp_path / "spoorboek-20261205-013000.tar.age"
    pyrage.encrypt_file(str(plain), str(archive), [pyrage.x25519.Recipient.from_str(public)])
    return archive


EVIL = (
    "CREATE TABLE portal_agency (id bigint PRIMARY KEY);"
    "CREATE FUNCTION spoorboek_agency() RETURNS bigint LANGUAGE sql SECURITY DEFINER "
    "AS $$ SELECT 1 $$;"
    "CREATE FUNCTION become_postgres() RETURNS void LANGUAGE sql SECURITY DEFINER "
    "AS $$ SELECT 1 $$;"
)


@postgres_only
def test_a_forged_unsigned_or_wrongly_signed_backup_is_refused_before_decrypting(
    transactional_db, keys, restored_db, tmp_path
):
    public, secret = keys
    forged = _forge(tmp_path, public, EVIL)
    with pytest.raises(backup.BackupError, match="is not signed"):
        backup.backup_restore(
            archive=forged, identity=secret, verify_key=VERIFY, database=restored_db
        )
    other_sign, _other_verify = backup.backup_keys()
    backup.backup_sign(forged, other_sign)  # signed, but not by this installation's job
    with pytest.raises(backup.BackupError, match="not signed by this installation"):
        backup.backup_restore(
            archive=forged, identity=secret, verify_key=VERIFY, database=restored_db
        )
    with pytest.raises(backup.BackupError, match="not signed by this installation"):
        backup.backup_manifest(archive=forged, identity=secret, verify_key=VERIFY)
    assert backup._tables(restored_db) == []  # nothing was restored


@postgres_only
def test_even_a_signed_dump_with_an_object_the_code_does_not_make_is_refused(
    transactional_db, keys, restored_db, tmp_path
):
    """Should the signing key leak too: the dump's own functions are never restored, and a
    function, trigger or extension the code does not create refuses the whole restore."""
    public, secret = keys
    forged = _forge(tmp_path, public, EVIL)
    backup.backup_sign(forged, SIGN)
    with pytest.raises(backup.BackupError, match="FUNCTION public become_postgres"):
        backup.backup_restore(
            archive=forged, identity=secret, verify_key=VERIFY, database=restored_db
        )
    assert backup._tables(restored_db) == []


def test_the_table_of_contents_keeps_data_and_drops_the_codes_own_objects():
    listing = "\n".join([
        ";",
        "; Archive created at 2026-12-05",
        "215; 1259 16390 TABLE public portal_agency owner",
        "4310; 0 36769 ROW SECURITY public portal_agency owner",
        "342; 1255 37116 FUNCTION public spoorboek_agency() owner",
        "4508; 0 0 ACL public FUNCTION spoorboek_agency() owner",
        "1958; 2617 37117 OPERATOR public === owner",
        "4400; 0 16390 TABLE DATA public portal_agency owner",
        "4410; 2606 16400 FK CONSTRAINT public portal_x portal_x_fk owner",
        "5000; 0 0 POLICY public portal_agency spoorboek_tenant owner",
    ])  # fmt: skip
    kept = backup.restore_list(listing)
    assert "TABLE public portal_agency" in kept and "TABLE DATA" in kept and "FK CONSTRAINT" in kept
    for gone in ("FUNCTION", "OPERATOR", "ROW SECURITY", "POLICY", "ACL"):
        assert gone not in kept
    for foreign in (
        "9; 2620 1 TRIGGER public portal_agency t owner",
        "9; 3079 1 EXTENSION - plpython3u",
        "9; 3466 1 EVENT TRIGGER - evil owner",
        "9; 1259 1 VIEW public v owner",
    ):
        with pytest.raises(backup.BackupError, match="does not create"):
            backup.restore_list(listing + "\n" + foreign)
