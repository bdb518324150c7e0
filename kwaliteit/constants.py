from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyParty(models.TextChoices):
    """Who is asked: the mark wants clients (employees) and commissioning parties (employers)."""

    EMPLOYEE = "employee", _("Employees")
    EMPLOYER = "employer", _("Employers")


#: The three ratings every survey asks, 1 (very poor) to 10 (excellent), in this order.
QUESTIONS = ("guidance", "communication", "result")

#: The small-number rule: no figure made up of fewer survey responses than this is shown,
#: nor a comment of a group that small (``kwaliteit.outcomes.suppress``).
MIN_RESPONSES = 5

#: One reminder, this many days after the invitation, while the link still works.
REMINDER_AFTER_DAYS = 7

COMMENT_MAX_LENGTH = 2000
