from django import forms
from django.contrib.auth import password_validation
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import access, uploads
from .constants import INVITABLE_ROLES, Role
from .models import Agency, Employer, Invitation, LegalEntity, User

MAX_LOGO_BYTES = 2 * 1024 * 1024


class AgencySettingsForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = [
            "name",
            "default_language",
            "logo",
            "phase_set",
            "application_norm_count",
            "application_norm_weeks",
            "retention_months",
            "retention_months_self_insurer",
            "share_time_totals_with_employer",
            "share_application_evidence_with_employer",
        ]
        # Private storage has no public URL, so no "currently: <link>" widget.
        widgets = {"logo": forms.FileInput(attrs={"accept": "image/png,image/jpeg"})}

    def clean_logo(self):
        """A new logo: at most 2 MB, PNG or JPEG by content, structure checked like every
        upload, stored under a generated name."""
        logo = self.cleaned_data.get("logo")
        if not isinstance(logo, UploadedFile):
            return logo
        if logo.size > MAX_LOGO_BYTES:
            raise forms.ValidationError(_("The logo may be at most 2 MB."))
        uploads.checked(logo)
        if logo.detected_content_type not in (uploads.PNG, uploads.JPEG):
            raise forms.ValidationError(_("Upload the logo as a PNG or JPEG file."))
        return logo


class EmployerForm(forms.ModelForm):
    class Meta:
        model = Employer
        fields = ["name", "is_self_insurer"]

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Employer.objects.filter(agency=self.agency, name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Your agency already has an employer with this name."))
        return name


class LegalEntityForm(forms.ModelForm):
    class Meta:
        model = LegalEntity
        fields = ["name", "kvk_number", "payroll_tax_number"]

    def __init__(self, *args, employer: Employer, **kwargs):
        super().__init__(*args, **kwargs)
        self.employer = employer

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = LegalEntity.objects.filter(employer=self.employer, name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This employer already has a BV with this name."))
        return name

    def clean_payroll_tax_number(self):
        return self.cleaned_data["payroll_tax_number"].strip().upper()


class InvitationForm(forms.ModelForm):
    """Choice lists come from the scoping layer, so an admin can only pick their own agency's
    employers and BVs."""

    class Meta:
        model = Invitation
        fields = [
            "email",
            "first_name",
            "last_name",
            "role",
            "language",
            "employer",
            "all_legal_entities",
            "legal_entities",
        ]
        widgets = {"legal_entities": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["role"].choices = [(r.value, r.label) for r in INVITABLE_ROLES]
        self.fields["employer"].queryset = access.visible_employers(user)
        self.fields["legal_entities"].queryset = (
            access.visible_legal_entities(user)
            .select_related("employer")
            .order_by("employer__name", "name")
        )
        self.fields["legal_entities"].label_from_instance = lambda bv: f"{bv.employer} – {bv}"
        self.fields["language"].initial = user.agency.default_language if user.agency else "nl"
        self.fields["employer"].help_text = _("Only for employer contacts.")
        self.fields["legal_entities"].help_text = _(
            "Only when the contact may not see all BVs of the employer."
        )

    def clean_email(self):
        """Only what the admin can already see is an error: an account or an open invitation
        of their own agency. Whether the address has an account elsewhere on the platform is
        never told here (the invitation is made either way; the invitee's email and the link
        explain it to the address's owner), or this form would tell one agency about
        another's people."""
        email = self.cleaned_data["email"].strip().lower()
        if access.visible_users(self.user).filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("Someone in your agency already has an account with this email address.")
            )
        open_invitations = access.visible_invitations(self.user).filter(
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        if open_invitations.exists():
            raise forms.ValidationError(
                _("This address already has an open invitation; send that one again.")
            )
        return email

    def clean(self):
        data = super().clean()
        role, employer = data.get("role"), data.get("employer")
        if role == Role.EMPLOYER_CONTACT:
            if not employer:
                self.add_error("employer", _("Choose the employer this contact works for."))
            elif not data.get("all_legal_entities"):
                chosen = data.get("legal_entities")
                if not chosen:
                    self.add_error(
                        "legal_entities", _("Choose at least one BV, or tick 'all BVs'.")
                    )
                elif any(le.employer_id != employer.pk for le in chosen):
                    self.add_error("legal_entities", _("Choose only BVs of the selected employer."))
        elif employer:
            self.add_error("employer", _("Only employer contacts belong to an employer."))
        return data


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation: Invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields[
            "password1"
        ].help_text = password_validation.password_validators_help_text_html()

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            candidate = User(
                email=self.invitation.email,
                first_name=self.invitation.first_name,
                last_name=self.invitation.last_name,
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class AuditSearchForm(forms.Form):
    q = forms.CharField(label=_("User or object"), required=False, max_length=200)
    action = forms.ChoiceField(label=_("Action"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        from .constants import AuditAction

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions")), *AuditAction.choices]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date lies before the start date."))
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What uses this token?"))
    read_only = forms.BooleanField(label=_("Read only"), required=False, initial=True)
    valid_days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("1 year")), (0, _("No expiry"))],
        initial=90,
    )
