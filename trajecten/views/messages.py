"""The message thread of a trajectory (see ``trajecten.messaging``) and the inbox."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import messaging
from ..selectors import tabs_for
from ..shortcuts import get_trajectory


@login_required
def thread(request, uuid):
    """GET (the link in the email notice) opens the Messages tab; POST posts a message."""
    trajectory = get_trajectory(request, uuid)
    if "messages" not in tabs_for(request.user):
        raise Http404
    target = reverse("trajecten:file", args=[trajectory.uuid]) + "?tab=messages#latest"
    if request.method == "POST":
        try:
            messaging.message_post(
                trajectory=trajectory,
                author=request.user,
                body=request.POST.get("body", ""),
                medical_confirmed=request.POST.get("medical_confirmed") == "on",
            )
        except ValidationError as exc:
            for error in exc.messages:
                flash.error(request, error)
            request.session["message_draft"] = request.POST.get("body", "")[:8000]
            # Medical words named: the form then asks to confirm (or the writer rephrases).
            request.session["message_medical"] = "medical_confirmed" in getattr(
                exc, "error_dict", {}
            )
            target = target.replace("#latest", "#new-message")  # back at the kept text
        else:
            request.session.pop("message_draft", None)
            request.session.pop("message_medical", None)
            flash.success(request, _("Your message has been sent."))
    return redirect(target)


@login_required
def inbox(request):
    """Threads with unread counts, newest first."""
    page = Paginator(messaging.threads(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "trajecten/inbox.html", {"page": page})
