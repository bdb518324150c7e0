"""The transfer format, version 1: one trajectory's whole file as JSON, in a ZIP with the PDFs of
its signed reports (docs/transfer.md describes it for people, with an example).

The sections below are the format: each names the model it fills and the fields it carries, and
its serializer parses one row of it strictly (an unknown field is an error, a value the model
would refuse is an error on that field, in the reader's language). The export writes exactly
these fields (``overdracht.export``), the import reads exactly these (``overdracht.services``),
so what goes out comes back in.

People are named by natural keys the receiving agency can match within what its admin may see:
staff by their email address, the employee by their personnel number, a BV by its KvK number,
phases by name and products by kind. Database ids and UUIDs never travel: they mean nothing
to the other side.
"""

import json
import zipfile
from pathlib import PurePosixPath

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.api.base import StrictSerializer, field_errors
from portal.models import Employer, LegalEntity, Product
from rapportages.constants import ReportKind
from rapportages.models import RivException
from sollicitaties.constants import RecordedBy
from sollicitaties.models import (
    ApplicationActivity,
    ApplicationNorm,
    StatusChange,
    TempAgencyRegistration,
)
from trajecten.constants import MemberRole, TrajectoryStatus
from trajecten.models import (
    Appointment,
    Assignment,
    ConversationReport,
    Employee,
    Extension,
    PersonProfile,
    PhaseChange,
    Placement,
    Renewal,
    SearchFunction,
    SearchProfile,
    SicknessCase,
    Training,
    Trajectory,
    WorkCapacity,
)

FORMAT = "spoorboek-overdracht"
VERSION = 1
MANIFEST = "manifest.json"

#: What one archive may hold: a large agency's whole book is a few thousand files. A ZIP that
#: would unpack past these is refused before anything is read (a zip bomb).
MAX_MEMBERS = 50_000
MAX_UNPACKED_BYTES = 4 * 1024**3
MAX_JSON_BYTES = 8 * 1024**2
MAX_PDF_BYTES = 25 * 1024**2


class ArchiveError(Exception):
    """The archive as a whole cannot be read: nothing in it is imported."""


# --- The sections: (key in the JSON, model, fields) ---------------------------------------------

EMPLOYEE_FIELDS = ("first_name", "last_name", "email", "phone", "date_of_birth", "bsn",
                   "guidance_language")  # fmt: skip
CASE_FIELDS = ("first_sick_day", *SicknessCase.STEP_DATES, "current_assessment_by")
TRAJECTORY_FIELDS = ("status", "referral_date", "intake_date", "start_date", "end_date",
                     "referral_basis", "referral_advice_date", "guidance_language",
                     "special_track", "contact_preferences", "closing_reason",
                     "closing_note")  # fmt: skip

#: One row per record, in a list: (key, model, fields, the user field named by email or "").
LISTS = (
    ("extensions", Extension, ("kind", "weeks", "decided_on", "note"), ""),
    ("phase_changes", PhaseChange, ("started_on",), ""),
    ("renewals", Renewal, ("period_start", "price"), ""),
    ("conversations", ConversationReport,
     ("date", "kind", "duration_minutes", "participants", "summary", "agreements",
      "next_appointment", "visibility", "contains_medical"), "author"),
    ("appointments", Appointment, ("starts_at", "ends_at", "location", "with_whom", "subject"),
     ""),
    ("assignments", Assignment,
     ("title", "description", "due_date", "status", "result", "completed_at"), ""),
    ("trainings", Training,
     ("name", "provider", "online", "start_date", "end_date", "status", "result"), ""),
    ("temp_agency_registrations", TempAgencyRegistration, ("agency_name", "date"), ""),
)  # fmt: skip

#: One record or none: (key, model, fields).
SINGLES = (
    ("person_profile", PersonProfile,
     ("education", "work_history", "competences", "motivators", "test_results", "wishes")),
    ("work_capacity", WorkCapacity,
     ("advice_date", "advice_author", "fml_reference", "possibilities", "limitations",
      "hours_per_day", "hours_per_week")),
    ("application_norm", ApplicationNorm, ("count", "weeks", "reason")),
    ("placement", Placement,
     ("new_employer", "function", "start_date", "hours_per_week", "contract_type",
      "contract_end_date", "aftercare_until")),
)  # fmt: skip

SEARCH_PROFILE_FIELDS = ("version", "valid_from", "sectors", "kinds_of_work", "region",
                         "travel_minutes", "hours_per_week", "wage_indication",
                         "agreed_with_employee", "change_note")  # fmt: skip
SEARCH_FUNCTION_FIELDS = ("title", "reason")
APPLICATION_FIELDS = ("date", "kind", "channel", "organisation", "vacancy_title", "vacancy_url",
                      "hours_per_week", "place", "contact_person", "notes", "status",
                      "recorded_by_role")  # fmt: skip
STATUS_CHANGE_FIELDS = ("status", "date")
REPORT_FIELDS = ("kind", "number", "version", "period_start", "period_end", "due_date")
RIV_EXCEPTION_FIELDS = ("rule", "subject", "reason_kind", "reason", "signed_at")


# --- Parsing: one serializer per section ------------------------------------------------------


def _history_dates(model, fields) -> dict:
    """A date the model defaults to today (a conversation's, an application's) is required in
    an import: history without its date would land on the day of the import."""
    return {
        name: {"required": True}
        for name in fields
        if name in {f.name for f in model._meta.fields}
        and isinstance(model._meta.get_field(name), models.DateField)
        and model._meta.get_field(name).has_default()
    }


def _section(model, fields, **declared):
    """A strict serializer for one row of a section: the model's own field rules."""
    meta = type(
        "Meta",
        (),
        {"model": model, "fields": list(dict.fromkeys([*fields, *declared])),
         "extra_kwargs": _history_dates(model, fields)},
    )  # fmt: skip
    return type(f"{model.__name__}In", (StrictSerializer,), {"Meta": meta, **declared})


class _Strict(serializers.Serializer):
    """A section that is not one model's row, as strict: an unknown field is an error."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unexpected = sorted(set(data) - set(self.fields))
            if unexpected:
                raise serializers.ValidationError(
                    {key: [_("This field cannot be set.")] for key in unexpected}
                )
        return super().to_internal_value(data)


def _optional_email():
    return serializers.EmailField(required=False, allow_blank=True)


class MemberIn(_Strict):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=MemberRole.choices)


class EmployerIn(_Strict):
    name = serializers.CharField(max_length=Employer._meta.get_field("name").max_length)
    self_insurer = serializers.BooleanField(default=False)


class LegalEntityIn(_Strict):
    name = serializers.CharField(max_length=LegalEntity._meta.get_field("name").max_length)
    kvk_number = serializers.RegexField(r"^\d{8}$", required=False, allow_blank=True)


EmployeeIn = _section(
    Employee,
    EMPLOYEE_FIELDS,
    personnel_number=serializers.CharField(max_length=100),
    job_title=serializers.CharField(max_length=200, required=False, allow_blank=True),
    hours_per_week=serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, allow_null=True
    ),
)


class ReportIn(_Strict):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    number = serializers.IntegerField(min_value=0, max_value=40)
    version = serializers.IntegerField(min_value=1, max_value=50)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    due_date = serializers.DateField()
    signed_on = serializers.DateField()
    signed_by = serializers.CharField(max_length=200)
    pdf = serializers.CharField(max_length=300)
    sha256 = serializers.RegexField(r"^[0-9a-f]{64}$")

    def validate(self, attrs):
        if attrs["period_end"] < attrs["period_start"]:
            raise serializers.ValidationError({"period_end": _("The end lies before the start.")})
        return attrs


SearchProfileIn = _section(
    SearchProfile,
    SEARCH_PROFILE_FIELDS,
    version=serializers.IntegerField(min_value=1, max_value=500),
    author=_optional_email(),
    functions=_section(SearchFunction, SEARCH_FUNCTION_FIELDS)(many=True, required=False),
)
ApplicationIn = _section(
    ApplicationActivity,
    APPLICATION_FIELDS,
    recorded_by_role=serializers.ChoiceField(choices=RecordedBy.choices),
    status_changes=_section(StatusChange, STATUS_CHANGE_FIELDS)(many=True, required=False),
)
RivExceptionIn = _section(
    RivException,
    RIV_EXCEPTION_FIELDS,
    signed_at=serializers.DateTimeField(),
    signed_by=_optional_email(),
)
CaseIn = _section(
    SicknessCase,
    CASE_FIELDS,
    extensions=_section(Extension, LISTS[0][2])(many=True, required=False),
)


def _trajectory_fields():
    declared = {
        "format": serializers.IntegerField(min_value=VERSION, max_value=VERSION),
        "key": serializers.RegexField(r"^[\w.\-/:]{1,100}$"),
        "employer": EmployerIn(),
        "bv": LegalEntityIn(),
        "employee": EmployeeIn(),
        "sickness_case": CaseIn(),
        "product": serializers.ChoiceField(choices=Product.Kind.choices),
        "phase": serializers.CharField(max_length=100, required=False, allow_blank=True),
        "members": MemberIn(many=True),
        "search_profiles": SearchProfileIn(many=True, required=False),
        "applications": ApplicationIn(many=True, required=False),
        "reports": ReportIn(many=True, required=False),
        "riv_exceptions": RivExceptionIn(many=True, required=False),
    }
    for key, model, fields, user_field in LISTS[1:]:
        extra = {user_field: _optional_email()} if user_field else {}
        if key == "phase_changes":
            extra = {"phase": serializers.CharField(max_length=100)}
        declared[key] = _section(model, fields, **extra)(many=True, required=False)
    for key, model, fields in SINGLES:
        declared[key] = _section(model, fields)(required=False, allow_null=True)
    return declared


_DECLARED = _trajectory_fields()
TrajectoryIn = type(
    "TrajectoryIn",
    (StrictSerializer,),
    {
        "Meta": type("Meta", (), {"model": Trajectory, "fields": [*TRAJECTORY_FIELDS, *_DECLARED]}),
        **_DECLARED,
    },
)


def parse(data) -> tuple[dict | None, dict[str, list[str]]]:
    """One trajectory's JSON, parsed: ``(values, {})`` or ``(None, {"path": [messages]})``.
    The messages are in the active language."""
    if not isinstance(data, dict):
        return None, {"": [str(_("A trajectory is a JSON object."))]}
    serializer = TrajectoryIn(data=data)
    if serializer.is_valid():
        values = dict(serializer.validated_data)
        if values["status"] == TrajectoryStatus.REFERRED:
            return None, {"status": [str(_("Import running or ended trajectories only."))]}
        return values, {}
    return None, field_errors(serializer.errors)


# --- The archive --------------------------------------------------------------------------------


class Archive:
    """A transfer ZIP, opened for reading: the manifest, then one trajectory at a time.

    Refuses what it cannot trust before reading any of it: not a ZIP, too many members or too
    large unpacked, names that climb out (``../``) or start at the root, an unknown format or
    a newer version than this Spoorboek reads."""

    def __init__(self, source):
        try:
            self.zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ArchiveError(_("This is not a ZIP file.")) from exc
        members = self.zip.infolist()
        if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise ArchiveError(_("This archive is too large to import."))
        self.names = set()
        for member in members:
            path = PurePosixPath(member.filename)
            if path.is_absolute() or ".." in path.parts or "\\" in member.filename:
                raise ArchiveError(_("This archive holds a file outside its own folder."))
            self.names.add(member.filename)
        manifest = self.json(MANIFEST, missing=_("This archive has no manifest.json."))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ArchiveError(_("This is not a Spoorboek transfer archive."))
        if manifest.get("version") != VERSION:
            raise ArchiveError(
                _("This archive has format version %(found)s; this Spoorboek reads version "
                  "%(version)s.") % {"found": manifest.get("version"), "version": VERSION}
            )  # fmt: skip
        listed = manifest.get("trajectories")
        if not isinstance(listed, list) or not all(isinstance(n, str) for n in listed):
            raise ArchiveError(_("The manifest does not list the trajectories."))
        self.manifest = manifest
        self.trajectory_files = listed

    def json(self, name: str, *, missing=None):
        """The JSON member ``name``; ``ArchiveError`` when it is absent, too large or no JSON."""
        if name not in self.names:
            raise ArchiveError(missing or _("%(name)s is missing.") % {"name": name})
        if self.zip.getinfo(name).file_size > MAX_JSON_BYTES:
            raise ArchiveError(_("%(name)s is too large.") % {"name": name})
        try:
            return json.loads(self.zip.read(name))
        except (ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
            raise ArchiveError(_("%(name)s is not valid JSON.") % {"name": name}) from exc

    def pdf(self, name: str) -> bytes | None:
        """A report's PDF as stored, or None when the archive does not hold it."""
        if name not in self.names or self.zip.getinfo(name).file_size > MAX_PDF_BYTES:
            return None
        return self.zip.read(name)
