"""The log as a whole: the employee's own page, a trajectory's norm, employment agencies and CSV,
the employer's overview."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import access, audit
from portal.constants import AuditAction
from portal.csvexport import csv_response
from portal.downloads import download_name
from portal.shortcuts import require, submit
from trajecten.models import Trajectory
from trajecten.shortcuts import get_trajectory

from .. import selectors, services
from ..constants import NEXT_STATUSES, ApplicationStatus
from ..forms import (
    NormForm,
    TempAgencyForm,
)
from ..models import ApplicationActivity, ApplicationNorm
from .activities import _back, status_undo_offer


@login_required
def mine(request):
    """The employee's application log: norm progress, their applications, suggestions."""
    if not access.is_employee(request.user):
        raise Http404
    today = timezone.localdate()
    trajectory = (
        Trajectory.objects.visible_to(request.user)
        .for_file()
        .filter(start_date__isnull=False)
        .order_by("-start_date")
        .first()
    )
    context = {"trajectory": trajectory, "today": today}
    if trajectory:
        norm, periods = selectors.compliance(user=request.user, trajectory=trajectory, today=today)
        context.update(
            norm=norm,
            current=periods[-1] if periods else None,
            activities=selectors.activities(user=request.user, trajectory=trajectory)[:50],
            suggestions=selectors.suggestions(
                user=request.user, trajectory=trajectory, today=today
            )[:5],
            next_statuses=NEXT_STATUSES,
            undo=status_undo_offer(request),
        )
        audit.record_list(ApplicationActivity, len(context["activities"]))
    return render(request, "sollicitaties/mine.html", context)


@login_required
def temp_agency_new(request, uuid):
    trajectory = get_trajectory(request, uuid)
    require(access.can_record_applications(request.user, trajectory))
    form = TempAgencyForm(request.POST or None)
    if submit(
        request, form,
        lambda data: services.temp_agency_register(
            actor=request.user, trajectory=trajectory, **data
        ),
        success=_("The registration has been recorded."),
    ):  # fmt: skip
        return _back(trajectory, request)
    return render(
        request,
        "trajecten/trajectory_form.html",
        {"form": form, "trajectory": trajectory, "title": _("Temp-agency registration")},
    )


@login_required
def norm_edit(request, uuid):
    trajectory = get_trajectory(request, uuid)
    require(access.can_edit_trajectory(request.user, trajectory))
    instance = ApplicationNorm.objects.filter(trajectory=trajectory).first()
    form = NormForm(request.POST or None, instance=instance)
    if submit(
        request, form,
        lambda data: services.norm_set(actor=request.user, trajectory=trajectory, **data),
        success=_("Saved."),
    ):  # fmt: skip
        return _back(trajectory, request)
    return render(
        request,
        "trajecten/trajectory_form.html",
        {"form": form, "trajectory": trajectory, "title": _("Application norm")},
    )


@login_required
def export_csv(request, uuid):
    """The application log as CSV (semicolons and a BOM, so Dutch Excel opens it as is).
    Private notes are left out for employer contacts."""
    trajectory = get_trajectory(request, uuid)
    with_notes = access.sees_private_notes(request.user)
    audit.record(AuditAction.DOWNLOAD, trajectory, details={"export": "applications.csv"})
    filename = download_name(
        "sollicitaties", trajectory.employee.last_name, f"{timezone.localdate():%Y%m%d}", ext="csv"
    )
    header = [_("Date"), _("Kind"), _("Counts toward the norm"), _("Organisation"),
              _("Vacancy"), _("Link"), _("Channel"), _("Status"), _("Status history"),
              _("Recorded by")]  # fmt: skip
    rows = [[*header, _("Notes")] if with_notes else header]
    for a in selectors.activities(user=request.user, trajectory=trajectory).order_by("date"):
        history = ", ".join(
            f"{c.get_status_display()} {c.date:%d-%m-%Y}" for c in a.status_changes.all()
        )
        row = [f"{a.date:%d-%m-%Y}", a.get_kind_display(), _("yes") if a.counts else _("no"),
               a.organisation, a.vacancy_title, a.vacancy_url, a.get_channel_display(),
               a.get_status_display(), history, a.get_recorded_by_role_display()]  # fmt: skip
        rows.append([*row, a.notes] if with_notes else row)
    return csv_response(rows, filename)


@login_required
def overview(request):
    """Per BV and trajectory: this period's applications against the norm, and by status."""
    if not access.can_see_applications_overview(request.user):
        raise Http404
    rows = selectors.employer_overview(user=request.user, today=timezone.localdate())
    audit.record_list(ApplicationActivity, len(rows))
    return render(
        request,
        "sollicitaties/overview.html",
        {
            "rows": rows,
            "per_bv": selectors.per_legal_entity(rows),
            "statuses": ApplicationStatus.choices,
        },
    )
