"""Writing a report, signing it (with the preview confirmed), the second pair of eyes, corrections
and the employee's view."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import access, medical, writes
from portal.constants import AuditAction
from portal.models import User

from .. import content, inbox, narrative, pdf
from ..constants import (
    Decision,
    ReportKind,
    ReportStatus,
)
from ..models import Report, ReportResponse
from .checks import (
    NARRATIVE_FIELDS,
    current_responses,
    respondents,
    response_deadline,
    review_content,
    sign_problems,
)
from .notices import _notify_approvers
from .rendering import _queue_render


@transaction.atomic
def report_save(*, actor: User, report: Report, **fields) -> Report:
    """The specialist's part of a draft: the narrative (progress, results, obstacles,
    evaluation, next steps; for a correction what it corrects) and ``discussed_on``, the day it
    was discussed with the employee. Only the fields given change (an API PATCH sends one). A
    signed report never changes."""
    writes.allowed(access.can_write_reports(actor, report.trajectory))
    report = writes.fresh(report, actor, lock=True)
    if report.is_frozen:
        raise ValidationError(_("A signed report cannot be changed: make a correction."))
    allowed = {
        *NARRATIVE_FIELDS,
        "discussed_on",
        *(("correction_note",) if report.supersedes_id else ()),
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in unknown})
    if report.review_requested_at and any(
        (fields[name] or "").strip() != getattr(report, name)
        for name in fields
        if name != "discussed_on"
    ):
        raise ValidationError(
            _(
                "The report is out for a response: take it back first to change the text "
                "(the response is then asked again)."
            )
        )
    discussed_on = fields.get("discussed_on")
    if discussed_on and discussed_on > timezone.localdate():
        writes.refuse("discussed_on", _("The date cannot lie in the future."))
    if (
        discussed_on
        and report.kind in (ReportKind.PROGRESS, ReportKind.FINAL)
        and discussed_on < report.period_start
    ):
        writes.refuse("discussed_on", _("The date lies before the period of the report."))
    changes = {
        name: value if name == "discussed_on" else (value or "").strip()
        for name, value in fields.items()
    }
    changed = writes.apply(report, changes)
    writes.saved(report, actor=actor, changed=changed, creating=False)
    return report


def snapshot_for(report: Report, *, signer: User, day: date) -> dict:
    """Everything the PDF shows, as it will be frozen when ``signer`` signs on ``day``: the
    preview is rendered from exactly this, so what the specialist reads is what is signed.
    Once the report went out for a response, its content is the text the respondents read
    (figures as of that day), with their responses; before, it is built afresh."""
    base = report.review_snapshot or review_content(report, day=day)
    answered = current_responses(report)
    deadline = response_deadline(report)
    return {
        **base,
        "narrative": {**base["narrative"], "discussed_on": content.day_label(report.discussed_on)},
        "review": {
            "sha256": report.review_sha256,
            "date": content.day_label(timezone.localdate(report.review_requested_at))
            if report.review_requested_at
            else "",
            "days": report.days_to_respond,
            "deadline": content.day_label(timezone.localdate(deadline)) if deadline else "",
        },
        "responses": [
            _response_dict(answered[party], party)
            if party in answered
            else {"party": party, "missing": True}
            for party in respondents(report)
        ],
        "employee_view": {
            "text": report.employee_view,
            "date": content.day_label(report.employee_view_at.date())
            if report.employee_view_at
            else "",
        },
        "signature": {
            "name": signer.get_full_name(),
            "role": content.SPECIALIST_ROLE,
            "agency": report.trajectory.agency.name,
            "date": content.day_label(day),
        },
    }


def _response_dict(response: ReportResponse, party: str) -> dict:
    with translation.override("nl"):
        return {
            "party": party,
            "name": response.user.get_full_name(),
            "decision": response.decision,
            "decision_label": "Akkoord" if response.decision == Decision.AGREE else "Niet akkoord",
            "reason": response.reason,
            "at": content.day_label(timezone.localdate(response.created_at))
            + timezone.localtime(response.created_at).strftime(", %H:%M"),
            "authenticated_by": response.authenticated_by,
            "sha256": response.content_sha256,
        }


def report_preview(*, actor: User, report: Report) -> bytes:
    """The PDF as it would be if the actor signed now; nothing is stored."""
    writes.allowed(access.can_write_reports(actor, report.trajectory))
    snapshot = snapshot_for(report, signer=actor, day=timezone.localdate())
    _html, data = pdf.render_to_pdf(
        "rapportages/pdf/report.html",
        {"report": report, "s": snapshot, "logo": pdf.logo_data_uri(report.agency),
         "preview": True},
    )  # fmt: skip
    return data


def report_starting_text(*, actor: User, report: Report) -> str:
    """A first "voortgang" from the period's own figures as of today (``narrative``), for a
    writer of the report's draft; nothing is stored."""
    writes.allowed(access.can_write_reports(actor, report.trajectory) and not report.is_frozen)
    return narrative.starting_text(content.build(report, today=timezone.localdate()))


@transaction.atomic
def report_sign(*, actor: User, report: Report, confirmed: bool) -> Report:
    """Freeze the content as the snapshot and queue the PDF. Only a complete draft can be
    signed (``sign_problems``), by one of the trajectory's specialists, who ``confirmed``
    they read the preview of exactly this PDF (the page's box, the API's ``confirm``)."""
    writes.allowed(access.can_write_reports(actor, report.trajectory))
    if not confirmed:
        writes.refuse("confirm", _("Confirm that you read the preview before signing."))
    locked = writes.fresh(report, actor, lock=True)
    if locked.status != ReportStatus.DRAFT:
        raise ValidationError(_("This report has already been signed."))
    if problems := sign_problems(locked):
        raise problems
    locked.snapshot = snapshot_for(locked, signer=actor, day=timezone.localdate())
    locked.signed_by = actor
    locked.signed_at = timezone.now()
    if locked.agency.four_eyes:
        locked.status = ReportStatus.APPROVAL
        locked.save()
        writes.record(AuditAction.UPDATE, locked, actor=actor, details={"signed": True})
        _notify_approvers(locked)  # in-app notices are rows of this same write
        return locked
    locked.status = ReportStatus.SIGNED
    locked.save()
    writes.record(AuditAction.UPDATE, locked, actor=actor, details={"signed": True})
    _queue_render(locked)
    return locked


@transaction.atomic
def report_approve(*, actor: User, report: Report) -> Report:
    """The second pair of eyes: another specialist of the trajectory or an agency admin, never
    the one who signed. The approval is printed with the signature; the PDF follows."""
    writes.allowed(access.can_approve_report(actor, report))
    locked = writes.fresh(report, actor, lock=True)
    if locked.status != ReportStatus.APPROVAL:
        raise ValidationError(_("This report is not waiting for approval."))
    if locked.signed_by_id == actor.pk:
        raise ValidationError(_("Someone other than the signer approves the report."))
    locked.approved_by, locked.approved_at = actor, timezone.now()
    locked.snapshot = {
        **locked.snapshot,
        "approval": {"name": actor.get_full_name(),
                     "date": content.day_label(timezone.localdate())},
    }  # fmt: skip
    locked.status = ReportStatus.SIGNED
    locked.save()
    writes.record(AuditAction.UPDATE, locked, actor=actor, details={"approved": True})
    _queue_render(locked)
    return locked


@transaction.atomic
def report_reject(*, actor: User, report: Report, reason: str) -> Report:
    """Send a signed report back to its writer with the reason; it is a draft again (the
    responses to its text still count while the text stays the same)."""
    writes.allowed(access.can_approve_report(actor, report))
    reason = (reason or "").strip()
    if not reason:
        writes.refuse("reason", _("Say what must change."))
    locked = writes.fresh(report, actor, lock=True)
    if locked.status != ReportStatus.APPROVAL:
        raise ValidationError(_("This report is not waiting for approval."))
    if locked.signed_by_id == actor.pk:
        raise ValidationError(_("Someone other than the signer approves the report."))
    signer = locked.signed_by
    locked.status, locked.snapshot, locked.signed_by, locked.signed_at = (
        ReportStatus.DRAFT, {}, None, None,
    )  # fmt: skip
    locked.save()
    writes.record(AuditAction.UPDATE, locked, actor=actor, details={"rejected": reason})
    url = reverse("rapportages:detail", args=[locked.uuid])
    inbox.send(report=locked, user=signer, message="sent_back", url=url, reason=reason[:200])
    return locked


@transaction.atomic
def report_correct(*, actor: User, report: Report) -> Report:
    """A correction of a final report: a new draft version with the same narrative; the final
    one stays until the correction is final, then it is marked superseded."""
    writes.allowed(access.can_write_reports(actor, report.trajectory))
    report = writes.fresh(report, actor, lock=True)
    if report.status != ReportStatus.FINAL:
        raise ValidationError(_("Only a final report can be corrected."))
    if Report.objects.filter(supersedes=report).exists():
        raise ValidationError(_("A correction of this report already exists."))
    latest = (
        Report.objects.filter(trajectory=report.trajectory, kind=report.kind, number=report.number)
        .order_by("-version")
        .first()
    )
    correction = Report.objects.create(
        trajectory=report.trajectory,
        agency_id=report.agency_id,
        kind=report.kind,
        number=report.number,
        version=latest.version + 1,
        supersedes=report,
        period_start=report.period_start,
        period_end=report.period_end,
        due_date=report.due_date,
        progress=report.progress,
        results=report.results,
        obstacles=report.obstacles,
        evaluation=report.evaluation,
        next_steps=report.next_steps,
        employee_view=report.employee_view,
        employee_view_at=report.employee_view_at,
    )
    writes.record(
        AuditAction.CREATE, correction, actor=actor, details={"corrects": str(report.uuid)}
    )
    return correction


@transaction.atomic
def employee_view_set(
    *, actor: User, report: Report, employee_view: str, medical_confirmed: bool = False
) -> Report:
    """The employee's later view on a final report: kept with the report (shown on its page
    and printed in the UWV file), while the PDF never changes. Before signing the employee
    responds instead (``report_respond``)."""
    writes.allowed(access.can_add_employee_view(actor, report))
    text = (employee_view or "").strip()
    if not text:
        writes.refuse("employee_view", _("Write your view first."))
    # The view is printed in the UWV file the employer downloads.
    words = medical.medical_words(text)
    medical.check(words, confirmed=medical_confirmed)
    report = writes.fresh(report, actor, lock=True)
    report.employee_view = text
    report.employee_view_at = timezone.now()
    report.save(update_fields=["employee_view", "employee_view_at", "updated_at"])
    details = {"employee_view": True, **({"medical_words_confirmed": words} if words else {})}
    writes.record(AuditAction.UPDATE, report, actor=actor, details=details)
    return report
