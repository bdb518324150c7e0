"""New trajectories: created by agency staff, or referred by an employer contact."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal import access
from portal.shortcuts import form_errors_to, require

from .. import services
from ..forms import NewTrajectoryForm
from .file import trajectory_url


@login_required
def trajectory_new(request):
    """Agency staff create a trajectory directly; employer contacts refer someone."""
    user = request.user
    require(access.can_create_trajectory(user))
    form = NewTrajectoryForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            trajectory = services.trajectory_refer(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_to(form, exc)
        else:
            if access.is_employer_contact(user):
                messages.success(request, _("Thank you: the agency has received the referral."))
            else:
                messages.success(request, _("The trajectory has been created."))
            return redirect(trajectory_url(trajectory))
    return render(request, "trajecten/trajectory_new.html", {"form": form})
