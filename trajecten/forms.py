"""Forms of the file. Choice lists come from the scoping layer or the user's own agency."""

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import access
from portal.constants import Language
from portal.forms import MedicalCheckForm
from portal.models import LegalEntity, Phase, Product, TimeCategory, User
from portal.uploads import CheckedFileField
from portal.validators import first_sick_day_not_in_future
from portal.widgets import DATE, DATETIME

from .constants import WITH_PLACEMENT, ClosingReason, MemberRole
from .models import (
    ActionTemplate,
    Appointment,
    Assignment,
    ConversationReport,
    Document,
    Employee,
    Extension,
    MedicalNote,
    PersonProfile,
    Placement,
    SearchFunction,
    SearchProfile,
    SicknessCase,
    TimeEntry,
    Training,
    Trajectory,
    WorkCapacity,
)


def _dates(*names):
    return dict.fromkeys(names, DATE)


class NewTrajectoryForm(forms.Form):
    """A referral by an employer contact, or a trajectory created by agency staff."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        help_text=_(
            "The employee gets their own login at this address when the trajectory starts."
        ),
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    guidance_language = forms.ChoiceField(label=_("Guidance language"), choices=Language.choices)
    legal_entity = forms.ModelChoiceField(label=_("Employing BV"), queryset=None)
    first_sick_day = forms.DateField(
        label=_("First day of sickness"), widget=DATE, validators=[first_sick_day_not_in_future]
    )
    product = forms.ModelChoiceField(label=_("Product"), queryset=None)
    referral_basis = forms.ChoiceField(
        label=_("Referral basis"),
        choices=[("", "---------"), *Trajectory._meta.get_field("referral_basis").choices],
        required=False,
    )
    referral_advice_date = forms.DateField(
        label=_("Date of the advice"), required=False, widget=DATE
    )
    special_track = forms.ChoiceField(
        label=_("Special track"),
        choices=Trajectory._meta.get_field("special_track").choices,
        required=False,
    )
    contact_preferences = forms.CharField(
        label=_("Contact preferences"), max_length=300, required=False
    )
    advice = CheckedFileField(
        label=_("Advice of the company doctor or arbeidsdeskundige"),
        required=False,
        help_text=_("PDF, DOCX, PNG or JPEG."),
    )
    specialist = forms.ModelChoiceField(
        label=_("Primary specialist"), queryset=None, required=False
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["legal_entity"].queryset = (
            LegalEntity.objects.visible_to(user)
            .select_related("employer")
            .order_by("employer__name", "name")
        )
        self.fields["legal_entity"].label_from_instance = lambda bv: f"{bv.employer} – {bv}"
        self.fields["product"].queryset = access.referable_products(user)
        if not access.chooses_specialist_on_creation(user):
            del self.fields["specialist"]
        else:
            self.fields["specialist"].queryset = access.agency_specialists(user.agency_id)
            if access.is_specialist(user):
                self.fields["specialist"].initial = user.pk


class EmployeeDetailsForm(forms.ModelForm):
    """The person on the trajectory, as the report's identification prints them."""

    job_title = forms.CharField(label=_("Job at the own employer"), max_length=200, required=False)

    class Meta:
        model = Employee
        fields = ["first_name", "last_name", "email", "phone", "date_of_birth", "external_id",
                  "bsn"]  # fmt: skip
        widgets = {"date_of_birth": DATE}

    def __init__(self, *args, trajectory, user, **kwargs):
        super().__init__(*args, instance=trajectory.employee, **kwargs)
        employment = trajectory.employee.employments.filter(
            legal_entity_id=trajectory.legal_entity_id
        ).first()
        self.initial.setdefault("job_title", employment.job_title if employment else "")
        if not trajectory.agency.record_bsn:
            del self.fields["bsn"]
        if not access.can_manage_agency(user):
            self.fields["external_id"].disabled = True
            self.fields["external_id"].help_text = _("An agency admin changes this.")


class AcceptReferralForm(forms.Form):
    specialist = forms.ModelChoiceField(label=_("Primary specialist"), queryset=None)
    start_date = forms.DateField(label=_("Start"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, trajectory: Trajectory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialist"].queryset = access.agency_specialists(trajectory.agency_id)


class StartForm(forms.Form):
    start_date = forms.DateField(label=_("Start"), widget=DATE, initial=timezone.localdate)


class TrajectorySummaryForm(forms.ModelForm):
    class Meta:
        model = Trajectory
        fields = [
            "product",
            "referral_date",
            "intake_date",
            "referral_basis",
            "referral_advice_date",
            "guidance_language",
            "special_track",
            "contact_preferences",
        ]
        widgets = _dates("referral_date", "intake_date", "referral_advice_date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(
            agency_id=self.instance.agency_id
        ).exclude(kind=Product.Kind.RENEWAL)


class SicknessCaseForm(forms.ModelForm):
    class Meta:
        model = SicknessCase
        fields = ["first_sick_day", *SicknessCase.STEP_DATES, "current_assessment_by"]
        widgets = _dates(*fields)


class ExtensionForm(forms.ModelForm):
    class Meta:
        model = Extension
        fields = ["kind", "weeks", "decided_on", "note"]
        widgets = _dates("decided_on")


class PhaseForm(forms.Form):
    phase = forms.ModelChoiceField(label=_("Phase"), queryset=None)
    on = forms.DateField(label=_("From"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, trajectory: Trajectory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = Phase.objects.filter(agency_id=trajectory.agency_id)


class CloseForm(MedicalCheckForm, forms.Form):
    closing_reason = forms.ChoiceField(label=_("Closing reason"))
    end_date = forms.DateField(label=_("End"), widget=DATE, initial=timezone.localdate)
    closing_note = forms.CharField(
        label=_("Explanation"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        with_placement = [(c.value, c.label) for c in ClosingReason if c in WITH_PLACEMENT]
        without = [(c.value, c.label) for c in ClosingReason if c not in WITH_PLACEMENT]
        self.fields["closing_reason"].choices = [
            ("", "---------"),
            (_("With placement"), with_placement),
            (_("Without placement"), without),
        ]


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Colleague"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)

    def __init__(self, *args, trajectory: Trajectory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = access.agency_staff(trajectory.agency_id)


class ActionListForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Action list"), queryset=None)

    def __init__(self, *args, trajectory: Trajectory, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ActionTemplate.objects.visible_to(user)


# --- Records ----------------------------------------------------------------------------------


class ConversationReportForm(MedicalCheckForm, forms.ModelForm):
    """Built to be filled in under a minute with the keyboard: summary first, sensible
    defaults (today, 60 minutes, agency only)."""

    class Meta:
        model = ConversationReport
        fields = [
            "summary",
            "agreements",
            "date",
            "kind",
            "duration_minutes",
            "participants",
            "next_appointment",
            "visibility",
            "contains_medical",
        ]
        widgets = {
            "date": DATE,
            "summary": forms.Textarea(attrs={"rows": 4, "autofocus": True}),
            "agreements": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # The new instance's empty values would otherwise win over a field's initial.
            self.initial["duration_minutes"] = self.initial.get("duration_minutes") or 60
            self.initial["kind"] = self.initial.get("kind") or "coaching"
        elif self.instance.contains_medical:
            # Cleared only by its own action with a reason (services.medical_flag_guard).
            field = self.fields["contains_medical"]
            field.disabled = True
            field.help_text = _(
                "If this is wrong, use 'Correct the medical flag' below and give the reason."
            )


class MedicalFlagClearForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does this conversation hold no medical information?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the audit trail. Sharing the conversation is a separate step."),
    )


class AppointmentForm(forms.ModelForm):
    class Meta:
        model = Appointment
        fields = ["subject", "starts_at", "ends_at", "location", "with_whom"]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME}


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["title", "description", "due_date"]
        widgets = {"due_date": DATE, "description": forms.Textarea(attrs={"rows": 3})}


class AssignmentDoneForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["result"]
        widgets = {"result": forms.Textarea(attrs={"rows": 3})}


class TrainingForm(forms.ModelForm):
    certificate = CheckedFileField(label=_("Certificate"), required=False)

    class Meta:
        model = Training
        fields = ["name", "provider", "online", "start_date", "end_date", "status", "result",
                  "certificate"]  # fmt: skip
        widgets = _dates("start_date", "end_date")


class DocumentForm(MedicalCheckForm, forms.ModelForm):
    file = CheckedFileField(label=_("File"), help_text=_("PDF, DOCX, PNG or JPEG."))

    class Meta:
        model = Document
        fields = ["title", "kind", "visibility", "file"]


class PlacementForm(forms.ModelForm):
    class Meta:
        model = Placement
        fields = [
            "new_employer",
            "function",
            "start_date",
            "hours_per_week",
            "contract_type",
            "contract_end_date",
            "aftercare_until",
        ]
        widgets = _dates("start_date", "contract_end_date", "aftercare_until")


class TimeEntryForm(forms.ModelForm):
    class Meta:
        model = TimeEntry
        fields = ["date", "minutes", "category", "note"]
        widgets = {"date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = TimeCategory.objects.filter(
            agency_id=self.instance.agency_id
        )


class MedicalNoteForm(forms.ModelForm):
    class Meta:
        model = MedicalNote
        fields = ["consent_date", "consent_text", "note"]
        widgets = {"consent_date": DATE}


class PersonProfileForm(forms.ModelForm):
    class Meta:
        model = PersonProfile
        fields = [
            "education",
            "work_history",
            "competences",
            "motivators",
            "test_results",
            "wishes",
        ]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in fields}


class WorkCapacityForm(MedicalCheckForm, forms.ModelForm):
    class Meta:
        model = WorkCapacity
        fields = [
            "advice_date",
            "advice_author",
            "fml_reference",
            "possibilities",
            "limitations",
            "hours_per_day",
            "hours_per_week",
        ]
        widgets = {
            "advice_date": DATE,
            "possibilities": forms.Textarea(attrs={"rows": 3}),
            "limitations": forms.Textarea(attrs={"rows": 3}),
        }


class SearchProfileForm(MedicalCheckForm, forms.ModelForm):
    class Meta:
        model = SearchProfile
        fields = [
            "valid_from",
            "sectors",
            "kinds_of_work",
            "region",
            "travel_minutes",
            "hours_per_week",
            "wage_indication",
            "agreed_with_employee",
            "change_note",
        ]
        widgets = {"valid_from": DATE}


SearchFunctionFormSet = inlineformset_factory(
    SearchProfile,
    SearchFunction,
    fields=["title", "reason"],
    extra=3,
    min_num=1,
    validate_min=True,
    can_delete=False,
)
