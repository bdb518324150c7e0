from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from . import access


def agency_admin_required(view):
    """Management pages do not exist for anyone but agency admins: others get 404."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.can_manage_agency(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
