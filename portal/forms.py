from datetime import date

from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import access
from .constants import INVITABLE_ROLES, NoticeDelivery, NoticeKind, Role
from .models import Agency, DigestSchedule, Employer, Invitation, LegalEntity, User
from .widgets import DATE


class AgencySettingsForm(forms.ModelForm):
    """Parses the settings; ``services.agency_settings_update`` checks the logo and writes."""

    class Meta:
        model = Agency
        fields = [
            "name",
            "default_language",
            "logo",
            "phase_set",
            "application_norm_count",
            "application_norm_weeks",
            "count_repeats_once",
            "repeat_window_days",
            "retention_months",
            "retention_months_self_insurer",
            "share_time_totals_with_employer",
            "share_application_evidence_with_employer",
            "record_bsn",
            "response_days",
            "contact_alert_days",
            "four_eyes",
            "survey_valid_days",
            "measurement_period_start",
        ]
        # Private storage has no public URL, so no "currently: <link>" widget.
        widgets = {
            "logo": forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
            "measurement_period_start": forms.DateInput(attrs={"type": "date"}),
        }


class EmployerForm(forms.ModelForm):
    """Parses an employer; ``services.employer_save`` checks the rules and writes."""

    class Meta:
        model = Employer
        fields = ["name", "is_self_insurer"]


class LegalEntityForm(forms.ModelForm):
    """Parses a BV; ``services.legal_entity_save`` checks the rules and writes."""

    class Meta:
        model = LegalEntity
        fields = ["name", "kvk_number", "payroll_tax_number"]

    def clean_payroll_tax_number(self):
        return self.cleaned_data["payroll_tax_number"].strip().upper()


class InvitationForm(forms.ModelForm):
    """Choice lists come from the scoping layer, so an admin can only pick their own agency's
    employers and BVs; ``services.invitation_create`` checks the rules and writes."""

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
            "sees_invoices",
        ]
        widgets = {"legal_entities": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["role"].choices = [(r.value, r.label) for r in INVITABLE_ROLES]
        self.fields["employer"].queryset = Employer.objects.visible_to(user)
        self.fields["legal_entities"].queryset = (
            LegalEntity.objects.visible_to(user)
            .select_related("employer")
            .order_by("employer__name", "name")
        )
        self.fields["legal_entities"].label_from_instance = lambda bv: f"{bv.employer} – {bv}"
        self.fields["language"].initial = user.agency.default_language if user.agency else "nl"
        self.fields["employer"].help_text = _("Only for employer contacts.")
        self.fields["legal_entities"].help_text = _(
            "Only when the contact may not see all BVs of the employer."
        )


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
    orders_only = forms.BooleanField(
        label=_("Only for orders (a verzuim system)"),
        required=False,
        help_text=_(
            "The token places and follows 2e-spoor orders for your employer "
            '(/api/v1/referrals/) and reaches nothing else; "read only" does not apply to it.'
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is None or not access.can_place_orders(user):
            del self.fields["orders_only"]


class MedicalCheckForm(forms.Form):
    """A hidden "I confirm" that becomes a checkbox when the service finds medical words in
    text about to reach the employer (``portal.medical``): the writer rephrases or ticks it."""

    medical_confirmed = forms.BooleanField(
        label=_("I have read the text again: the employer may read it."),
        required=False,
        widget=forms.HiddenInput,
    )

    def add_error(self, field, error):
        if field == "medical_confirmed" or (
            isinstance(error, dict) and "medical_confirmed" in error
        ):
            self.fields["medical_confirmed"].widget = forms.CheckboxInput()
        super().add_error(field, error)


# --- The team (agency admins; portal/team.py writes) -------------------------------------------


def _active_specialists(actor, *, exclude=None):
    queryset = User.objects.visible_to(actor).filter(role=Role.SPECIALIST, is_active=True)
    return queryset.exclude(pk=exclude.pk) if exclude else queryset


class MemberForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (Role.SPECIALIST, Role.SPECIALIST.label),
            (Role.AGENCY_ADMIN, Role.AGENCY_ADMIN.label),
        ],
    )

    sees_invoices = forms.BooleanField(
        label=_("Sees the invoices"),
        required=False,
        help_text=_("The agency's invoices to the employer (or to the contact's BVs)."),
    )

    def __init__(self, *args, member, **kwargs):
        contact = getattr(member, "employer_contact", None) if member.is_employer_contact else None
        kwargs.setdefault(
            "initial",
            {"first_name": member.first_name, "last_name": member.last_name, "role": member.role,
             "sees_invoices": bool(contact and contact.sees_invoices)},
        )  # fmt: skip
        super().__init__(*args, **kwargs)
        if not member.is_agency_staff:  # employer contacts and employees keep their role
            del self.fields["role"]
        if contact is None:  # the invoices right is an employer contact's
            del self.fields["sees_invoices"]


class TransferForm(forms.Form):
    trajectories = forms.ModelMultipleChoiceField(
        label=_("Trajectories"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    to_user = forms.ModelChoiceField(label=_("To colleague"), queryset=None)

    def __init__(self, *args, actor, member, trajectories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trajectories"].queryset = trajectories
        self.fields["trajectories"].label_from_instance = lambda t: str(t.employee)
        self.fields["to_user"].queryset = _active_specialists(actor, exclude=member)


class StandInForm(forms.Form):
    stand_in = forms.ModelChoiceField(label=_("Stand-in"), queryset=None)
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("Until and including"), widget=DATE)

    def __init__(self, *args, actor, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stand_in"].queryset = _active_specialists(actor, exclude=member)


# --- The ways past a login lock: limited per address *and* IP ------------------------------


class PerAddressAndIp:
    """allauth limits the ways past a login lock per address from anywhere, which a third
    party can use up from one IP, closing the way for the user. Here the address's quota
    counts per address and IP (``ACCOUNT_RATE_LIMITS[address_action]``); the IP's own limit
    stays allauth's."""

    address_action = ""

    def clean_email(self) -> str:
        from allauth.account.adapter import get_adapter
        from allauth.core import context
        from allauth.core.internal import ratelimit

        email = super().clean_email()
        if email:
            request = context.request
            key = f"{email.lower()}:{ratelimit.get_ip(request)}"
            usage = ratelimit.consume(
                request, app="allauth.account", action=self.address_action, key=key
            )
            if not usage:
                raise get_adapter().validation_error("too_many_login_attempts")
        return email


class RequestLoginCodeForm(PerAddressAndIp, AllauthRequestLoginCodeForm):
    address_action = "request_login_code_address"


class ResetPasswordForm(PerAddressAndIp, AllauthResetPasswordForm):
    address_action = "reset_password_address"


class PeriodForm(forms.Form):
    """A period of whole days; defaults to the current calendar year up to today."""

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    MAX_DAYS = 366 * 5

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start of the period lies after its end."))
        if start and end and (end - start).days > self.MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most five years."))
        return data

    @classmethod
    def from_request(cls, data, default: tuple[date, date] | None = None) -> "PeriodForm":
        """The period asked for, else ``default`` (else this calendar year up to today)."""
        today = timezone.localdate()
        if not data.get("start") and not data.get("end"):
            start, end = default or (today.replace(month=1, day=1), today)
            data = {"start": start.isoformat(), "end": end.isoformat()}
        form = cls(data)
        form.is_valid()
        return form

    @property
    def period(self) -> tuple[date, date] | None:
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return None


class NoticeSettingsForm(forms.Form):
    """Per kind of notice the person can get, the email they want; the digest's hour and day.
    Parses only: ``portal.digests.notice_preferences_set`` checks and writes."""

    hour = forms.TypedChoiceField(
        label=_("Send digests at"),
        coerce=int,
        choices=[(h, f"{h:02d}:00") for h in range(24)],
    )
    weekday = forms.TypedChoiceField(
        label=_("Weekly digest on"),
        coerce=int,
        choices=DigestSchedule._meta.get_field("weekday").choices,
    )

    def __init__(self, *args, kinds: dict[str, str], schedule, **kwargs):
        super().__init__(*args, **kwargs)
        initial = {"hour": schedule.hour, "weekday": schedule.weekday}
        for kind, delivery in kinds.items():
            self.fields[f"kind_{kind}"] = forms.ChoiceField(
                label=NoticeKind(kind).label, choices=NoticeDelivery.choices
            )
            initial[f"kind_{kind}"] = delivery
        self.kinds = list(kinds)
        self.initial = {**initial, **self.initial}
        # The digest's time first in the form's order is odd: the kinds come first.
        self.order_fields([*(f"kind_{k}" for k in kinds), "hour", "weekday"])

    def choices(self) -> dict[str, str]:
        return {kind: self.cleaned_data[f"kind_{kind}"] for kind in self.kinds}


class SmsConsentForm(forms.Form):
    """An employee's consent to SMS reminders and their mobile number (parses only:
    ``portal.sms.sms_consent_set`` checks and writes)."""

    consent = forms.BooleanField(
        label=_(
            "Send me an SMS the day before an appointment and when a report waits for my "
            "response. The SMS says only the time and “see Spoorboek”: nothing about my "
            "health or my employer."
        ),
        required=False,
    )
    mobile = forms.CharField(label=_("Mobile number"), max_length=30, required=False)
