"""Personal API tokens: created in the portal, shown once, stored as a SHA-256 digest."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, writes
from .access import mfa_required
from .constants import AuditAction
from .models import ApiToken, User

PREFIX = "spb_"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, name: str, read_only: bool, valid_days: int | None, orders_only: bool = False
) -> tuple[ApiToken, str]:
    """Returns the token and its plaintext, which is never stored or shown again. An
    ``orders_only`` token (an employer contact's, for a verzuim system) reaches the orders
    endpoints only."""
    from allauth.mfa.utils import is_mfa_enabled

    writes.allowed(access.can_use_api_tokens(user))
    if mfa_required(user) and not is_mfa_enabled(user):
        raise ValidationError(_("Set up two-factor authentication before creating API tokens."))
    if orders_only and not access.can_place_orders(user):
        writes.refuse("orders_only", _("Only an employer's contact places orders."))
    if orders_only:
        read_only = False  # it places orders: the choice "read only" does not apply to it
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        agency_id=user.agency_id,
        user=user,
        name=name,
        prefix=prefix,
        digest=_digest(secret),
        read_only=read_only,
        orders_only=orders_only,
        expires_at=timezone.now() + timedelta(days=valid_days) if valid_days else None,
    )
    writes.record(
        AuditAction.CREATE,
        token,
        actor=user,
        details={"read_only": read_only, "orders_only": orders_only},
    )
    return token, f"{PREFIX}{prefix}_{secret}"


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User) -> None:
    writes.allowed(access.can_revoke_token(actor, token))
    token = writes.fresh(token, actor, lock=True)
    if not token.revoked_at:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        writes.record(AuditAction.UPDATE, token, actor=actor, details={"revoked": True})


def token_check(raw: str) -> ApiToken | None:
    """The usable token for ``raw``, or None. Constant-time comparison of digests."""
    if not raw.startswith(PREFIX) or raw.count("_") < 2:
        return None
    prefix, _sep, secret = raw[len(PREFIX) :].partition("_")
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    if not token.is_usable or not token.user.is_active:
        return None
    return token
