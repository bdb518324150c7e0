"""Reads for portal pages. Every function takes the acting user and starts from the scoping
layer."""

from datetime import datetime, time

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from . import access, tenancy
from .models import AuditEvent, Employer, LegalEntity, User


def employer_list(*, user: User) -> QuerySet:
    return Employer.objects.visible_to(user).annotate(
        legal_entity_count=Count("legal_entities", distinct=True)
    )


def employer_legal_entities(*, user: User, employer: Employer) -> QuerySet:
    return LegalEntity.objects.visible_to(user).filter(employer=employer)


def team_list(*, user: User) -> QuerySet:
    return (
        User.objects.visible_to(user)
        .select_related("employer_contact__employer")
        .exclude(role="employee")
        .order_by("role", "last_name", "first_name")
    )


def audit_search(*, user: User, q: str = "", action: str = "", date_from=None, date_to=None):
    # Names, not emails, say who did it (the email stays for failed logins and searches).
    events = AuditEvent.objects.visible_to(user).select_related("actor")
    if q:
        events = events.filter(
            Q(actor_email__icontains=q)
            | Q(actor__first_name__icontains=q)
            | Q(actor__last_name__icontains=q)
            | Q(object_repr__icontains=q)
            | Q(object_type=q)
        )
    if action:
        events = events.filter(action=action)
    tz = timezone.get_current_timezone()
    if date_from:
        events = events.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        events = events.filter(at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    return events


def own_file_access(*, user: User) -> QuerySet[AuditEvent]:
    """With who did it, for the page that names them (an employee reads names, not logins)."""
    return access.own_file_access_events(user).select_related("actor")


def email_in_use(email: str) -> bool:
    """Whether any account, of any agency, logs in with ``email``. Email addresses are the
    login, so they are unique across the platform; this is the one question a request may ask
    beyond its own agency, and it answers yes or no only (``tenancy.IDENTITY``)."""
    with tenancy.scope(tenancy.IDENTITY):
        return User.objects.filter(email__iexact=email).exists()
