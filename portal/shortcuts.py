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


def redirect_next(request, default: str):
    """Back to the page named by the form's ``next`` field, but only to a page of this site;
    anything else (another host, a scheme, ``//evil``) goes to ``default``."""
    from django.shortcuts import redirect
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return redirect(target)


def submit(request, form, write, *, success, errors_to=form_errors_to):
    """The one shape of a form page's POST: when the form is posted and parses, call the
    service (``write(form.cleaned_data)``); put its refusal back onto the form, or say
    ``success`` (a text, or a function of what was written that gives it). Returns what the
    service wrote (``True`` if it returns nothing), or ``None`` when nothing was written: the
    caller redirects on a truthy answer."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    if request.method != "POST" or not form.is_valid():
        return None
    try:
        written = write(form.cleaned_data)
    except ValidationError as exc:
        errors_to(form, exc)
        return None
    messages.success(request, success(written) if callable(success) else success)
    return True if written is None else written


def act(request, write, *, success):
    """The one shape of a button's POST (no form to fill in): call the service (``write()``);
    say ``success`` (a text, or a function of what was written that gives it), or say the
    service's refusal as the page's message, never a 500. Returns what was written (``True``
    if nothing), or ``None`` when the service refused: the caller redirects either way."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    try:
        written = write()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None
    if success:
        messages.success(request, success(written) if callable(success) else success)
    return True if written is None else written


#: How a login was proved, in Dutch: a signed response records it and reports for UWV print it.
AUTHENTICATION_LABELS = {
    "password": "wachtwoord",
    "code": "eenmalige inlogcode per e-mail",
    "mfa": "authenticator-app (tweestapsverificatie)",
    "password_reset": "wachtwoordherstel per e-mail",
    "socialaccount": "extern account",
}


def authentication_method(request) -> str:
    """How the user of this request proved who they are (art. 3:15a BW asks it of an
    electronic signature): allauth's records of this session, or the personal API token."""
    from allauth.account.authentication import get_authentication_records

    from .models import ApiToken

    if isinstance(getattr(request, "auth", None), ApiToken):
        return f"persoonlijk API-token ({request.auth.prefix})"
    labels = []
    for record in get_authentication_records(request, request.user):
        label = AUTHENTICATION_LABELS.get(record.get("method"), record.get("method", ""))
        if label and label not in labels:
            labels.append(label)
    return " + ".join(labels) or "ingelogde sessie"
