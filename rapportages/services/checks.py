"""What a report needs before it is given out or signed: the text's missing parts, who must respond
and until when, the responses that count."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from trajecten.models import SearchProfile

from .. import content
from ..constants import (
    Party,
    ReportKind,
)
from ..models import Report, ReportResponse

NARRATIVE_FIELDS = ("progress", "results", "obstacles", "evaluation", "next_steps")


REQUIRED_TO_SIGN = {
    ReportKind.TRAJECTORY_PLAN: ("evaluation", "next_steps"),
    ReportKind.PROGRESS: ("progress", "evaluation", "next_steps"),
    ReportKind.FINAL: ("results", "evaluation", "next_steps"),
    ReportKind.FEASIBILITY_ADVICE: ("evaluation", "next_steps"),
}


def text_problems(report: Report, *, for_signing: bool = True) -> ValidationError | None:
    """What is missing from the text, field by field (``None`` when nothing is): UWV reads
    every block, so it must be there before the report goes out for a response or is signed.
    The day it was discussed with the employee is needed for signing only."""
    problems: dict[str, list] = {}
    required = REQUIRED_TO_SIGN.get(report.kind, ("evaluation", "next_steps"))
    for name in (*required, *(("correction_note",) if report.supersedes_id else ())):
        if not getattr(report, name).strip():
            problems[name] = [_("Write this part before signing.")]
    if for_signing and report.discussed_on is None:
        problems["discussed_on"] = [
            _("Fill in when you discussed the report with the employee before signing.")
        ]
    if report.kind in (ReportKind.TRAJECTORY_PLAN, ReportKind.PROGRESS):
        t = report.trajectory
        general = []
        if not SearchProfile.objects.filter(
            trajectory=t, valid_from__lte=report.period_end
        ).exists():
            general.append(
                _("Record the search profile (agreed before the end of the period) first.")
            )
        if not (t.referral_basis and t.referral_advice_date):
            general.append(
                _("Record who advised the referral and when (trajectory details) first.")
            )
        if general:
            problems["__all__"] = general
    return ValidationError(problems) if problems else None


def respondents(report: Report) -> list[str]:
    """Who responds before the specialist signs: the employee, and for the plan the employer
    as the commissioning party (domain.md §5, Signing)."""
    if report.kind == ReportKind.TRAJECTORY_PLAN:
        return [Party.EMPLOYEE, Party.EMPLOYER]
    return [Party.EMPLOYEE]


def window_ends_late(report: Report, *, today) -> bool:
    """Offered today with the agency's days to respond, the window would end after the due
    date: the report would be late unless everyone responds sooner."""
    return today + timedelta(days=report.agency.response_days) > report.due_date


def response_deadline(report: Report):
    """Until when the specialist waits for the responses (the agency's number of days)."""
    if not report.review_requested_at:
        return None
    return report.review_requested_at + timedelta(days=report.days_to_respond)


def current_responses(report: Report) -> dict[str, ReportResponse]:
    """The responses to the text that is out now, by party."""
    if not report.review_sha256:
        return {}
    return {
        r.party: r
        for r in report.responses.filter(content_sha256=report.review_sha256).select_related("user")
    }


def response_problems(report: Report, *, now=None) -> list[str]:
    """What the specialist still waits for before signing."""
    if not report.review_requested_at:
        return [_("Give the report to the employee to read and respond first.")]
    now = now or timezone.now()
    deadline = response_deadline(report)
    answered = current_responses(report)
    waiting = [party for party in respondents(report) if party not in answered]
    if waiting and now < deadline:
        day = date_format(timezone.localtime(deadline), "DATE_FORMAT")
        return [
            _("Waiting for the response of the employee until %(day)s.") % {"day": day}
            if party == Party.EMPLOYEE
            else _("Waiting for the employer to sign the plan until %(day)s.") % {"day": day}
            for party in waiting
        ]
    return []


def sign_problems(report: Report) -> ValidationError | None:
    """Everything that stops a report from being signed: the text (at its fields) and the
    responses (general)."""
    text = text_problems(report)
    waiting = response_problems(report)
    if not waiting:
        return text
    problems = dict(text.error_dict) if text else {}
    problems["__all__"] = [*problems.get("__all__", []), *waiting]
    return ValidationError(problems)


def review_content(report: Report, *, day: date) -> dict:
    """The text a report goes out with: the blocks from the file as of ``day`` and the
    narrative. This is what the employee (and the employer) read, hash and respond to."""
    return {
        **content.build(report, today=day),
        "narrative": {
            "progress": report.progress,
            "results": report.results,
            "obstacles": report.obstacles,
            "evaluation": report.evaluation,
            "next_steps": report.next_steps,
            "correction_note": report.correction_note,
        },
    }
