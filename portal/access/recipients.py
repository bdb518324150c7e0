"""Who is told: the people a notice, message or report goes to. See ``portal.access``."""

from django.db.models import Q, QuerySet

from rapportages.models import Report
from trajecten.models import (
    Trajectory,
)

from ..constants import Role
from ..models import (
    User,
)

# --- Who is told: the inverse of the rules above, for notices ---------------------------------


def _contacts_of(trajectory: Trajectory) -> Q:
    return Q(
        role=Role.EMPLOYER_CONTACT,
        employer_contact__employer_id=trajectory.legal_entity.employer_id,
    ) & (
        Q(employer_contact__all_legal_entities=True)
        | Q(employer_contact__legal_entities=trajectory.legal_entity_id)
    )


def employer_contacts_of(trajectory: Trajectory) -> QuerySet:
    """The active employer contacts who see the trajectory's BV."""
    return User.objects.filter(
        _contacts_of(trajectory), agency_id=trajectory.agency_id, is_active=True
    ).distinct()


def message_participants(trajectory: Trajectory) -> QuerySet:
    """Everyone who may post in the trajectory's thread: its specialists and the employer
    contacts who see its BV."""
    specialists = Q(role=Role.SPECIALIST, trajectory_memberships__trajectory=trajectory)
    return User.objects.filter(
        _contacts_of(trajectory) | specialists, agency_id=trajectory.agency_id, is_active=True
    ).distinct()


def agency_admins(agency_id: int) -> QuerySet:
    return User.objects.filter(agency_id=agency_id, role=Role.AGENCY_ADMIN, is_active=True)


def agency_staff(agency_id: int) -> QuerySet:
    """Admins and specialists of the agency (a referral's notice; the specialist choices)."""
    return User.objects.filter(
        agency_id=agency_id, role__in=[Role.SPECIALIST, Role.AGENCY_ADMIN], is_active=True
    ).order_by("first_name", "last_name")


def agency_specialists(agency_id: int) -> QuerySet:
    return agency_staff(agency_id).filter(role=Role.SPECIALIST)


def report_approvers(report: Report) -> list:
    """Who is asked to approve: the trajectory's other specialists and the agency admins."""
    members = [
        m.user
        for m in report.trajectory.memberships.select_related("user").filter(user__is_active=True)
        if m.user_id != report.signed_by_id
    ]
    admins = [u for u in agency_admins(report.agency_id) if u.pk != report.signed_by_id]
    return list({u.pk: u for u in [*members, *admins]}.values())
