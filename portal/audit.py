"""Recording the audit trail.

The request's actor and IP address come from a context variable that
``AuditContextMiddleware`` sets, so services can record without passing the request around.
Work outside a request (tasks, commands) records ``actor=None``: the system.
"""

import contextlib
import contextvars
import dataclasses
import uuid
from dataclasses import dataclass

from django.db.models import Model

from . import tenancy
from .constants import AuditAction
from .models import AuditEvent


@dataclass(frozen=True)
class AuditContext:
    user: object | None
    ip_address: str | None
    path: str


_context: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "spoorboek_audit_context", default=None
)


def set_context(ctx: AuditContext | None) -> contextvars.Token:
    return _context.set(ctx)


def reset_context(token: contextvars.Token) -> None:
    _context.reset(token)


def set_user(user) -> None:
    """The request's user became known inside the view (an API token): record them as actor."""
    ctx = _context.get()
    if ctx is not None:
        _context.set(dataclasses.replace(ctx, user=user))


def client_ip(request) -> str | None:
    """The client's address exactly as the rate limits see it (allauth's adapter): REMOTE_ADDR,
    or behind ``TRUSTED_PROXY_COUNT`` proxies the address the outermost trusted one saw."""
    from allauth.account.adapter import get_adapter
    from django.core.exceptions import ImproperlyConfigured, PermissionDenied

    try:
        return get_adapter().get_client_ip(request) or None
    except (PermissionDenied, ImproperlyConfigured):  # no address, or a header that lies
        return request.META.get("REMOTE_ADDR") or None


def _subject_uuid(obj: Model | None) -> uuid.UUID | None:
    """The employee whose file an object belongs to, if any."""
    if obj is None:
        return None
    if obj._meta.model_name == "employee":
        return obj.uuid
    employee = getattr(obj, "employee", None)
    return getattr(employee, "uuid", None)


#: Events that record something refused (NEN 7513 asks for the outcome of each event).
FAILURES = frozenset({AuditAction.LOGIN_FAILED, AuditAction.MFA_FAILED, AuditAction.LOGIN_LOCKED})


def record(
    action: AuditAction,
    obj: Model | None = None,
    *,
    actor=None,
    agency_id: int | None = None,
    object_type: str = "",
    details: dict | None = None,
    anonymous: bool = False,
) -> AuditEvent:
    """Append one event. ``actor`` defaults to the current request's user. ``anonymous``
    keeps neither the client's address nor the path (a survey answer: the link's path decodes
    to the invitation, the address could tie the answer to a person)."""
    ctx = None if anonymous else _context.get()
    if actor is None and ctx is not None and getattr(ctx.user, "is_authenticated", False):
        actor = ctx.user
    if agency_id is None:
        agency_id = getattr(obj, "agency_id", None) or getattr(actor, "agency_id", None)
    return AuditEvent.objects.create(
        agency_id=agency_id,
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        actor_role=getattr(actor, "role", "") or "",
        action=action,
        object_type=object_type or (obj._meta.model_name if obj is not None else ""),
        object_uuid=getattr(obj, "uuid", None),
        object_repr=str(obj)[:200] if obj is not None else "",
        subject_uuid=_subject_uuid(obj),
        ip_address=ctx.ip_address if ctx else None,
        outcome="failure" if action in FAILURES else "success",
        path=ctx.path[:500] if ctx else "",
        details=details or {},
    )


def record_for_account(action: AuditAction, *, agency_id: int | None, **kwargs) -> AuditEvent:
    """An event about an account recorded while the request is not yet in its agency (a login,
    a failed login or code): written in the account's agency (``portal.tenancy``)."""
    with tenancy.scope(agency_id) if agency_id else contextlib.nullcontext():
        return record(action, agency_id=agency_id, **kwargs)


def record_list(model: type[Model], count: int, *, details: dict | None = None) -> AuditEvent:
    """A list page is one event (kind and count), never one row per person listed."""
    return record(
        AuditAction.LIST,
        object_type=model._meta.model_name,
        details={"count": count, **(details or {})},
    )
