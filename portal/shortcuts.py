"""Small helpers every app's views share."""

from django.core.exceptions import PermissionDenied


def require(allowed: bool) -> None:
    """Visible but not for this user to change: 403. (Anything invisible is already a 404.)"""
    if not allowed:
        raise PermissionDenied


def form_errors_to(form, exc) -> None:
    """Put a service's ValidationError on the form, field by field where it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
