import re
import uuid

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import MedicalCheckForm
from portal.uploads import CheckedFileField
from portal.validators import date_not_in_future
from portal.widgets import DATE

from .constants import ApplicationStatus
from .models import ApplicationActivity, ApplicationNorm, TempAgencyRegistration, Vacancy

EVIDENCE_WIDGET = forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf,.docx"})


class ActivityForm(forms.ModelForm):
    """Few taps on a phone: today and the last used kind are filled in; evidence can come
    straight from the camera. The rules (no future date; the same vacancy twice on one day
    only when confirmed) are the service's: ``services.activity_create``.

    The page shows the four things that matter first (``ESSENTIALS``: kind, date,
    organisation, vacancy) and the rest behind "More details". The vacancy field takes a
    title or a pasted link: a link goes to ``vacancy_url`` when that is empty."""

    ESSENTIALS = ("kind", "date", "organisation", "vacancy_title")

    evidence = CheckedFileField(
        label=_("Evidence (letter, confirmation email, screenshot)"),
        required=False,
        widget=EVIDENCE_WIDGET,
        help_text=_("PDF, DOCX, PNG or JPEG."),
    )
    vacancy_url = forms.URLField(
        label=_("Link to the vacancy"),
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"inputmode": "url"}),
    )
    confirm_duplicate = forms.BooleanField(
        label=_("Save anyway: this is a different application"), required=False
    )
    # New for every form shown; sent again with a retry or from the offline outbox.
    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = ApplicationActivity
        fields = [
            "kind",
            "date",
            "organisation",
            "vacancy_title",
            "vacancy_url",
            "channel",
            "status",
            "place",
            "hours_per_week",
            "contact_person",
            "notes",
        ]
        widgets = {
            "date": DATE,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, last_kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].validators.append(date_not_in_future)  # shown with the rest
        if self.instance.pk is None:
            self.initial["kind"] = self.initial.get("kind") or last_kind or "written_application"
            self.initial["date"] = self.initial.get("date") or timezone.localdate()
            self.initial["status"] = "sent"
            self.initial["idempotency_key"] = uuid.uuid4()
        else:
            del self.fields["evidence"]
            del self.fields["idempotency_key"]
        self.show_confirm = False
        title = self.fields["vacancy_title"]
        title.label = _("Vacancy (title or link)")
        # A pasted link may be longer than a title; the title's own limit is the model's.
        title.max_length, title.widget.attrs["maxlength"] = 500, "500"
        title.validators = [v for v in title.validators if not hasattr(v, "limit_value")]
        if "evidence" in self.fields:  # checked on the phone before sending, again on the server
            self.fields["evidence"].widget.attrs.update({
                "data-max-bytes": settings.UPLOAD_MAX_BYTES,
                "data-too-large": _(
                    "This file is larger than %(max)s. Choose a smaller file or a photo with "
                    "a lower resolution."
                ) % {"max": filesizeformat(settings.UPLOAD_MAX_BYTES)},
            })  # fmt: skip

    def essentials(self):
        return [self[name] for name in self.ESSENTIALS]

    def details(self):
        return [
            self[name]
            for name in self.fields
            if name not in self.ESSENTIALS
            and name != "confirm_duplicate"
            and not self[name].is_hidden
        ]

    def details_have_errors(self) -> bool:
        return any(field.errors for field in self.details())

    def clean(self):
        data = super().clean()
        title = (data.get("vacancy_title") or "").strip()
        if LINK.match(title) and not data.get("vacancy_url"):
            try:
                data["vacancy_url"] = self.fields["vacancy_url"].clean(title)
            except forms.ValidationError as exc:
                self.add_error("vacancy_title", exc)
            else:
                data["vacancy_title"] = ""
        return data


#: A pasted link in the vacancy field.
LINK = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ApplicationStatus.choices)


class EvidenceForm(forms.Form):
    file = CheckedFileField(label=_("Evidence"), widget=EVIDENCE_WIDGET)


class TempAgencyForm(forms.ModelForm):
    class Meta:
        model = TempAgencyRegistration
        fields = ["agency_name", "date"]
        widgets = {"date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].validators.append(date_not_in_future)


class NormForm(MedicalCheckForm, forms.ModelForm):
    class Meta:
        model = ApplicationNorm
        fields = ["count", "weeks", "reason"]


class VacancyForm(forms.ModelForm):
    url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Vacancy
        fields = [
            "title",
            "organisation",
            "place",
            "hours_per_week",
            "url",
            "closing_date",
            "function_category",
        ]
        widgets = {"closing_date": DATE}


MAX_IMPORT_BYTES = 5 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: title, organisation, place, hours, url, closing_date, function_category "
            "(Dutch names work too). Comma or semicolon; UTF-8 or Windows-1252."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file may be at most 5 MB."))
        return upload.read()
