"""Reads for portal pages. Every function takes the acting user and starts from the scoping
layer."""

from datetime import datetime, time

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from trajecten.constants import MemberRole
from trajecten.models import TrajectoryMember

from . import access
from .models import AuditEvent, Employer, User


def trajectory_overview(*, user: User) -> QuerySet:
    """Trajectories for the home page, with everything a row shows, in a fixed number of
    queries."""
    primary = Prefetch(
        "memberships",
        queryset=TrajectoryMember.objects.filter(role=MemberRole.PRIMARY).select_related("user"),
        to_attr="primary_memberships",
    )
    return (
        access.visible_trajectories(user)
        .select_related("employee", "legal_entity__employer")
        .prefetch_related(primary)
        .order_by("employee__last_name", "employee__first_name")
    )


def employer_list(*, user: User) -> QuerySet:
    return access.visible_employers(user).annotate(
        legal_entity_count=Count("legal_entities", distinct=True)
    )


def employer_legal_entities(*, user: User, employer: Employer) -> QuerySet:
    return access.visible_legal_entities(user).filter(employer=employer)


def team_list(*, user: User) -> QuerySet:
    return (
        access.visible_users(user)
        .select_related("employer_contact__employer")
        .exclude(role="employee")
        .order_by("role", "last_name", "first_name")
    )


def audit_search(*, user: User, q: str = "", action: str = "", date_from=None, date_to=None):
    events = access.visible_audit_events(user)
    if q:
        events = events.filter(
            Q(actor_email__icontains=q) | Q(object_repr__icontains=q) | Q(object_type=q)
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
    return access.own_file_access_events(user)
