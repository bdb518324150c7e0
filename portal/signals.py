"""Login and two-factor events for the audit trail (Django's and allauth's own signals).

No model signal drives a side effect in Spoorboek: the services call what follows a change
(``portal.live`` versions, notices, follow-up drafts) themselves, so bulk writes and
``update()`` cannot skip it (``portal.writes``)."""

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
