from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import MedicalCheckForm
from portal.widgets import DATE

from .constants import START_ONLY_REASONS, Decision, ValidReason
from .models import Report


class NarrativeForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["discussed_on", "progress", "results", "obstacles", "evaluation", "next_steps",
                  "correction_note"]  # fmt: skip
        widgets = {
            "discussed_on": DATE,
            **{f: forms.Textarea(attrs={"rows": 4}) for f in fields[1:-1]},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.supersedes_id:
            del self.fields["correction_note"]
        if self.instance.review_requested_at:  # the text is out for a response: locked
            for name in list(self.fields):
                if name != "discussed_on":
                    del self.fields[name]


class EmployeeViewForm(MedicalCheckForm):
    employee_view = forms.CharField(
        label=_("Your own view on this report"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )


class SignForm(forms.Form):
    """Parses the box; ``services.report_sign`` holds the rule that it is ticked."""

    confirm = forms.BooleanField(
        required=False,
        label=_(
            "I have read the preview, discussed the report with the employee, and sign it as it "
            "stands."
        ),
    )


class ResponseForm(MedicalCheckForm):
    """The employee's (or, for a plan, the employer's) response to the text they read."""

    decision = forms.ChoiceField(
        label=_("Do you agree with this report?"),
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you agree.")},
    )
    reason = forms.CharField(
        label=_("In your own words"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Needed when you do not agree: UWV reads your view next to the report."),
    )
    content_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("What must change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what must change.")},
    )


class RivExceptionForm(MedicalCheckForm):
    """Why a rule of the RIV check does not apply (``services.riv_exception_sign``)."""

    reason_kind = forms.ChoiceField(label=_("Valid reason"), choices=ValidReason.choices)
    reason = forms.CharField(
        label=_("Why the rule does not apply"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("With dates and who agreed, as UWV will read it."),
    )

    def __init__(self, *args, rule: str, **kwargs):
        super().__init__(*args, **kwargs)
        if rule != "second_track_late":
            self.fields["reason_kind"].choices = [
                c for c in ValidReason.choices if c[0] not in START_ONLY_REASONS
            ]
