from django.db import models
from django.utils.translation import gettext_lazy as _


class TrajectoryStatus(models.TextChoices):
    REFERRED = "referred", _("Referred")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class MemberRole(models.TextChoices):
    PRIMARY = "primary", _("Primary specialist")
    SECOND_COACH = "second_coach", _("Second coach")
    LABOUR_EXPERT = "labour_expert", _("Arbeidsdeskundige")
    BACK_OFFICE = "back_office", _("Back office")


class ReferralBasis(models.TextChoices):
    COMPANY_DOCTOR = "company_doctor", _("Advice of the company doctor")
    LABOUR_EXPERT = "labour_expert", _("Advice of the arbeidsdeskundige")


class SpecialTrack(models.TextChoices):
    NONE = "", _("None")
    TRANSPORT = "transport", _("Transport sector")
    POLISH = "polish", _("Polish employees")


class ClosingReason(models.TextChoices):
    """Split with / without placement, as quality-mark reporting asks."""

    NEW_JOB = "new_job", _("New job at another employer")
    PLACEMENT_VIA_EXPERIENCE = (
        "placement_via_experience",
        _("Work-experience place or secondment leading to a contract"),
    )
    RETURN_OWN_EMPLOYER = "return_own_employer", _("Return to own employer / recovery")
    WIA_DECISION = "wia_decision", _("WIA decision after 104 weeks")
    EARLY_IVA = "early_iva", _("Early IVA")
    EMPLOYMENT_ENDED = "employment_ended", _("Employment ended (resignation, settlement)")
    DURATION_ENDED = "duration_ended", _("Agreed duration ended")
    NO_CAPACITY = "no_capacity", _("No usable capacity per company doctor")
    NO_COOPERATION = "no_cooperation", _("Employee does not cooperate")
    AOW_WITHIN_YEAR = "aow_within_year", _("AOW age within a year")
    OTHER = "other", _("Other")


WITH_PLACEMENT = frozenset({ClosingReason.NEW_JOB, ClosingReason.PLACEMENT_VIA_EXPERIENCE})


class ExtensionKind(models.TextChoices):
    WAGE_SANCTION = "wage_sanction", _("Loonsanctie (imposed by UWV)")
    VOLUNTARY = "voluntary", _("Voluntary extension")


class Visibility(models.TextChoices):
    """Who besides the agency sees a record. Each level includes the ones before it."""

    AGENCY = "agency", _("Agency only")
    EMPLOYEE = "employee", _("Also the employee")
    EMPLOYER = "employer", _("Also the employee and the employer")


class ConversationKind(models.TextChoices):
    INTAKE = "intake", _("Intake")
    COACHING = "coaching", _("Coaching")
    TRAINING = "training", _("Training")
    EVALUATION = "evaluation", _("Evaluation")
    THREE_WAY = "three_way", _("Three-way with employer")


class AssignmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class TrainingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    STOPPED = "stopped", _("Stopped")


class DocumentKind(models.TextChoices):
    ADVICE = "advice", _("Advice company doctor / arbeidsdeskundige")
    FML = "fml", _("Functional capacity list (FML)")
    PLAN = "plan", _("Plan van aanpak")
    CV = "cv", _("CV")
    CERTIFICATE = "certificate", _("Certificate")
    CORRESPONDENCE = "correspondence", _("Correspondence")
    OTHER = "other", _("Other")


class ContractType(models.TextChoices):
    EMPLOYMENT = "employment", _("Employment")
    SECONDMENT = "secondment", _("Secondment (detachering)")
    WORK_EXPERIENCE = "work_experience", _("Work-experience place (at least 6 months)")


class Performer(models.TextChoices):
    SPECIALIST = "specialist", _("Specialist")
    EMPLOYEE = "employee", _("Employee")
    EMPLOYER = "employer", _("Employer")
