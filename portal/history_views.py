"""The history ("Geschiedenis") of one record of the file: who changed which field, from what
to what, when and through which path (``portal.changelog``). The trajectory's whole history is
a tab of its file (``trajecten.selectors.tab_context``)."""

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from . import access, audit
from .changelog import by_key, entries
from .constants import AuditAction


@login_required
def record_history(request, key, uuid):
    tracked = by_key(key)
    if tracked is None or tracked.parent is not None:
        raise Http404
    model = apps.get_model(tracked.label)
    record = access.get_visible_or_404(model.objects.visible_to(request.user), uuid=uuid)
    page = entries.page_of(
        entries.record_rows(request.user, tracked, record), request.GET.get("page")
    )
    audit.record(AuditAction.VIEW, record, details={"history": True})
    trajectory = record if tracked.trajectory == "self" else getattr(record, "trajectory", None)
    return render(
        request,
        "portal/record_history.html",
        {
            "record": record,
            "record_label": entries.record_label(model),
            "trajectory": trajectory,
            "page": page,
            "entries": entries.entries(page.object_list, request.user),
            "show_records": False,
        },
    )
