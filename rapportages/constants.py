from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    TRAJECTORY_PLAN = "trajectory_plan", _("Re-integration plan")
    PROGRESS = "progress", _("Progress report")
    FINAL = "final", _("Final report and evaluation")
    FEASIBILITY_ADVICE = "feasibility_advice", _("Feasibility advice")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVAL = "approval", _("Signed, awaiting approval")
    SIGNED = "signed", _("Signed, PDF pending")
    FINAL = "final", _("Final")
    SUPERSEDED = "superseded", _("Superseded by a correction")


#: Statuses whose content is frozen: signed by the specialist, no longer a draft.
FROZEN = frozenset(
    {ReportStatus.APPROVAL, ReportStatus.SIGNED, ReportStatus.FINAL, ReportStatus.SUPERSEDED}
)
PUBLISHED = frozenset({ReportStatus.FINAL, ReportStatus.SUPERSEDED})

#: Drafts appear this many days before their due date, so there is time to write them.
DRAFT_LEAD_DAYS = 14
#: Reminder to the specialist this many days before the due date.
REMINDER_DAYS = 7


class Party(models.TextChoices):
    """Who responds to a report besides the specialist who signs it."""

    EMPLOYEE = "employee", _("Employee")
    EMPLOYER = "employer", _("Employer")


class Decision(models.TextChoices):
    AGREE = "agree", _("I agree")
    DISAGREE = "disagree", _("I do not agree")


class BundleStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being generated")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ValidReason(models.TextChoices):
    """Why a rule of the RIV check does not apply, as the specialist signs it off
    (``rapportages.riv_check``). The first two are the reasons UWV accepts for a 2e spoor that
    did not start in time (Werkwijzer Poortwachter); "another reason" applies to any rule."""

    RETURN_OWN_EMPLOYER = (
        "return_own_employer",
        _("Concrete return to the own employer within 3 months"),
    )
    AOW_WITHIN_YEAR = "aow_within_year", _("AOW age within a year")
    OTHER = "other", _("Another reason")


#: The reasons that only the late start of the 2e spoor accepts.
START_ONLY_REASONS = frozenset({ValidReason.RETURN_OWN_EMPLOYER, ValidReason.AOW_WITHIN_YEAR})
