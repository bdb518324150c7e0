"""Backups that prove themselves: one consistent, encrypted archive of the database and the
private files, and a restore that checks it against its manifest.

**Backup** (``backup_create``). In one REPEATABLE READ transaction the database exports its
snapshot; in that snapshot the manifest counts the rows of every table and lists every stored
file (every ``FileField`` of every model) with its SHA-256, and ``pg_dump --format=custom
--snapshot`` dumps exactly the same state, so counts, files and dump agree even while the portal
keeps writing. The dump, the files and the manifest go into one tar file, encrypted with age
(pyrage, the Python binding of the rage implementation) for the public keys in
``BACKUP_AGE_RECIPIENTS``: nothing is ever written unencrypted outside a temporary directory.
A file that is referenced but cannot be read is named in the manifest and fails the run, so a
loss is seen the day it happens.

**Signed.** Anyone with the *public* age key can make an archive that decrypts; so each backup
is also signed (Ed25519, the ``cryptography`` package) with ``BACKUP_SIGNING_KEY``, a key only
the backup job holds, in ``<archive>.sig`` beside it: the signature covers the archive's name
and SHA-256. A restore checks it with ``BACKUP_VERIFY_KEY`` *before* decrypting and refuses an
unsigned or wrongly signed file.

**Restore** (``backup_restore``) decrypts with ``BACKUP_AGE_IDENTITY``, refuses a database that
has tables or a storage that has any of the files, and reads the dump's table of contents:
it holds tables, their data, sequences, indexes and constraints, and the three functions, the
operator, the policies and the grants the code itself creates; any other kind of object (a
trigger, an extension, another function, a view, a rule, ...) refuses the restore. The code's
own functions, operator, policies and grants are then *not* taken from the dump but made again
from the code (``tenancy.apply_policies``'s statements), and ``pg_restore --no-owner
--no-privileges`` runs as the tables' owner (the database's owner), never as a superuser: a
forged dump can plant no function that runs as anyone else. Then it restores the files and
**verifies** (``backup_verify``): the row count of every table equals the manifest's, every
stored report PDF and bundle hashes to the SHA-256 recorded on its row, and every file of the
manifest is there with its hash. Every difference is reported, none passed over.

Row-level security: the dump reads in the platform's scope (``spoorboek.agency = all``), as
the owner role; the restore loads the data before row-level security is put back.
"""

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone

from . import tenancy

FORMAT = 1
MANIFEST, DUMP, FILES = "manifest.json", "database.dump", "files/"
SUFFIX = ".tar.age"
SIGNATURE = ".sig"
CHUNK = 1024 * 1024
SECRET_PREFIX, PUBLIC_PREFIX = "spoorboek-backup-secret-", "spoorboek-backup-public-"

#: What a dump's table of contents may hold. The objects of the second set are the code's
#: own (``tenancy``): never restored from the dump, made again from the code.
RESTORED_KINDS = frozenset({
    "TABLE", "TABLE DATA", "SEQUENCE", "SEQUENCE OWNED BY", "SEQUENCE SET", "DEFAULT",
    "CONSTRAINT", "FK CONSTRAINT", "INDEX", "COMMENT",
})  # fmt: skip
REMADE_KINDS = frozenset({"FUNCTION", "OPERATOR", "ROW SECURITY", "POLICY", "ACL", "TRIGGER"})
CODE_FUNCTIONS = frozenset({
    "spoorboek_setting", "spoorboek_agency", "spoorboek_analyze",
    # The history of the file (portal.changelog.triggers): django-history-triggers' function
    # and ours; its triggers are made again from the code too.
    "history_record", "spoorboek_history_fill", "spoorboek_history_forget",
})  # fmt: skip


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why."""


def _age():
    import pyrage  # lazily: only backup and restore need it

    return pyrage


def recipients_from(text: str) -> list:
    keys = [k.strip() for k in (text or "").split(",") if k.strip()]
    if not keys:
        raise BackupError("BACKUP_AGE_RECIPIENTS is empty: a backup is never written unencrypted.")
    try:
        return [_age().x25519.Recipient.from_str(k) for k in keys]
    except Exception as exc:  # pyrage raises its own RecipientError
        raise BackupError(
            f"BACKUP_AGE_RECIPIENTS holds a key that is not an age key: {exc}"
        ) from None


def identity_from(text: str):
    if not (text or "").strip():
        raise BackupError("BACKUP_AGE_IDENTITY is empty: the backup cannot be decrypted.")
    try:
        return _age().x25519.Identity.from_str(text.strip())
    except Exception as exc:
        raise BackupError(f"BACKUP_AGE_IDENTITY is not an age secret key: {exc}") from None


# --- Signing ---------------------------------------------------------------------------------


def backup_keys() -> tuple[str, str]:
    """A new signing key and its verification key, as text for the environment."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes_raw()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return (
        SECRET_PREFIX + base64.urlsafe_b64encode(raw).decode(),
        PUBLIC_PREFIX + base64.urlsafe_b64encode(public).decode(),
    )


def _key_bytes(text: str, prefix: str, name: str) -> bytes:
    import base64
    import binascii

    text = (text or "").strip()
    if not text:
        raise BackupError(
            f"{name} is empty: an unsigned backup cannot be told from a forged one "
            "(manage.py backup_keys makes a pair)."
        )
    try:
        if not text.startswith(prefix):
            raise ValueError
        raw = base64.urlsafe_b64decode(text[len(prefix) :])
        if len(raw) != 32:
            raise ValueError
    except (ValueError, binascii.Error):
        raise BackupError(f"{name} is not a key made by manage.py backup_keys.") from None
    return raw


def _statement(archive: Path, name: str) -> bytes:
    """What a signature covers: its purpose, the archive's name and SHA-256."""
    with archive.open("rb") as handle:
        digest = _sha256_of(handle)
    return b"spoorboek-backup/1\n" + name.encode() + b"\n" + digest.encode()


def backup_sign(archive: Path, signing_key: str, *, name: str | None = None) -> Path:
    """Write ``<name>.sig`` beside ``archive`` (``name``: the archive's final name)."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = _key_bytes(signing_key, SECRET_PREFIX, "BACKUP_SIGNING_KEY")
    name = name or archive.name
    signature = Ed25519PrivateKey.from_private_bytes(raw).sign(_statement(archive, name))
    target = archive.with_name(name + SIGNATURE)
    target.write_text(base64.b64encode(signature).decode() + "\n")
    return target


def backup_check_signature(archive: Path, verify_key: str) -> None:
    """Refuse (``BackupError``) an archive without a signature of the backup job's key."""
    import base64
    import binascii

    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    raw = _key_bytes(verify_key, PUBLIC_PREFIX, "BACKUP_VERIFY_KEY")
    signed = archive.with_name(archive.name + SIGNATURE)
    if not signed.exists():
        raise BackupError(
            f"{archive.name} is not signed ({signed.name} is missing): refused, it could be "
            "made by anyone with the public encryption key."
        )
    try:
        signature = base64.b64decode(signed.read_text().strip(), validate=True)
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, _statement(archive, archive.name))
    except (InvalidSignature, ValueError, binascii.Error):
        raise BackupError(
            f"{archive.name} is not signed by this installation's backup key: refused."
        ) from None


def _sha256_of(handle) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def stored_file_names() -> list[str]:
    """Every file name any row refers to, read in the current transaction (its snapshot)."""
    names = set()
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                names.update(
                    model._base_manager.exclude(**{f.name: ""})
                    .exclude(**{f"{f.name}__isnull": True})
                    .values_list(f.name, flat=True)
                )
    return sorted(names)


def _row_counts(cursor) -> dict[str, int]:
    counts = {}
    for table in sorted(connection.introspection.table_names(cursor)):
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (names from the catalog)
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_env(settings_dict: dict) -> dict[str, str]:
    env = {**os.environ, "PGOPTIONS": f"-c {tenancy.SETTING}={tenancy.ALL}"}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                      ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):  # fmt: skip
        if settings_dict.get(key):
            env[name] = str(settings_dict[key])
    return env


@dataclass
class Backup:
    path: Path
    manifest: dict
    missing: list[str] = field(default_factory=list)


def backup_create(
    *, out_dir: Path, recipients: str, signing_key: str, now: datetime | None = None
) -> Backup:
    """Write ``spoorboek-<time>.tar.age`` and its signature into ``out_dir``; see the module
    docstring."""
    if connection.vendor != "postgresql":
        raise BackupError("Backups need PostgreSQL (pg_dump); the embedded SQLite is a demo.")
    keys = recipients_from(recipients)
    _key_bytes(signing_key, SECRET_PREFIX, "BACKUP_SIGNING_KEY")  # before any work
    now = now or timezone.now()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"spoorboek-{timezone.localtime(now):%Y%m%d-%H%M%S}{SUFFIX}"
    with tempfile.TemporaryDirectory(prefix="spoorboek-backup-") as work:
        work = Path(work)
        archive_path = work / "backup.tar"
        with tenancy.scope(tenancy.ALL), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                counts = _row_counts(cursor)
            names = stored_file_names()
            dump = work / DUMP
            _pg_dump(dump, snapshot)
            files, missing = {}, []
            with tarfile.open(archive_path, "w") as tar:
                tar.add(dump, arcname=DUMP)
                for name in names:
                    try:
                        with default_storage.open(name, "rb") as handle:
                            data = handle.read()
                    except OSError:
                        missing.append(name)
                        continue
                    files[name] = hashlib.sha256(data).hexdigest()
                    info = tarfile.TarInfo(FILES + name)
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
                manifest = {
                    "format": FORMAT,
                    "made_at": now.isoformat(),
                    "database": {"tables": counts},
                    "files": files,
                    "missing": missing,
                }
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        partial = target.with_suffix(".partial")
        _age().encrypt_file(str(archive_path), str(partial), keys)
        backup_sign(partial, signing_key, name=target.name)  # the signature first, then
        partial.replace(target)  # the backup: there whole and signed, or not at all
    return Backup(path=target, manifest=manifest, missing=missing)


def _pg_dump(path: Path, snapshot: str) -> None:
    command = [
        shutil.which("pg_dump") or "pg_dump",
        "--format=custom",
        "--no-password",
        f"--snapshot={snapshot}",
        "--enable-row-security",
        f"--file={path}",
    ]
    result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        command, env=_pg_env(connection.settings_dict), capture_output=True, text=True
    )
    if result.returncode:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


# --- Restore and verify ----------------------------------------------------------------------


def _decrypt(archive: Path, identity: str, work: Path) -> dict:
    plain = work / "backup.tar"
    try:
        _age().decrypt_file(str(archive), str(plain), [identity_from(identity)])
    except BackupError:
        raise
    except Exception as exc:
        raise BackupError(f"The backup cannot be decrypted with this key: {exc}") from None
    with tarfile.open(plain) as tar:
        tar.extractall(work / "content", filter="data")
    try:
        return json.loads((work / "content" / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"The backup holds no readable manifest: {exc}") from None


def backup_manifest(*, archive: Path, identity: str, verify_key: str) -> dict:
    """The manifest of a signed, encrypted backup (for ``restore --verify-only``)."""
    backup_check_signature(Path(archive), verify_key)
    with tempfile.TemporaryDirectory(prefix="spoorboek-restore-") as work:
        return _decrypt(Path(archive), identity, Path(work))


def _pg_restore(database: dict, *arguments: str) -> str:
    result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [shutil.which("pg_restore") or "pg_restore", *arguments],
        env=_pg_env(database), capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    return result.stdout


_KINDS = sorted(RESTORED_KINDS | REMADE_KINDS | {"EVENT TRIGGER", "DEFAULT ACL"}, key=len)


def _entries(listing: str) -> list[tuple[str, str, str]]:
    """(line, kind, rest) of each object in ``pg_restore --list``'s table of contents."""
    entries = []
    for line in listing.splitlines():
        if not line.strip() or line.startswith(";"):
            continue
        rest = line.split(";", 1)[1].split(None, 2)[2]  # after "id; tableoid oid"
        kind = next((k for k in reversed(_KINDS) if rest.startswith(k + " ")), rest.split()[0])
        entries.append((line, kind, rest[len(kind) :].strip()))
    return entries


def restore_list(listing: str) -> str:
    """The table of contents to restore: the data's objects only. Refuses (``BackupError``)
    a dump holding any object the code does not create."""
    kept, foreign = [], []
    for line, kind, rest in _entries(listing):
        if kind in RESTORED_KINDS:
            kept.append(line)
        elif kind in REMADE_KINDS:
            if kind == "FUNCTION" and rest.split()[1].split("(")[0] not in CODE_FUNCTIONS:
                foreign.append(f"{kind} {rest}")
            if kind == "TRIGGER" and not _history_trigger(rest.split()[2]):
                foreign.append(f"{kind} {rest}")
        else:
            foreign.append(f"{kind} {rest}")
    if foreign:
        raise BackupError(
            "The backup holds objects Spoorboek does not create, so it is refused: "
            + "; ".join(foreign[:10])
        )
    return "\n".join(kept) + "\n"


def _history_trigger(name: str) -> bool:
    """A trigger of the history of the file: django-history-triggers' ``tr_<table>_<kind>``
    on a tracked table, or ours on the history table (``portal.changelog.triggers``)."""
    return name == "spoorboek_history_fill" or (
        name.startswith("tr_") and name.endswith(("_insert", "_update", "_delete"))
    )


def _remake_code_objects(database: dict) -> None:
    """The functions, operator, history triggers, policies and grants, from the code
    (``tenancy``, ``changelog.triggers``)."""
    from django.conf import settings

    from .changelog import triggers

    with _connect(database) as conn:
        triggers.install_into(conn)  # first: the grants name its function
        conn.execute(tenancy.FUNCTIONS_SQL)
        present = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables").fetchall()}
        for table in tenancy.tenant_tables():
            if table in present:
                for statement in tenancy.policy_statements(table):
                    conn.execute(statement)
        role = settings.DATABASE_APP_ROLE
        if role and conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
            for statement in tenancy.grant_statements(role):
                conn.execute(statement)


def backup_restore(
    *, archive: Path, identity: str, verify_key: str, database: dict, storage=None
) -> list[str]:
    """Restore ``archive`` into the empty ``database`` (Django-style settings of a connection
    as the database's owner) and ``storage`` (default: the configured one), then verify;
    returns the problems found (empty: everything is there)."""
    storage = storage or default_storage
    backup_check_signature(Path(archive), verify_key)  # before a byte is decrypted
    with tempfile.TemporaryDirectory(prefix="spoorboek-restore-") as work:
        work = Path(work)
        manifest = _decrypt(Path(archive), identity, work)
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Unknown backup format: {manifest.get('format')!r}")
        if _tables(database):
            raise BackupError("The database is not empty: restore into a new, empty database.")
        taken = [name for name in manifest["files"] if storage.exists(name)]
        if taken:
            raise BackupError(f"The file storage is not empty (e.g. {taken[0]}).")
        dump = str(work / "content" / DUMP)
        use_list = work / "restore.list"
        use_list.write_text(restore_list(_pg_restore(database, "--list", dump)))
        _pg_restore(
            database, "--exit-on-error", "--no-password", "--no-owner", "--no-privileges",
            f"--use-list={use_list}", f"--dbname={database['NAME']}", dump,
        )  # fmt: skip
        _remake_code_objects(database)
        root = work / "content" / FILES.rstrip("/")
        for name in manifest["files"]:
            with (root / name).open("rb") as handle:
                saved = storage.save(name, ContentFile(handle.read()))
            if saved != name:
                raise BackupError(f"The storage stored {name} as {saved}.")
    return backup_verify(manifest=manifest, database=database, storage=storage)


def _connect(database: dict):
    import psycopg

    return psycopg.connect(
        dbname=database["NAME"],
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        options=f"-c {tenancy.SETTING}={tenancy.ALL}",
        autocommit=True,
    )


def _tables(database: dict) -> list[str]:
    with _connect(database) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
    return sorted(r[0] for r in rows)


def backup_verify(*, manifest: dict, database: dict, storage=None) -> list[str]:
    """Every difference between a restored installation and the backup's manifest, in words:
    row counts per table, report and bundle PDFs against the hash recorded on their row, and
    every file of the manifest present with its hash."""
    storage = storage or default_storage
    problems = []
    with _connect(database) as conn:
        for table, expected in sorted(manifest["database"]["tables"].items()):
            try:
                found = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            except Exception:  # psycopg's UndefinedTable
                problems.append(f"table {table}: missing")
                continue
            if found != expected:
                problems.append(f"table {table}: {found} rows, the backup had {expected}")
        recorded = conn.execute(
            "SELECT pdf, pdf_sha256 FROM rapportages_report WHERE pdf <> '' UNION ALL "
            "SELECT pdf, pdf_sha256 FROM rapportages_bundlejob WHERE pdf <> '' UNION ALL "
            "SELECT zip, zip_sha256 FROM rapportages_bundlejob WHERE zip <> ''"
        ).fetchall()
    for name, expected in recorded:
        actual = _stored_hash(storage, name)
        if actual is None:
            problems.append(f"report file {name}: missing")
        elif expected and actual != expected:
            problems.append(f"report file {name}: SHA-256 differs from the one on its report")
    for name, expected in sorted(manifest["files"].items()):
        actual = _stored_hash(storage, name)
        if actual is None:
            problems.append(f"file {name}: missing")
        elif actual != expected:
            problems.append(f"file {name}: SHA-256 differs from the backup's")
    problems += [f"file {name}: missing already when the backup was made"
                 for name in manifest.get("missing", [])]  # fmt: skip
    return problems


def _stored_hash(storage, name: str) -> str | None:
    try:
        with storage.open(name, "rb") as handle:
            return _sha256_of(handle)
    except (OSError, ValueError):
        return None


# --- Keeping 7 daily and 4 weekly ------------------------------------------------------------


def backups_prune(*, out_dir: Path, keep_daily: int = 7, keep_weekly: int = 4) -> list[Path]:
    """Keep the newest backup of each of the ``keep_daily`` most recent days that have one and
    of each of the ``keep_weekly`` most recent ISO weeks (days and weeks with a backup: a pause
    in backups never deletes the last good ones); remove the rest and return what went."""
    found = sorted(Path(out_dir).glob(f"spoorboek-*{SUFFIX}"), reverse=True)  # newest first

    def made(path: Path) -> datetime:
        return datetime.strptime(path.name[len("spoorboek-") : -len(SUFFIX)], "%Y%m%d-%H%M%S")

    keep, days, weeks = set(), [], []
    for path in found:
        day, week = made(path).date(), made(path).isocalendar()[:2]
        if day not in days and len(days) < keep_daily:
            days.append(day)
            keep.add(path)
        if week not in weeks and len(weeks) < keep_weekly:
            weeks.append(week)
            keep.add(path)
    removed = [p for p in found if p not in keep]
    for path in removed:
        path.unlink()
        path.with_name(path.name + SIGNATURE).unlink(missing_ok=True)
    return removed
