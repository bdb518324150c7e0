"""Authentication, permissions, throttling and pagination. Loaded by DRF's settings, so this
module must not import DRF views or viewsets (that would be circular)."""

from allauth.mfa.utils import is_mfa_enabled
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, permissions, throttling
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import CursorPagination

from .. import api_tokens, audit, changelog, tenancy
from ..access import mfa_required
from ..models import ApiToken


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer spb_…``. Staff tokens only work while the user has MFA."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        token = api_tokens.token_check(parts[1].decode(errors="ignore"))
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        if mfa_required(token.user) and not is_mfa_enabled(token.user):
            raise exceptions.AuthenticationFailed(
                _("Tokens of staff users work only while two-factor authentication is on.")
            )
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        changelog.set_actor(token.user)  # sent with the tenancy setting
        tenancy.activate(tenancy.value_for(token.user))
        audit.set_user(token.user)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API token."}


class ReadOnlyTokens(permissions.BasePermission):
    message = _("This token is read-only.")

    def has_permission(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken) and token.read_only:
            return request.method in permissions.SAFE_METHODS
        return True


class OrdersTokens(permissions.BasePermission):
    """A token for orders (a verzuim system's) reaches only the views made for orders
    (``for_orders = True``): elsewhere it answers as no token would, 403."""

    message = _("This token only places and follows orders.")

    @staticmethod
    def _orders_token(request) -> bool:
        return isinstance(request.auth, ApiToken) and request.auth.orders_only

    def has_permission(self, request, view):
        if not self._orders_token(request):
            return True
        actions = getattr(view, "for_orders_actions", ())
        return getattr(view, "for_orders", False) or getattr(view, "action", None) in actions

    def has_object_permission(self, request, view, obj):
        """Outside the orders' own views (a report's PDF that an order's status links to),
        only what belongs to an ordered trajectory."""
        if not self._orders_token(request) or getattr(view, "for_orders", False):
            return True
        trajectory = getattr(obj, "trajectory", None)
        return bool(getattr(trajectory, "ordered", False))


class TenantUser(permissions.IsAuthenticated):
    """Logged in (session or token) and a user of an agency."""

    def has_permission(self, request, view):
        return bool(super().has_permission(request, view) and request.user.agency_id)


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Per token (or per user for sessions)."""

    scope = "api"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.uuid}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class Pagination(CursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-created_at"
