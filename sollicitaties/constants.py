from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    """After UWV's practice for unemployment benefit: the first six count toward the norm."""

    WRITTEN_APPLICATION = "written_application", _("Written or online application")
    OPEN_APPLICATION = "open_application", _("Open application")
    PHONE_APPLICATION = "phone_application", _("Telephone application")
    AGENCY_REGISTRATION = (
        "agency_registration",
        _("New registration with an employment or secondment agency"),
    )
    JOB_INTERVIEW = "job_interview", _("Job interview on invitation")
    ASSESSMENT = "assessment", _("Pre-employment assessment")
    READING_VACANCIES = "reading_vacancies", _("Reading vacancies")
    CV_ONLINE = "cv_online", _("Posting a CV online")
    JOB_FAIR = "job_fair", _("Job fair")
    WORKSHOP = "workshop", _("Workshop")
    COMPETENCE_TEST = "competence_test", _("Competence test")


COUNTING_KINDS = frozenset(
    {
        ActivityKind.WRITTEN_APPLICATION,
        ActivityKind.OPEN_APPLICATION,
        ActivityKind.PHONE_APPLICATION,
        ActivityKind.AGENCY_REGISTRATION,
        ActivityKind.JOB_INTERVIEW,
        ActivityKind.ASSESSMENT,
    }
)


#: Kinds that are applications to an employer and so have a status (sent, invited, ...).
STATUS_KINDS = frozenset(
    {
        ActivityKind.WRITTEN_APPLICATION,
        ActivityKind.OPEN_APPLICATION,
        ActivityKind.PHONE_APPLICATION,
        ActivityKind.JOB_INTERVIEW,
        ActivityKind.ASSESSMENT,
    }
)


class Channel(models.TextChoices):
    VACANCY_SITE = "vacancy_site", _("Vacancy site")
    OPEN_APPLICATION = "open_application", _("Open application")
    NETWORK = "network", _("Network / LinkedIn")
    TEMP_AGENCY = "temp_agency", _("Temp agency")
    JOB_HUNTER = "job_hunter", _("Agency job hunter")
    WORK_EXPERIENCE = "work_experience", _("Work-experience place")


class ApplicationStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    INVITED = "invited", _("Invited")
    SECOND_INTERVIEW = "second_interview", _("Second interview")
    OFFER = "offer", _("Offer")
    HIRED = "hired", _("Hired")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NO_RESPONSE = "no_response", _("No response")


#: The statuses offered as one-tap next steps after each status.
NEXT_STATUSES = {
    ApplicationStatus.SENT: [ApplicationStatus.INVITED, ApplicationStatus.REJECTED,
                             ApplicationStatus.NO_RESPONSE, ApplicationStatus.WITHDRAWN],
    ApplicationStatus.INVITED: [ApplicationStatus.SECOND_INTERVIEW, ApplicationStatus.OFFER,
                                ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN],
    ApplicationStatus.SECOND_INTERVIEW: [ApplicationStatus.OFFER, ApplicationStatus.REJECTED,
                                         ApplicationStatus.WITHDRAWN],
    ApplicationStatus.OFFER: [ApplicationStatus.HIRED, ApplicationStatus.WITHDRAWN,
                              ApplicationStatus.REJECTED],
    ApplicationStatus.NO_RESPONSE: [ApplicationStatus.INVITED, ApplicationStatus.REJECTED],
}  # fmt: skip


class RecordedBy(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    SPECIALIST = "specialist", _("Specialist")


#: The four-phase plan asks for registration with at least this many temp agencies.
REQUIRED_TEMP_AGENCIES = 2
