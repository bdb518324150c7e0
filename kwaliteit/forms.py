"""The survey form: it only parses; ``services.survey_answer`` checks and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import COMMENT_MAX_LENGTH

MARKS = [(n, str(n)) for n in range(1, 11)]
SCALE = _("1 = very dissatisfied, 10 = very satisfied")


def _mark(label):
    return forms.TypedChoiceField(
        label=label,
        choices=MARKS,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "rating"}),
        help_text=SCALE,
        error_messages={
            "required": _("Choose a mark from 1 to 10."),
            "invalid_choice": _("Choose a mark from 1 to 10."),
        },
    )


class SurveyForm(forms.Form):
    guidance = _mark(_("How satisfied are you with the guidance you received?"))
    communication = _mark(
        _("How satisfied are you with the communication: being reachable, keeping you informed?")
    )
    result = _mark(_("How satisfied are you with the result of the trajectory?"))
    comment = forms.CharField(
        label=_("Is there anything you would like to tell us? (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX_LENGTH}),
    )
