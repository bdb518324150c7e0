import hmac

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from . import access, digests, selectors, services, sms, tenancy
from .decorators import agency_admin_required
from .forms import (
    AgencySettingsForm,
    AuditSearchForm,
    EmployerForm,
    InvitationForm,
    LegalEntityForm,
    NoticeSettingsForm,
    SetPasswordForm,
    SmsConsentForm,
)
from .models import Employer, Invitation, LegalEntity, SmsConsent, SmsMessage
from .shortcuts import act, form_errors_to, submit

PAGE_SIZE = 50


# --- Employers and BVs ------------------------------------------------------------------------


@login_required
def employer_list(request):
    employers = selectors.employer_list(user=request.user)
    return render(
        request,
        "portal/employer_list.html",
        {"employers": employers, "can_add_employer": access.can_manage_agency(request.user)},
    )


@login_required
def employer_detail(request, uuid):
    employer = access.get_visible_or_404(Employer.objects.visible_to(request.user), uuid=uuid)
    legal_entities = selectors.employer_legal_entities(user=request.user, employer=employer)
    return render(
        request,
        "portal/employer_detail.html",
        {
            "employer": employer,
            "legal_entities": legal_entities,
            "can_manage": access.can_manage_agency(request.user),
            "can_manage_invoices": access.can_manage_invoices(request.user),
            "sees_invoices": access.sees_invoices(request.user),
        },
    )


@agency_admin_required
def employer_edit(request, uuid=None):
    employer = (
        access.get_visible_or_404(Employer.objects.visible_to(request.user), uuid=uuid)
        if uuid
        else None
    )
    form = EmployerForm(request.POST or None, instance=employer)
    if saved := submit(
        request, form,
        lambda data: services.employer_save(actor=request.user, employer=employer, **data),
        success=_("The employer has been saved."),
    ):  # fmt: skip
        return redirect("portal:employer_detail", uuid=saved.uuid)
    return render(request, "portal/employer_form.html", {"form": form, "employer": employer})


@agency_admin_required
def legal_entity_edit(request, employer_uuid, uuid=None):
    employer = access.get_visible_or_404(
        Employer.objects.visible_to(request.user), uuid=employer_uuid
    )
    legal_entity = (
        access.get_visible_or_404(
            LegalEntity.objects.visible_to(request.user).filter(employer=employer), uuid=uuid
        )
        if uuid
        else None
    )
    form = LegalEntityForm(request.POST or None, instance=legal_entity)
    if submit(
        request, form,
        lambda data: services.legal_entity_save(
            actor=request.user, employer=employer, legal_entity=legal_entity, **data
        ),
        success=_("The BV has been saved."),
    ):  # fmt: skip
        return redirect("portal:employer_detail", uuid=employer.uuid)
    return render(
        request,
        "portal/legal_entity_form.html",
        {"form": form, "employer": employer, "legal_entity": legal_entity},
    )


# --- Team and invitations ---------------------------------------------------------------------


@agency_admin_required
def invitation_create(request):
    form = InvitationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_to(form, exc)
        else:
            messages.success(request, _("An invitation has been sent to %s.") % invitation.email)
            return redirect("portal:team")
    return render(
        request,
        "portal/invitation_form.html",
        {"form": form, "days": settings.INVITATION_VALID_DAYS},
    )


@agency_admin_required
@require_POST
def invitation_resend(request, uuid):
    invitation = access.get_visible_or_404(
        Invitation.objects.visible_to(request.user).filter(accepted_at__isnull=True), uuid=uuid
    )
    act(request, lambda: services.invitation_resend(actor=request.user, invitation=invitation),
        success=_("A new invitation has been sent to %s.") % invitation.email)  # fmt: skip
    return redirect("portal:team")


@agency_admin_required
@require_POST
def invitation_revoke(request, uuid):
    invitation = access.get_visible_or_404(Invitation.objects.visible_to(request.user), uuid=uuid)
    act(request, lambda: services.invitation_revoke(actor=request.user, invitation=invitation),
        success=_("The invitation for %s has been revoked.") % invitation.email)  # fmt: skip
    return redirect("portal:team")


def invitation_accept(request, token):
    """The invitee sets a password. Errors (expired, used, tampered) are explained, not 500s."""
    if request.user.is_authenticated:
        messages.error(request, _("Log out first to accept an invitation for another account."))
        return redirect("dashboards:home")
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationError as exc:
        return render(request, "portal/invitation_invalid.html", {"reason": str(exc)}, status=410)
    tenancy.activate(invitation.agency_id)  # the link is the key to its agency's invitation
    form = SetPasswordForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and (
        limited := ratelimit.consume_or_429(request, action="invitation_accept", key=token[:100])
    ):
        return limited
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(
                invitation=invitation, password=form.cleaned_data["password1"]
            )
        except services.InvitationError:
            return render(
                request,
                "portal/invitation_invalid.html",
                {"reason": _("This invitation link has already been used.")},
                status=410,
            )
        messages.success(request, _("Your password has been set. You can now log in."))
        return redirect("account_login")
    return render(
        request, "portal/invitation_accept.html", {"form": form, "invitation": invitation}
    )


# --- Agency settings and audit ----------------------------------------------------------------


@agency_admin_required
def agency_settings(request):
    agency = request.user.agency
    form = AgencySettingsForm(request.POST or None, request.FILES or None, instance=agency)
    if submit(
        request, form,
        lambda data: services.agency_settings_update(actor=request.user, **data),
        success=_("The settings have been saved."),
    ):  # fmt: skip
        return redirect("portal:agency_settings")
    return render(
        request,
        "portal/agency_settings.html",
        {"form": form, "phases": agency.phases.all()},
    )


@agency_admin_required
def audit_log(request):
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_search(user=request.user, **filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/audit_log.html", {"form": form, "page": page})


@login_required
def my_file_access(request):
    """An employee sees who opened or changed their file."""
    if not access.is_employee(request.user):
        raise Http404
    page = Paginator(selectors.own_file_access(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/my_file_access.html", {"page": page})


@login_required
def notice_settings(request):
    """Per kind of notice, the email a person wants (at once, daily, weekly, none), and when
    their digests go out; for an employee also their consent to SMS reminders. Everyone of an
    agency has one, about their own notices only."""
    user = request.user
    kinds = digests.preferences_of(user)
    if not kinds:
        raise Http404
    posted_sms = request.method == "POST" and "sms" in request.POST
    form = NoticeSettingsForm(
        request.POST if request.method == "POST" and not posted_sms else None,
        kinds=kinds,
        schedule=digests.schedule_of(user),
    )
    saved = submit(
        request,
        form,
        lambda data: digests.notice_preferences_set(
            actor=user, choices=form.choices(), hour=data["hour"], weekday=data["weekday"]
        ),
        success=_("Your notice settings are saved."),
    )
    sms_form, sms_messages = None, []
    if access.can_get_sms(user):
        consent = SmsConsent.objects.visible_to(user).first()
        sms_form = SmsConsentForm(
            request.POST if posted_sms else None,
            initial={"consent": consent is not None, "mobile": consent.mobile if consent else ""},
        )
        saved = saved or submit(
            request,
            sms_form,
            lambda data: sms.sms_consent_set(
                actor=user, mobile=data["mobile"], consent=data["consent"]
            ),
            success=_("Your choice about SMS reminders is saved."),
        )
        sms_messages = list(SmsMessage.objects.visible_to(user)[:5])
    if saved:
        return redirect("portal:notice_settings")
    return render(
        request,
        "portal/notice_settings.html",
        {"form": form, "sms_form": sms_form, "sms_messages": sms_messages},
    )


@csrf_exempt
@require_POST
def sms_status(request, token, agency_id):
    """The SMS provider's delivery report (Twilio's status callback): the secret token in the
    address is the key; it opens the one agency the address names (``portal.sms``)."""
    expected = settings.SMS_STATUS_TOKEN
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Http404
    tenancy.activate(agency_id)
    known = sms.status_report(
        agency_id=agency_id,
        provider_id=request.POST.get("MessageSid", "")[:100],
        provider_status=request.POST.get("MessageStatus", "")[:20],
        now=timezone.now(),
    )
    return HttpResponse(status=204 if known else 404)


# --- Plumbing ---------------------------------------------------------------------------------


@require_POST
def set_language(request):
    """Django's language switch, remembered on the account of a logged-in user."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in {"nl", "en", "pl"}:
        services.user_set_language(user=request.user, language=language)
    return response


def healthz(request):
    """Liveness and database check for docker-compose and load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error"}, status=503)
    return HttpResponse("ok", content_type="text/plain")


@login_required
def api_tokens(request):
    """Personal API tokens: created here, shown once, revocable."""
    from django.core.exceptions import ValidationError

    from . import api_tokens as tokens
    from .forms import ApiTokenForm
    from .models import ApiToken

    form = ApiTokenForm(request.POST or None, user=request.user)
    # Shown once: kept in the session between the POST and the redirected GET, then gone.
    shown = request.session.pop("new_api_token", None)
    if request.method == "POST" and "revoke" in request.POST:
        token = access.get_visible_or_404(
            ApiToken.objects.visible_to(request.user), uuid=request.POST["revoke"]
        )
        act(request, lambda: tokens.token_revoke(token=token, actor=request.user),
            success=_("The token has been revoked."))  # fmt: skip
        return redirect("portal:api_tokens")
    if request.method == "POST" and (
        limited := ratelimit.consume_or_429(request, action="api_token_create", user=request.user)
    ):
        return limited
    if request.method == "POST" and form.is_valid():
        try:
            _token, shown = tokens.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                read_only=form.cleaned_data["read_only"],
                valid_days=form.cleaned_data["valid_days"] or None,
                orders_only=form.cleaned_data.get("orders_only", False),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session["new_api_token"] = shown
            return redirect("portal:api_tokens")
    return render(
        request,
        "portal/api_tokens.html",
        {
            "form": form,
            "shown": shown,
            "tokens": ApiToken.objects.visible_to(request.user),
            "webhooks": access.can_manage_webhooks(request.user),
        },
    )
