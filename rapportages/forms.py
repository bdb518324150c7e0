from django import forms
from django.utils.translation import gettext_lazy as _

from portal.widgets import DATE

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


class EmployeeViewForm(forms.Form):
    employee_view = forms.CharField(
        label=_("Your own view on this report"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )


class SignForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I have read the preview, discussed the report with the employee, and sign it as it "
            "stands."
        ),
        error_messages={"required": _("Confirm that you read the preview before signing.")},
    )
