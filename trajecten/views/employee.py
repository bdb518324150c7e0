"""The employee's own part: completing assignments, and everyone's calendar feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import access, audit, tenancy
from portal.constants import AuditAction
from portal.downloads import content_disposition, download_name
from portal.shortcuts import act, redirect_next, require

from .. import calendar, services
from ..forms import AssignmentDoneForm
from ..models import Appointment, Assignment, CalendarFeed


@login_required
@require_POST
def assignment_done(request, uuid):
    """The employee marks their own assignment done (with an optional result)."""
    assignment = access.get_visible_or_404(Assignment.objects.visible_to(request.user), uuid=uuid)
    require(access.can_complete_assignment(request.user, assignment))
    form = AssignmentDoneForm(request.POST, instance=assignment)
    if form.is_valid():
        act(request, lambda: services.assignment_complete(
            actor=request.user, assignment=assignment, **form.cleaned_data
        ), success=_("Well done: the assignment is marked as done."))  # fmt: skip
    return redirect_next(request, reverse("dashboards:home"))


@login_required
def calendar_settings(request):
    if request.user.agency_id is None:  # a platform operator has no appointments
        raise Http404
    feed = services.calendar_feed_for(user=request.user)
    if request.method == "POST":
        services.calendar_feed_renew(user=request.user)
        messages.success(request, _("Your old calendar link no longer works. Here is a new one."))
        return redirect("trajecten:calendar")
    return render(request, "trajecten/calendar.html", {"feed": feed})


def calendar_feed(request, token):
    """The private iCalendar feed: the token is the key, no session needed."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    tenancy.activate(tenancy.value_for(feed.user))  # the token found, its owner's agency
    appointments = Appointment.objects.visible_to(feed.user).filter(
        ends_at__gte=timezone.now() - timezone.timedelta(days=90)
    )
    audit.record(
        AuditAction.LIST, object_type="appointment", actor=feed.user, details={"feed": True}
    )
    response = HttpResponse(
        calendar.appointments_ics(appointments), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition(
        download_name("spoorboek-agenda", ext="ics"), attachment=False
    )
    return response
