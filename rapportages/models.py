"""Reports (rapportages): drafts pre-filled from the file, signed into an immutable snapshot
and PDF; corrections are new versions. Bundles collect the UWV evidence file."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.fields import BoundedTextField
from portal.models import Agency
from trajecten.models import ScopedQuerySet
from trajecten.models.base import FileRecord

from .constants import (
    FROZEN,
    BundleStatus,
    Decision,
    Party,
    ReportKind,
    ReportStatus,
    ValidReason,
)


class Report(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", editable=False)
    trajectory = models.ForeignKey(
        "trajecten.Trajectory", on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ReportKind.choices)
    number = models.PositiveSmallIntegerField(
        _("number"), default=0, help_text=_("1 for the 3-month report, 2 for 6 months, ...")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    progress = BoundedTextField(_("progress"), max_length=10000, blank=True)
    results = BoundedTextField(_("results"), max_length=10000, blank=True)
    obstacles = BoundedTextField(
        _("obstacles (non-medical)"),
        max_length=10000,
        blank=True,
        help_text=_("In functional, non-medical terms: the report goes to the employer and UWV."),
    )
    evaluation = BoundedTextField(_("evaluation"), max_length=10000, blank=True)
    next_steps = BoundedTextField(_("next steps and advice"), max_length=10000, blank=True)
    correction_note = models.CharField(_("what this version corrects"), max_length=500, blank=True)
    discussed_on = models.DateField(
        _("discussed with the employee on"),
        null=True,
        blank=True,
        help_text=_("UWV asks that the employee knows the report before it is signed."),
    )
    # The round of responses: what the employee (and for a plan the employer) was given to
    # read, frozen with its hash, so a response names exactly the text it is about.
    review_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    #: Days to respond to this report, when the specialist shortened the agency's for it (so
    #: that the window ends by the due date); empty: the agency's.
    response_days = models.SmallIntegerField(null=True, blank=True, editable=False)
    review_snapshot = models.JSONField(default=dict, blank=True, editable=False)
    review_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    employee_view = BoundedTextField(_("the employee's own view"), max_length=5000, blank=True)
    employee_view_at = models.DateTimeField(null=True, blank=True, editable=False)
    snapshot = models.JSONField(default=dict, blank=True, editable=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    #: A report signed in the system the file came from (``overdracht``): who signed it there.
    #: Its PDF is kept byte for byte; it has no snapshot, and Spoorboek never renders it again.
    signed_elsewhere_by = models.CharField(
        _("signed in an earlier system by"), max_length=200, blank=True, editable=False
    )
    pdf = models.FileField(upload_to="reports/%Y/%m/", blank=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    pdf_error = models.CharField(max_length=500, blank=True, editable=False)
    finalized_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["trajectory", "due_date", "version"]
        constraints = [
            # Never two reports for the same trajectory, kind and period: the scheduler's
            # guarantee, also when it runs twice or concurrently.
            models.UniqueConstraint(
                fields=["trajectory", "kind", "number"],
                condition=Q(version=1),
                name="report_once_per_period",
            ),
            models.UniqueConstraint(
                fields=["trajectory", "kind", "number", "version"], name="report_unique_version"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="report_status_due")]

    def __str__(self) -> str:
        """The report's one name, on every page: "Voortgangsrapportage 12 mnd" (never its
        sequence number), with the version of a correction."""
        return self.name_of(kind=self.kind, number=self.number, version=self.version)

    @staticmethod
    def name_of(*, kind: str, number: int, version: int) -> str:
        """The name ``str(report)`` gives, in the active language, from the three facts that
        make it (a notice keeps these, not the words)."""
        label = ReportKind(kind).label
        if kind == ReportKind.PROGRESS:
            months = number * 3
            label = ngettext("%(kind)s %(months)s month", "%(kind)s %(months)s months", months) % {
                "kind": label,
                "months": months,
            }
        return f"{label} v{version}" if version > 1 else str(label)

    @property
    def days_to_respond(self) -> int:
        return self.response_days or self.agency.response_days

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN

    @property
    def employee(self):
        return self.trajectory.employee


class ReportResponse(models.Model):
    """A signed response to a report: the employee's (every report) or the employer's (the
    plan), agreeing or disagreeing with a reason. Recorded with who, when, how they were
    authenticated and the hash of the text they read (art. 3:15a BW); never changed."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="responses")
    party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("response"), max_length=10, choices=Decision.choices)
    reason = BoundedTextField(_("in your own words"), max_length=5000, blank=True)
    content_sha256 = models.CharField(max_length=64)
    authenticated_by = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    # Read only through its report (``report.responses``), which the scoping layer found.

    class Meta:
        verbose_name = _("response to a report")
        verbose_name_plural = _("responses to reports")
        ordering = ["created_at"]
        constraints = [
            # One response per party to one text: a new text (a correction) asks again.
            models.UniqueConstraint(
                fields=["report", "party", "content_sha256"], name="report_response_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.get_party_display()} {self.get_decision_display()}"

    @property
    def trajectory(self):
        return self.report.trajectory


class BundleJob(models.Model):
    """One request for the UWV bundle of a trajectory, generated by a task."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", editable=False)
    trajectory = models.ForeignKey(
        "trajecten.Trajectory", on_delete=models.CASCADE, related_name="bundle_jobs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=BundleStatus.choices, default=BundleStatus.QUEUED
    )
    pdf = models.FileField(upload_to="bundles/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    # The same documents one PDF each, as UWV's upload asks.
    zip = models.FileField(upload_to="bundles/%Y/%m/", blank=True)
    zip_sha256 = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("UWV bundle")
        verbose_name_plural = _("UWV bundles")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.trajectory} {self.created_at:%d-%m-%Y}"

    @property
    def employee(self):
        return self.trajectory.employee


class RivException(FileRecord):
    """A rule of the RIV check that does not apply to this file, signed off by a specialist
    with the reason (``rapportages.riv_check``): the finding then shows as a stated reason,
    which is what UWV's fourth question asks for. Withdrawn, never deleted: the finding comes
    back, and the file keeps who said what and when."""

    rule = models.CharField(_("rule"), max_length=40)
    #: Which instance of the rule: a WvP step or a report ("progress-2"); "" for the file.
    subject = models.CharField(_("subject"), max_length=60, blank=True)
    reason_kind = models.CharField(
        _("valid reason"), max_length=30, choices=ValidReason.choices, default=ValidReason.OTHER
    )
    reason = BoundedTextField(_("why the rule does not apply"), max_length=2000)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    signed_at = models.DateTimeField(_("signed"), editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("RIV check exception")
        verbose_name_plural = _("RIV check exceptions")
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["trajectory", "rule", "subject"],
                condition=Q(withdrawn_at__isnull=True),
                name="riv_exception_one_standing",
            ),
        ]

    def __str__(self) -> str:
        return _("Exception to %(rule)s") % {"rule": self.rule}
