"""A file handed over comes back as it was: export, import into an empty agency, export again,
and every row and every PDF is the same (issue 43, item 4)."""

import hashlib
import io
import json
import zipfile

import pytest
from django.utils import timezone

from overdracht import export, services
from overdracht import format as fmt
from portal.models import Employer, LegalEntity
from rapportages.models import Report
from tests.factories import AgencyFactory, UserFactory
from trajecten.models import Trajectory

from .files import rich_file


def archive_of(actor, trajectories) -> bytes:
    queryset = Trajectory.objects.visible_to(actor).filter(pk__in=[t.pk for t in trajectories])
    return export.to_bytes(export.trajectories_for(queryset), source=str(actor.agency))


def members(data: bytes) -> dict:
    """Every member of an archive: JSON parsed, PDFs as their SHA-256; the manifest's moment
    and source (which differ by design) left out."""
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            content = archive.read(name)
            if name.endswith(".json"):
                out[name] = json.loads(content)
            else:
                out[name] = hashlib.sha256(content).hexdigest()
    for key in ("created_at", "source"):
        out[fmt.MANIFEST].pop(key)
    return out


def import_all(actor, data: bytes, *, dry_run=False, assign_to=None):
    return services.archive_import(
        actor=actor, archive=fmt.Archive(io.BytesIO(data)), dry_run=dry_run, assign_to=assign_to
    )


@pytest.fixture
def empty_agency(db):
    agency = AgencyFactory(name="Nieuw Bureau")
    return agency, UserFactory(agency=agency, admin=True, email="admin@nieuw.example")


def test_an_export_imported_into_an_empty_agency_reproduces_every_row_and_pdf(
    cast, empty_agency, django_capture_on_commit_callbacks
):
    source = rich_file(cast.traj_x1, cast.specialist_a, second=cast.specialist_a2)
    first = archive_of(cast.admin_a, [source])
    agency, admin = empty_agency
    # The specialists moved along: the same people (one login each) now work at the new agency.
    for user in (cast.specialist_a, cast.specialist_a2):
        user.agency = agency
        user.save(update_fields=["agency"])

    with django_capture_on_commit_callbacks(execute=True):
        [outcome] = import_all(admin, first)
    assert outcome.outcome == "created", outcome.errors
    assert outcome.new == ["employer", "bv", "employee"]
    copy = Trajectory.objects.get(agency=agency)
    second = archive_of(admin, [copy])

    assert members(second) == members(first)
    # And the rows themselves, field by field, beyond what the format names.
    assert _rows(copy) == _rows(source)
    report = copy.reports.get(version=2)
    assert report.signed_elsewhere_by == "Cast Specialist A"
    assert report.pdf.read() == source.reports.get(version=2).pdf.read()
    assert report.supersedes == copy.reports.get(kind="progress", number=1, version=1)
    # The schedule counts the imported reports: no second draft of them was made.
    assert not copy.reports.filter(kind="progress", number=1, status="draft").exists()
    assert Employer.objects.get(agency=agency).name == "Employer X"
    assert LegalEntity.objects.get(agency=agency).kvk_number == cast.x1.kvk_number


def _rows(trajectory) -> dict:
    """The file's rows without what is the database's own (ids, UUIDs, moments of saving)."""
    own = {"id", "uuid", "agency", "trajectory", "created_at", "updated_at", "employee",
           "legal_entity", "sickness_case", "phase", "product", "external_ref", "pdf",
           "activity", "profile", "case", "supersedes", "signed_by", "signed_elsewhere_by",
           "recorded_by", "changed_by", "author", "set_by", "snapshot", "finalized_at",
           "review_snapshot", "review_sha256", "idempotency_key", "user",
           "withdrawn_by"}  # fmt: skip

    def plain(obj):
        return {
            f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in own
        }

    t = trajectory
    return {
        "trajectory": plain(t),
        "employee": {k: v for k, v in plain(t.employee).items() if k != "external_id"},
        "case": plain(t.sickness_case),
        "extensions": [plain(e) for e in t.sickness_case.extensions.order_by("decided_on")],
        "members": sorted((m.user.email, m.role) for m in t.memberships.all()),
        "phases": [(p.phase.name, p.started_on) for p in t.phasechanges.order_by("started_on")],
        **{
            name: [plain(r) for r in getattr(t, related).order_by("pk")]
            for name, related in (
                ("renewals", "renewals"),
                ("conversations", "conversationreports"),
                ("appointments", "appointments"),
                ("assignments", "assignments"),
                ("trainings", "trainings"),
                ("temp", "tempagencyregistrations"),
                ("profiles", "searchprofiles"),
                ("applications", "applicationactivitys"),
            )
        },
        "functions": [
            plain(f) for p in t.searchprofiles.order_by("version") for f in p.functions.all()
        ],
        "changes": [
            plain(c) for a in t.applicationactivitys.order_by("pk") for c in a.status_changes.all()
        ],
        "riv": [plain(e) for e in t.rivexceptions.all()],
        "singles": [
            plain(getattr(t, name))
            for name in ("person_profile", "work_capacity", "application_norm", "placement")
        ],
        "reports": [
            (
                r.kind,
                r.number,
                r.version,
                r.status,
                r.period_start,
                r.period_end,
                r.due_date,
                r.pdf_sha256,
                timezone.localdate(r.signed_at),
            )
            for r in t.reports.filter(status__in=["final", "superseded"]).order_by(
                "kind", "number", "version"
            )
        ],
    }


def test_importing_the_same_archive_twice_changes_nothing(cast, empty_agency):
    rich_file(cast.traj_x1, cast.specialist_a)
    data = archive_of(cast.admin_a, [cast.traj_x1])
    agency, admin = empty_agency
    specialist = UserFactory(agency=agency, specialist=True)

    [first] = import_all(admin, data, assign_to=specialist)
    counts = _counts(agency)
    [again] = import_all(admin, data, assign_to=specialist)

    assert (first.outcome, again.outcome) == ("created", "present")
    assert _counts(agency) == counts


def _counts(agency) -> dict:
    from django.apps import apps

    return {
        model.__name__: model.objects.filter(agency=agency).count()
        for model in apps.get_models()
        if any(f.name == "agency" for f in model._meta.fields) and model.__name__ != "AuditEvent"
    }


def test_the_dry_run_finds_what_the_import_would_and_writes_nothing(cast, empty_agency):
    rich_file(cast.traj_x1, cast.specialist_a)
    data = archive_of(cast.admin_a, [cast.traj_x1, cast.traj_x2])
    agency, admin = empty_agency
    specialist = UserFactory(agency=agency, specialist=True)
    before = _counts(agency)

    checked = import_all(admin, data, dry_run=True, assign_to=specialist)

    assert [o.outcome for o in checked] == ["created", "created"]
    assert _counts(agency) == before
    imported = import_all(admin, data, assign_to=specialist)
    assert [(o.outcome, o.new, o.counts) for o in imported] == [
        (o.outcome, o.new, o.counts) for o in checked
    ]


def test_a_files_own_specialists_unknown_here_are_errors_unless_someone_is_assigned(
    cast, empty_agency
):
    rich_file(cast.traj_x1, cast.specialist_a, second=cast.specialist_a2)
    data = archive_of(cast.admin_a, [cast.traj_x1])
    agency, admin = empty_agency

    [refused] = import_all(admin, data)
    assert refused.outcome == "error"
    assert set(refused.errors) == {"members[0].email", "members[1].email"}
    assert "nodig deze persoon eerst uit" in refused.errors["members[0].email"][0]
    assert not Trajectory.objects.filter(agency=agency).exists()

    specialist = UserFactory(agency=agency, specialist=True, first_name="Nieuwe")
    [taken] = import_all(admin, data, assign_to=specialist)
    assert taken.outcome == "created"
    copy = Trajectory.objects.get(agency=agency)
    assert [(m.user, m.role) for m in copy.memberships.all()] == [(specialist, "primary")]
    assert {c.author for c in copy.conversationreports.all()} == {specialist}
    assert any("spec2@a.example" in w and "weggelaten" in w for w in taken.warnings)
    # A RIV reason names its signer in the UWV file: one signed by someone not on the staff
    # is not put in another's name, it is left for a specialist to sign again.
    assert not copy.rivexceptions.exists()
    assert any(w.startswith("riv_exceptions[0]: ondertekend door spec@a.example") for w in
               taken.warnings)  # fmt: skip


def test_natural_keys_never_match_outside_the_importing_agency(cast):
    """Agency B's admin imports agency A's file: A's BV (same KvK), employee (same personnel
    number) and specialists are not found, nothing of A changes, and nothing tells that they
    exist: B gets its own BV and employee, as for any new name."""
    rich_file(cast.traj_x1, cast.specialist_a)
    cast.traj_x1.employee.external_id = "P-1"
    cast.traj_x1.employee.save()
    data = archive_of(cast.admin_a, [cast.traj_x1])
    before = _counts(cast.agency_a)

    [refused] = import_all(cast.admin_b, data)
    assert refused.errors["members[0].email"] == [
        "Niemand van je bureau heeft dit adres: nodig deze persoon eerst uit."
    ]  # the same words as for an address that exists nowhere
    [taken] = import_all(cast.admin_b, data, assign_to=cast.specialist_b)

    assert taken.outcome == "created"
    assert taken.new == ["employer", "bv", "employee"]
    copy = Trajectory.objects.get(agency=cast.agency_b, external_ref__startswith="spoorboek:")
    assert copy.legal_entity.agency == cast.agency_b != cast.x1.agency
    assert copy.employee.pk != cast.traj_x1.employee.pk
    assert _counts(cast.agency_a) == before


def test_a_pdf_that_is_not_the_one_named_is_refused_and_nothing_of_the_file_is_kept(
    cast, empty_agency
):
    rich_file(cast.traj_x1, cast.specialist_a)
    data = archive_of(cast.admin_a, [cast.traj_x1])
    agency, admin = empty_agency
    specialist = UserFactory(agency=agency, specialist=True)
    tampered = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename.endswith("v2.pdf"):
                content = content.replace(b"1.4", b"1.5")
            dst.writestr(item, content)

    [outcome] = import_all(admin, tampered.getvalue(), assign_to=specialist)

    assert outcome.outcome == "error"
    assert list(outcome.errors) == ["reports[1].sha256"]
    assert not Trajectory.objects.filter(agency=agency).exists()
    assert not Report.objects.filter(agency=agency).exists()


def test_one_file_that_breaks_unexpectedly_does_not_stop_the_others(cast, empty_agency):
    from unittest import mock

    rich_file(cast.traj_x1, cast.specialist_a)
    data = archive_of(cast.admin_a, [cast.traj_x1, cast.traj_x2])
    agency, admin = empty_agency
    specialist = UserFactory(agency=agency, specialist=True)
    real = services.trajectory_import

    def flaky(**kwargs):
        if kwargs["data"]["key"] == f"spoorboek:{cast.traj_x1.uuid}":
            raise RuntimeError("a bug")
        return real(**kwargs)

    with mock.patch.object(services, "trajectory_import", flaky):
        first, second = import_all(admin, data, assign_to=specialist)
    assert (first.outcome, second.outcome) == ("error", "created")
    assert first.errors == {"": ["Dit traject kon niet worden opgeslagen."]}
    assert Trajectory.objects.filter(agency=agency).count() == 1


def test_phases_the_agency_does_not_have_are_left_out_with_a_warning(cast, empty_agency):
    rich_file(cast.traj_x1, cast.specialist_a)
    data = archive_of(cast.admin_a, [cast.traj_x1])
    agency, admin = empty_agency
    agency.phases.all().delete()  # an agency without these phase names
    [outcome] = import_all(admin, data, assign_to=UserFactory(agency=agency, specialist=True))
    assert outcome.outcome == "created"
    assert sum("geen fase" in w for w in outcome.warnings) == 3  # the current one, two changes
    copy = Trajectory.objects.get(agency=agency)
    assert copy.phase is None and not copy.phasechanges.exists()


def test_a_personnel_number_is_the_employers_not_the_agencys(cast):
    """Agency B has P-1 at employer Z: A's P-1 at employer X is someone else (a new employee,
    without the number, said as a warning); P-1 at Z under another name is an error."""
    rich_file(cast.traj_x1, cast.specialist_a)
    cast.traj_x1.employee.external_id = "P-1"
    cast.traj_x1.employee.save()
    cast.traj_z1.employee.external_id = "P-1"
    cast.traj_z1.employee.save()
    data = archive_of(cast.admin_a, [cast.traj_x1])

    [taken] = import_all(cast.admin_b, data, dry_run=True, assign_to=cast.specialist_b)
    assert taken.outcome == "created"
    assert "employee" in taken.new
    assert any("P-1" in w and "andere werkgever" in w for w in taken.warnings)

    def at_z(name, content):
        content["employer"] = {"name": "Employer Z", "self_insurer": False}
        content["bv"] = {"name": "Z1 BV", "kvk_number": cast.z1.kvk_number}
        return content

    from .test_pages import rewrite

    [refused] = import_all(cast.admin_b, rewrite(data, at_z), assign_to=cast.specialist_b)
    assert refused.errors == {
        "employee.personnel_number": [
            f"Je bureau heeft {cast.traj_z1.employee.full_name} al met dit personeelsnummer."
        ]
    }


def test_medical_words_in_a_text_the_employer_reads_refuse_the_file(cast, empty_agency):
    """The guard the pages run on what an employer reads: a conversation shared with the
    employer that names a diagnosis is an error; the same words in the agency's own
    conversation are not."""
    rich_file(cast.traj_x1, cast.specialist_a)
    data = archive_of(cast.admin_a, [cast.traj_x1])
    agency, admin = empty_agency
    specialist = UserFactory(agency=agency, specialist=True)

    def diagnosis(name, content):
        for conversation in content["conversations"]:
            conversation["summary"] = "Na de hernia gaat het beter."
        return content

    from .test_pages import rewrite

    [outcome] = import_all(admin, rewrite(data, diagnosis), assign_to=specialist)
    assert outcome.outcome == "error"
    conversations = json.loads(_member(data, "trajectories/00001.json"))["conversations"]
    shared = [
        i
        for i, c in enumerate(conversations)
        if c["visibility"] == "employer" and not c["contains_medical"]
    ]
    assert sorted(outcome.errors) == [f"conversations[{i}].summary" for i in shared]
    assert "“hernia”" in outcome.errors[f"conversations[{shared[0]}].summary"][0]


def _member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)
