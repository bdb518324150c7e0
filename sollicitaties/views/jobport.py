"""Jobport: the agency's vacancy board, its CSV import, and recording an application from a
vacancy."""

import base64
import binascii

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal import access
from portal.shortcuts import require, submit
from trajecten.shortcuts import get_trajectory

from .. import csv_import, services
from ..forms import (
    ImportForm,
    VacancyForm,
)
from ..models import Vacancy
from .activities import _back, _recorded


@login_required
@require_POST
def from_vacancy(request, uuid, vacancy_uuid):
    trajectory = get_trajectory(request, uuid)
    require(access.can_record_applications(request.user, trajectory))
    vacancy = access.get_visible_or_404(Vacancy.objects.visible_to(request.user), uuid=vacancy_uuid)
    activity = services.application_from_vacancy(
        actor=request.user, trajectory=trajectory, vacancy=vacancy
    )
    messages.success(
        request,
        _recorded(request.user, activity, done=_("Recorded as an application. Good luck!")),
    )
    return _back(trajectory, request)


def _staff_only(request):
    if not access.can_manage_vacancies(request.user):
        raise Http404


@login_required
def vacancy_list(request):
    _staff_only(request)
    vacancies = Vacancy.objects.visible_to(request.user)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        vacancies = vacancies.filter(Q(title__icontains=q) | Q(place__icontains=q))
    page = Paginator(vacancies.order_by("-created_at"), 50).get_page(request.GET.get("page"))
    return render(request, "sollicitaties/vacancy_list.html", {"page": page, "q": q})


@login_required
def vacancy_edit(request, uuid=None):
    _staff_only(request)
    vacancy = (
        access.get_visible_or_404(Vacancy.objects.visible_to(request.user), uuid=uuid)
        if uuid
        else None
    )
    form = VacancyForm(request.POST or None, instance=vacancy)
    if submit(
        request, form,
        lambda data: services.vacancy_save(actor=request.user, vacancy=vacancy, **data),
        success=_("The vacancy has been saved."),
    ):  # fmt: skip
        return redirect("sollicitaties:vacancies")
    return render(request, "sollicitaties/vacancy_form.html", {"form": form, "vacancy": vacancy})


@login_required
def vacancy_import(request):
    """Upload, see a dry run (rows to import, rejected rows with reasons), then confirm. The
    file travels back with the confirmation and is checked again; a file with any rejected
    row is not imported at all."""
    _staff_only(request)
    context = {"form": ImportForm()}
    if request.method == "POST" and "payload" in request.POST:
        try:
            raw = base64.b64decode(request.POST["payload"], validate=True)
        except (binascii.Error, ValueError):
            raise PermissionDenied from None
        result = csv_import.parse(raw)
        if result.rejected or not result.rows:
            context.update(result=result, payload=request.POST["payload"])
        else:
            n = services.vacancies_import(actor=request.user, rows=result.rows)
            messages.success(
                request,
                ngettext("%(n)s vacancy imported.", "%(n)s vacancies imported.", n) % {"n": n},
            )
            return redirect("sollicitaties:vacancies")
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            raw = form.cleaned_data["file"]
            context.update(
                result=csv_import.parse(raw), payload=base64.b64encode(raw).decode("ascii")
            )
    return render(request, "sollicitaties/vacancy_import.html", context)
