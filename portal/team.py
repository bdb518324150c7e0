"""Running the agency's team: the write services behind the team pages (agency admins only).

Each takes keyword-only plain data and the actor, checks the actor's right (``portal.access``)
and every rule itself, writes and audits, like every service (``portal/writes.py``):

* ``member_update``: a name, and for agency staff the role (specialist or admin); the agency
  keeps at least one active admin.
* ``member_deactivate`` / ``member_reactivate``: a deactivated user cannot log in; every
  session, API token and calendar link of theirs ends at once (``sessions_end``), so
  reactivating never revives an old cookie or secret. A specialist who is still primary on
  open trajectories is not deactivated until they are transferred.
* ``mfa_reset``: the user's authenticator app and recovery codes are removed and their
  sessions and tokens end; staff enrol again at their next login (``MandatoryMFAMiddleware``).
* A role change ends the member's sessions and tokens too: rights granted under the old role
  never outlive it.
* ``trajectories_transfer``: some or all of a specialist's trajectories (where they are the
  primary specialist) to an active colleague.
* ``stand_in_create`` / ``stand_in_delete``: a colleague who sees and handles an absent
  specialist's trajectories in a period (the caseload rule in ``portal.access``).
"""

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trajecten.models import Trajectory

from . import access, live, writes
from .constants import AuditAction, Role
from .models import ApiToken, EmployerContact, StandIn, User

STAFF_ROLES = (Role.AGENCY_ADMIN, Role.SPECIALIST)
OPEN_STATUSES = ("referred", "active")


def sessions_end(member: User) -> dict:
    """End every session, API token and calendar link of ``member`` at once: the session
    generation goes up (``User._get_session_auth_hash``: each open session is flushed at its
    next request, also one kept alive by polling), the tokens and the feed are revoked.
    Returns what it ended, for the audit trail."""
    User.objects.filter(pk=member.pk).update(session_generation=F("session_generation") + 1)
    member.refresh_from_db(fields=["session_generation"])
    live.revoke(member.pk)
    revoked = ApiToken.objects.filter(user=member, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    feed = getattr(member, "calendar_feed", None)
    if feed is not None:
        feed.revoke()  # a new token: the old link finds nothing
    return {"sessions_ended": True, "api_tokens_revoked": revoked}


def _member(actor: User, member: User, *, admins: bool = False) -> User:
    """The member's row, locked. With ``admins`` first every active admin of the agency, in
    one order: two admins deactivating (or demoting) each other at once then wait for each
    other, and the second meets the first's change and the rule's message, not a deadlock."""
    writes.allowed(access.can_manage_agency(actor))
    if admins:
        list(
            User.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .filter(role=Role.AGENCY_ADMIN, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return writes.fresh(member, actor, lock=True)


def _is_last_admin(member: User) -> bool:
    return (
        member.role == Role.AGENCY_ADMIN
        and not User.objects.filter(
            agency_id=member.agency_id, role=Role.AGENCY_ADMIN, is_active=True
        )
        .exclude(pk=member.pk)
        .exists()
    )


@transaction.atomic
def member_update(
    *,
    actor: User,
    member: User,
    first_name: str,
    last_name: str,
    role: str | None = None,
    sees_invoices: bool | None = None,
) -> User:
    member = _member(actor, member, admins=bool(role))
    if sees_invoices is not None:
        _contact_sees_invoices(actor, member, sees_invoices)
    changes = {"first_name": first_name.strip(), "last_name": last_name.strip()}
    if role and role != member.role:
        if member.role not in STAFF_ROLES or role not in STAFF_ROLES:
            writes.refuse("role", _("Only agency staff change role, between specialist and admin."))
        if _is_last_admin(member):
            writes.refuse("role", _("The agency needs at least one active admin."))
        changes["role"] = role
    changed = writes.apply(member, changes)
    if "first_name" in changed or "last_name" in changed:
        live.bump_agency(member.agency_id)  # the dashboards name the specialist
    ended = sessions_end(member) if "role" in changed else {}
    return writes.saved(member, actor=actor, changed=changed, creating=False, **ended)


def _contact_sees_invoices(actor: User, member: User, sees: bool) -> None:
    """The invoices right of an employer contact (``access.sees_invoices``)."""
    writes.allowed(access.can_manage_invoices(actor))
    if not member.is_employer_contact:
        writes.refuse("sees_invoices", _("Only employer contacts get the invoices right."))
    contact = EmployerContact.objects.select_for_update().get(user=member)
    if contact.sees_invoices != sees:
        contact.sees_invoices = sees
        contact.save(update_fields=["sees_invoices"])
        writes.record(AuditAction.UPDATE, contact, actor=actor,
                      details={"fields": ["sees_invoices"]})  # fmt: skip


def open_primary_trajectories(actor: User, member: User):
    """The open trajectories ``member`` leads, as ``actor`` may see them."""
    return Trajectory.objects.visible_to(actor).filter(
        memberships__user=member, memberships__role="primary", status__in=OPEN_STATUSES
    )


@transaction.atomic
def member_deactivate(*, actor: User, member: User) -> User:
    member = _member(actor, member, admins=True)
    if member.pk == actor.pk:
        writes.refuse(None, _("You cannot deactivate yourself."))
    if _is_last_admin(member):
        writes.refuse(None, _("The agency needs at least one active admin."))
    if member.role == Role.SPECIALIST:
        open_count = open_primary_trajectories(actor, member).count()
        if open_count:
            writes.refuse(None, ngettext(
                "%(name)s is the primary specialist of %(n)s open trajectory: transfer it to a "
                "colleague first.",
                "%(name)s is the primary specialist of %(n)s open trajectories: transfer them "
                "to a colleague first.",
                open_count,
            ) % {"name": member.get_full_name(), "n": open_count})  # fmt: skip
    member.is_active = False
    member.save(update_fields=["is_active"])
    ended = sessions_end(member)
    writes.record(AuditAction.UPDATE, member, actor=actor, details={"deactivated": True, **ended})
    return member


@transaction.atomic
def member_reactivate(*, actor: User, member: User) -> User:
    member = _member(actor, member)
    member.is_active = True
    member.save(update_fields=["is_active"])
    ended = sessions_end(member)  # a cookie kept from before the deactivation stays dead
    writes.record(AuditAction.UPDATE, member, actor=actor, details={"reactivated": True, **ended})
    return member


@transaction.atomic
def mfa_reset(*, actor: User, member: User) -> User:
    from allauth.mfa.models import Authenticator

    member = _member(actor, member)
    if member.pk == actor.pk:
        writes.refuse(None, _("Change your own two-step verification on your account page."))
    removed, _kinds = Authenticator.objects.filter(user=member).delete()
    ended = sessions_end(member)
    writes.record(AuditAction.UPDATE, member, actor=actor, details={"mfa_reset": removed, **ended})
    return member


def has_mfa(users) -> set[int]:
    """The ids of ``users`` with an authenticator app: one query for the team list."""
    from allauth.mfa.models import Authenticator

    return set(
        Authenticator.objects.filter(user__in=users, type=Authenticator.Type.TOTP).values_list(
            "user_id", flat=True
        )
    )


def _active_specialist(actor: User, user: User, field: str) -> User:
    colleague = User.objects.visible_to(actor).filter(pk=user.pk, is_active=True).first()
    if colleague is None or colleague.role != Role.SPECIALIST:
        writes.refuse(field, _("Choose an active specialist of your agency."))
    return colleague


@transaction.atomic
def trajectories_transfer(
    *, actor: User, from_user: User, to_user: User, trajectories: list
) -> int:
    """Make ``to_user`` the primary specialist of ``trajectories`` (each must have
    ``from_user`` as its primary specialist). Returns how many moved."""
    writes.allowed(access.can_manage_agency(actor))
    from_user = writes.fresh(from_user, actor)
    to_user = _active_specialist(actor, to_user, "to_user")
    if to_user.pk == from_user.pk:
        writes.refuse("to_user", _("Choose a colleague, not the same specialist."))
    if not trajectories:
        writes.refuse("trajectories", _("Choose at least one trajectory."))
    from trajecten.models import TrajectoryMember

    ids = [t.pk for t in trajectories]
    primaries = list(
        TrajectoryMember.objects.select_for_update()
        .filter(
            trajectory_id__in=Trajectory.objects.visible_to(actor).filter(id__in=ids).values("id")
        )
        .filter(role="primary", user=from_user)
        .select_related("trajectory")
    )
    if len(primaries) != len(set(ids)):
        writes.refuse("trajectories", _("Choose trajectories this specialist is primary on."))
    for membership in primaries:
        # A colleague already on the team of the trajectory becomes its primary specialist.
        TrajectoryMember.objects.filter(trajectory=membership.trajectory, user=to_user).delete()
        membership.user = to_user
        membership.save(update_fields=["user"])
        writes.record(
            AuditAction.UPDATE, membership.trajectory, actor=actor,
            details={"primary_specialist": {"from": from_user.get_full_name(),
                                            "to": to_user.get_full_name()}},
        )  # fmt: skip
    return len(primaries)


@transaction.atomic
def stand_in_create(
    *, actor: User, absent: User, stand_in: User, starts_on: date, ends_on: date
) -> StandIn:
    writes.allowed(access.can_manage_agency(actor))
    absent = writes.fresh(absent, actor)
    if absent.role != Role.SPECIALIST:
        writes.refuse("absent", _("Choose an active specialist of your agency."))
    stand_in = _active_specialist(actor, stand_in, "stand_in")
    if stand_in.pk == absent.pk:
        writes.refuse("stand_in", _("Choose a colleague, not the same specialist."))
    if ends_on < starts_on:
        writes.refuse("ends_on", _("The end lies before the start."))
    if ends_on < timezone.localdate():
        writes.refuse("ends_on", _("This period is over already."))
    overlapping = StandIn.objects.filter(
        agency_id=actor.agency_id, absent=absent, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    if overlapping.exists():
        writes.refuse("starts_on", _("%(name)s already has a stand-in in this period.") % {
            "name": absent.get_full_name()})  # fmt: skip
    record = StandIn(
        agency_id=actor.agency_id, absent=absent, stand_in=stand_in,
        starts_on=starts_on, ends_on=ends_on, created_by=actor,
    )  # fmt: skip
    live.bump_agency(actor.agency_id, employer_ids=())  # the stand-in's dashboards see more
    return writes.saved(
        record, actor=actor, changed=None, creating=True,
        absent=absent.get_full_name(), stand_in=stand_in.get_full_name(),
    )  # fmt: skip


@transaction.atomic
def stand_in_delete(*, actor: User, stand_in: StandIn) -> None:
    writes.allowed(access.can_manage_agency(actor))
    stand_in = writes.fresh(stand_in, actor, lock=True)
    writes.record(
        AuditAction.DELETE, stand_in, actor=actor,
        details={"absent": stand_in.absent.get_full_name(),
                 "stand_in": stand_in.stand_in.get_full_name()},
    )  # fmt: skip
    stand_in.delete()
    live.bump_agency(actor.agency_id, employer_ids=())  # the stand-in's dashboards see less
