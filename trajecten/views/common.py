from django.core.exceptions import PermissionDenied

from portal import access

from .. import selectors


def get_trajectory(request, uuid):
    """The trajectory, if the user may see it; 404 otherwise."""
    return access.get_visible_or_404(
        selectors.trajectory_detail_queryset(user=request.user), uuid=uuid
    )


def require(allowed: bool) -> None:
    """Visible but read-only for this user: 403 (outsiders already got 404)."""
    if not allowed:
        raise PermissionDenied


def form_errors_to(form, exc) -> None:
    """Put a service's ValidationError on the form, field by field where it says which."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
