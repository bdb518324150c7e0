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
