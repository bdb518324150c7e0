"""Login and two-factor events for the audit trail, and the change versions that keep the
dashboards live (``portal.live``)."""

import contextlib

from allauth.mfa.signals import authentication_failed as mfa_authentication_failed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .constants import AuditAction
from .models import User


@receiver(user_logged_in)
def _record_login(sender, request, user, **kwargs) -> None:
    audit.record_for_account(
        AuditAction.LOGIN, agency_id=user.agency_id, actor=user, object_type="session"
    )


@receiver(user_logged_out)
def _record_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit.record(AuditAction.LOGOUT, actor=user, object_type="session")


@receiver(user_login_failed)
def _record_failed_login(sender, credentials, request=None, **kwargs) -> None:
    email = (credentials or {}).get("email") or (credentials or {}).get("username") or ""
    user = User.objects.filter(email__iexact=email).only("id", "agency_id").first()
    audit.record_for_account(
        AuditAction.LOGIN_FAILED,
        actor=None,
        agency_id=getattr(user, "agency_id", None),
        object_type="session",
        details={"email": email[:254]},
    )


@receiver(mfa_authentication_failed)
def _record_failed_mfa(sender, request, user, authenticator, reauthentication, **kwargs) -> None:
    """A wrong TOTP or recovery code: the password was right, so this may be an attack on a
    stolen password. Who (the account), when and from where; never the code."""
    audit.record_for_account(
        AuditAction.MFA_FAILED,
        agency_id=user.agency_id,
        actor=user,
        object_type="session",
        details={"reauthentication": bool(reauthentication)},
    )


# --- Live dashboards --------------------------------------------------------------------------


def _bump_dashboards(sender, instance, **kwargs) -> None:
    """Anything an employer's or agency's dashboard shows changed: raise their versions."""
    from trajecten.models import Extension, SicknessCase, Trajectory

    from . import live

    if isinstance(instance, Trajectory):
        trajectories = [instance]
    elif isinstance(instance, SicknessCase):
        trajectories = list(instance.trajectories.select_related("legal_entity"))
    elif isinstance(instance, Extension):
        trajectories = list(instance.case.trajectories.select_related("legal_entity"))
    elif hasattr(instance, "activity"):
        trajectories = [instance.activity.trajectory]
    else:
        trajectories = [instance.trajectory]
    for trajectory in trajectories:
        live.bump_trajectory(trajectory)


def _bump_dashboards_safely(sender, instance, **kwargs) -> None:
    """During a cascade delete the parent may already be gone: nothing left to show then."""
    from django.core.exceptions import ObjectDoesNotExist

    with contextlib.suppress(ObjectDoesNotExist):
        _bump_dashboards(sender, instance, **kwargs)


def connect_dashboard_signals() -> None:
    """Every model whose change can alter a dashboard (its rows, figures or risk signals)."""
    from django.db.models.signals import post_delete, post_save

    from rapportages.models import Report
    from sollicitaties.models import ApplicationActivity, ApplicationNorm, StatusChange
    from trajecten.models import (
        ConversationReport,
        Extension,
        Message,
        PhaseChange,
        SicknessCase,
        Trajectory,
        TrajectoryMember,
    )

    for model in (
        ApplicationActivity,
        ApplicationNorm,
        StatusChange,
        ConversationReport,
        Report,
        Trajectory,
        TrajectoryMember,
        PhaseChange,
        SicknessCase,
        Extension,
        Message,
    ):
        for signal in (post_save, post_delete):
            signal.connect(
                _bump_dashboards_safely, sender=model, dispatch_uid=f"live-{model.__name__}"
            )
