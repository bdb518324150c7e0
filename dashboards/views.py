"""Dashboards (the home page per role), the agency overview and billing. Views stay thin: the
figures come from ``dashboards.selectors`` and ``dashboards.figures``.

Live updates: a dashboard page polls itself with htmx every few seconds, sending the version
token it was rendered with (``v``). When nothing changed the answer is an empty 204, decided
from the session and one cache read before the view (``portal.live``,
``portal.middleware.LivePollMiddleware``); otherwise the live part of the page is
rendered again and swapped in place, so filters, focus and scroll position stay. Without
JavaScript the page is a normal page with a refresh link.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from portal import access, audit, live, replica
from portal.csvexport import csv_response
from portal.decorators import agency_admin_required
from portal.downloads import download_name
from portal.forms import PeriodForm
from trajecten import selectors as trajecten_selectors
from trajecten.models import Trajectory

from . import figures, selectors

POLL_SECONDS = 3


#: The pages that poll themselves; their unchanged polls are answered 204 by
#: ``portal.middleware.LivePollMiddleware`` before they reach a view.


def _live_page(request, kind: str, build, template: str, partial: str):
    user = request.user
    if request.htmx and "v" in request.GET:
        request.passive_session = True  # a poll is not activity: see SessionMiddleware
    keys = live.live_keys(user, kind)
    live.remember(request.session, kind=kind, keys=keys, user_id=user.pk)
    token = live.token(keys)  # before reading the data: a change meanwhile shows next poll
    context = build(keys, token)
    params = [(k, v) for k, v in request.GET.items() if k != "v"]
    context.update(
        poll_url=f"{request.path}?{urlencode([*params, ('v', token)])}",
        poll_seconds=POLL_SECONDS,
        updated_at=timezone.localtime(),
        refresh_url=f"{request.path}?{urlencode(params)}",
    )
    return render(request, partial if request.htmx else template, context)


@login_required
def home(request):
    """Per role: the employee's own file; an employer's dashboard over its BVs; the
    specialist's day (for an agency admin, over the whole agency)."""
    kind = access.home_kind(request.user)
    if kind == "employee":
        from rapportages import selectors as report_selectors

        context = trajecten_selectors.employee_home(user=request.user)
        context["to_respond"] = report_selectors.waiting_for_response(user=request.user)
        audit.record_list(Trajectory, len(context["trajectories"]))
        return render(request, "trajecten/employee_home.html", context)
    if kind == "employer":
        return employer_dashboard(request)
    return specialist_dashboard(request)


@login_required
def employer_dashboard(request):
    """Every trajectory of the employer's BVs with figures per BV and risk signals. Agency
    staff see the same page over the trajectories they may see.

    The live region is rendered once per version of what it shows and then read from the
    cache (``selectors.live_body_key``): an employer's HR people share it, and a reload
    without a change renders only the page around it. Every view is audited with the
    number of trajectories listed, from the cache or not."""
    user, today = request.user, timezone.localdate()
    if not access.can_see_employer_dashboard(user):
        raise Http404

    def build(keys: list[str], version: str) -> dict:
        dashboard_filter = selectors.EmployerDashboardFilter(
            request.GET or None, user=user, version=version
        )
        key = selectors.live_body_key(
            dashboard_filter=dashboard_filter,
            params=[(k, v) for k, values in request.GET.lists() if k != "v" for v in values],
            today=today,
            version=version,
        )

        def render() -> tuple[str, int]:
            dashboard = selectors.employer_dashboard(
                user=user,
                data=request.GET,
                page_number=request.GET.get("page"),
                today=today,
                keys=keys,
                version=version,
                dashboard_filter=dashboard_filter,
            )
            row = get_template(EMPLOYER_ROW)
            labels = {name: str(label) for name, label in EMPLOYER_ROW_LABELS.items()}
            rows = selectors.row_html(
                user=user,
                dashboard=dashboard,
                today=today,
                render=lambda t: row.render({"t": t, "labels": labels}),
            )
            context = {
                "dashboard": dashboard,
                "today": today,
                "rows_html": [mark_safe(html) for html in rows],  # noqa: S308 (rendered above)
            }
            return str(render_to_string(EMPLOYER_LIVE_BODY, context, request)), len(dashboard.rows)

        body, listed = selectors.live_body(key=key, render=render)
        audit.record_list(Trajectory, listed)
        return {"dashboard_filter": dashboard_filter, "live_body": mark_safe(body)}  # noqa: S308

    return _live_page(
        request,
        "employer",
        build,
        "dashboards/dashboard_employer.html",
        "dashboards/_dashboard_employer_live.html",
    )


#: What the cache keeps of the employer dashboard: its live region without the poll line.
EMPLOYER_LIVE_BODY = "dashboards/_dashboard_employer_body.html"
#: One trajectory's row in it, kept on its own (``selectors.row_html``), and the names of
#: its columns (each cell carries its column's name: on a phone the table folds into cards).
EMPLOYER_ROW = "dashboards/_dashboard_employer_row.html"
EMPLOYER_ROW_LABELS = {
    "employee": _("Employee"),
    "bv": _("BV"),
    "phase": _("Phase"),
    "week": _("WvP week"),
    "applications": _("Applications"),
    "conversation": _("Last conversation report"),
    "report": _("Next report due"),
    "specialist": _("Specialist"),
    "act_now": _("Act now"),
    "attention": _("Attention"),
}


@login_required
def specialist_dashboard(request):
    user, today = request.user, timezone.localdate()
    if not access.is_agency_staff(user):
        raise Http404

    def build(keys: list[str], version: str) -> dict:
        return {"day": selectors.specialist_day(user=user, today=today), "today": today}

    return _live_page(
        request,
        "specialist",
        build,
        "dashboards/dashboard_specialist.html",
        "dashboards/_dashboard_specialist_live.html",
    )


@agency_admin_required
def agency_overview(request):
    """The figures a quality-mark audit asks for, per period; ``?format=csv`` downloads them."""
    form = PeriodForm.from_request(request.GET)
    overview = None
    if form.period:
        start, end = form.period
        with replica.reads():
            overview = figures.agency_overview(
                user=request.user, start=start, end=end, today=timezone.localdate()
            )
        if request.GET.get("format") == "csv":
            audit.record_list(Trajectory, 0, details={"export": "agency_overview.csv"})
            return csv_response(
                figures.overview_csv_rows(overview),
                download_name("kwaliteit", f"{start:%Y%m%d}", f"{end:%Y%m%d}", ext="csv"),
            )
    return render(request, "dashboards/agency_overview.html", {"form": form, "overview": overview})


@agency_admin_required
def billing(request):
    """Base fees and monthly renewals per employer and month; ``?format=csv`` downloads them."""
    form = PeriodForm.from_request(request.GET)
    lines, total = [], None
    if form.period:
        start, end = form.period
        with replica.reads():
            lines, total = figures.billing(user=request.user, start=start, end=end)
        if request.GET.get("format") == "csv":
            audit.record_list(Trajectory, 0, details={"export": "billing.csv"})
            return csv_response(
                figures.billing_csv_rows(lines),
                download_name("facturatie", f"{start:%Y%m%d}", f"{end:%Y%m%d}", ext="csv"),
            )
    return render(
        request,
        "dashboards/billing.html",
        {"form": form, "months": figures.group_by_month(lines), "total": total},
    )
