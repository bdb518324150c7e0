"""The results of a measurement period (page, CSV, PDF) and the survey behind its signed link.

The results read ``kwaliteit.outcomes`` for what the user may see; the survey pages need no
login and show nothing but the questions: not the person, the agency or the trajectory, so a
forwarded or overheard link gives nothing away."""

import functools

from allauth.core import ratelimit
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal import access, audit, replica
from portal.constants import AuditAction
from portal.csvexport import csv_response
from portal.downloads import content_disposition
from portal.forms import PeriodForm
from portal.shortcuts import form_errors_to
from trajecten.models import Trajectory

from . import exports, outcomes, services
from .forms import SurveyForm


def _period_form(request) -> PeriodForm:
    default = request.user.agency.measurement_period(timezone.localdate())
    return PeriodForm.from_request(request.GET, default=default)


def _outcomes(request, form: PeriodForm):
    start, end = form.period
    with replica.reads():  # figures over a period: the replica's lag does not show
        return outcomes.outcomes(
            user=request.user, start=start, end=end, today=timezone.localdate()
        )


@login_required
def results(request):
    """The period's figures; ``?format=csv`` downloads them."""
    if not access.can_see_outcomes(request.user):
        raise Http404
    form = _period_form(request)
    result = _outcomes(request, form) if form.period else None
    if result and request.GET.get("format") == "csv":
        audit.record_list(Trajectory, result.closed, details={"export": "resultaten.csv"})
        return csv_response(exports.csv_rows(result), exports.filename(result, ext="csv"))
    return render(
        request,
        "kwaliteit/results.html",
        {"form": form, "result": result, "scope": exports.scope_label(request.user)},
    )


@login_required
def results_pdf(request):
    """The same figures as a PDF, rendered by the reports' WeasyPrint pipeline."""
    if not access.can_see_outcomes(request.user):
        raise Http404
    form = _period_form(request)
    if not form.period:
        raise Http404
    result = _outcomes(request, form)
    pdf = exports.pdf(result, user=request.user)
    audit.record(
        AuditAction.DOWNLOAD,
        object_type="outcomes",
        details={"export": "resultaten.pdf", "start": str(result.start), "end": str(result.end)},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(exports.filename(result, ext="pdf"))
    return response


# --- The survey (no login) ----------------------------------------------------------------------


def _closed(request, exc: services.SurveyClosed):
    return render(request, "kwaliteit/survey_closed.html", {"message": str(exc)}, status=410)


def _through_link(view):
    """The invitation the signed link names, in its language, or the page that says the link
    cannot be used; a closed link found while writing says the same."""

    @require_http_methods(["GET", "POST"])
    @functools.wraps(view)
    def wrapped(request, token: str):
        now = timezone.now()
        try:
            invitation = services.survey_from_token(token, now=now)
            with translation.override(invitation.language):
                return view(request, token, invitation, now)
        except services.SurveyClosed as exc:
            return _closed(request, exc)

    return wrapped


@_through_link
def survey(request, token: str, invitation, now):
    form = SurveyForm(request.POST or None)
    if request.method == "POST":
        if limited := ratelimit.consume_or_429(request, action="survey", key=token[:100]):
            return limited
        if form.is_valid():
            try:
                services.survey_answer(invitation=invitation, now=now, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_to(form, exc)
            else:
                return render(request, "kwaliteit/survey_thanks.html")
    return render(request, "kwaliteit/survey.html", {"form": form, "token": token})


@_through_link
def survey_decline(request, token: str, invitation, now):
    """GET asks (a mail scanner that follows the link changes nothing); POST declines."""
    if request.method == "POST":
        services.survey_decline(invitation=invitation, now=now)
        message = _("Thank you. We will not send you a reminder.")
        return render(request, "kwaliteit/survey_closed.html", {"message": message, "done": True})
    return render(request, "kwaliteit/survey_decline.html", {"token": token})
