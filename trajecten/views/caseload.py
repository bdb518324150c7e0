"""Lists of trajectories for agency staff and employers: the caseload table and search."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from portal import access, audit

from .. import selectors
from ..models import Trajectory

PAGE_SIZE = 50
MIN_QUERY = 2


@login_required
def trajectory_list(request):
    """Every trajectory the user may see, paged: the caseload table."""
    if not access.can_list_trajectories(request.user):
        raise Http404
    page = Paginator(selectors.caseload(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = selectors.decorate_rows(page.object_list, timezone.localdate(), user=request.user)
    audit.record_list(Trajectory, len(rows))
    return render(request, "trajecten/list.html", {"page": page, "rows": rows})


@login_required
def search(request):
    """Staff search employees and their trajectories by name (or employee number) across
    everything they may see."""
    if not access.is_agency_staff(request.user):
        raise Http404
    query = request.GET.get("q", "").strip()[:100]
    results, too_short = [], False
    if len(query) >= MIN_QUERY:
        results = selectors.decorate_rows(
            selectors.search(user=request.user, query=query)[:PAGE_SIZE],
            timezone.localdate(),
            user=request.user,
        )
        audit.record_list(Trajectory, len(results))
    elif query:
        too_short = True
    return render(
        request,
        "trajecten/search.html",
        {"query": query, "results": results, "too_short": too_short, "limit": PAGE_SIZE},
    )
