"""Login events for the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .constants import AuditAction
from .models import User


@receiver(user_logged_in)
def _record_login(sender, request, user, **kwargs) -> None:
    audit.record(AuditAction.LOGIN, actor=user, object_type="session")


@receiver(user_logged_out)
def _record_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit.record(AuditAction.LOGOUT, actor=user, object_type="session")


@receiver(user_login_failed)
def _record_failed_login(sender, credentials, request=None, **kwargs) -> None:
    email = (credentials or {}).get("email") or (credentials or {}).get("username") or ""
    user = User.objects.filter(email__iexact=email).only("id", "agency_id").first()
    audit.record(
        AuditAction.LOGIN_FAILED,
        actor=None,
        agency_id=getattr(user, "agency_id", None),
        object_type="session",
        details={"email": email[:254]},
    )


# --- Live dashboards --------------------------------------------------------------------------


def _bump_dashboards(sender, instance, **kwargs) -> None:
    """Anything an employer's or agency's dashboard shows changed: raise their versions."""
    from . import live

    trajectory = getattr(instance, "trajectory", None)
    if trajectory is None and hasattr(instance, "activity"):
        trajectory = instance.activity.trajectory
    if trajectory is None and hasattr(instance, "legal_entity_id"):
        trajectory = instance
    if trajectory is not None:
        live.bump_trajectory(trajectory)


def connect_dashboard_signals() -> None:
    from django.db.models.signals import post_save

    from rapportages.models import Report
    from sollicitaties.models import ApplicationActivity, StatusChange
    from trajecten.models import ConversationReport, Message, PhaseChange, Trajectory

    for model in (
        ApplicationActivity,
        StatusChange,
        ConversationReport,
        Report,
        Trajectory,
        PhaseChange,
        Message,
    ):
        post_save.connect(_bump_dashboards, sender=model, dispatch_uid=f"live-{model.__name__}")
