"""New trajectories: created by agency staff, or referred by an employer contact."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.constants import Role

from .. import services
from ..forms import NewTrajectoryForm
from ..models import Document
from ..tasks import notify_referral
from .common import form_errors_to, require
from .file import trajectory_url


@login_required
def trajectory_new(request):
    """Agency staff create a trajectory directly; employer contacts refer someone."""
    user = request.user
    require(user.role in (Role.AGENCY_ADMIN, Role.SPECIALIST, Role.EMPLOYER_CONTACT))
    form = NewTrajectoryForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            trajectory = _create(form, user)
        except ValidationError as exc:
            form_errors_to(form, exc)
        else:
            if user.role == Role.EMPLOYER_CONTACT:
                messages.success(request, _("Thank you: the agency has received the referral."))
            else:
                messages.success(request, _("The trajectory has been created."))
            return redirect(trajectory_url(trajectory))
    return render(request, "trajecten/trajectory_new.html", {"form": form})


@transaction.atomic
def _create(form, user):
    data = form.cleaned_data
    employee, _created = services.employee_find_or_create(
        agency=user.agency,
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        phone=data["phone"],
        guidance_language=data["guidance_language"],
    )
    trajectory = services.trajectory_create(
        actor=user,
        employee=employee,
        legal_entity=data["legal_entity"],
        first_sick_day=data["first_sick_day"],
        product=data["product"],
        specialist=data.get("specialist"),
        guidance_language=data["guidance_language"],
        referral_basis=data["referral_basis"],
        referral_advice_date=data["referral_advice_date"],
        special_track=data["special_track"],
        contact_preferences=data["contact_preferences"],
    )
    if data.get("advice"):
        Document.objects.create(
            trajectory=trajectory,
            kind="advice",
            title=_("Advice for the referral"),
            file=data["advice"],
            content_type=data["advice"].detected_content_type,
            size=data["advice"].size,
            visibility="employer",
            uploaded_by=user,
        )
    if user.role == Role.EMPLOYER_CONTACT:
        transaction.on_commit(
            lambda: notify_referral.delay(trajectory.pk, agency_id=trajectory.agency_id),
            robust=True,
        )
    return trajectory
