from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit
from allauth.core.internal import ratelimit as _ratelimit  # the module allauth's own adapter uses
from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

from . import audit, live
from .constants import AuditAction

#: The second, higher limit on failed logins: per address, from any IP
#: (``ACCOUNT_RATE_LIMITS["login_failed_address"]``).
ADDRESS_CAP = "login_failed_address"
#: Failed logins per IP, whatever the account (``ACCOUNT_RATE_LIMITS["login_failed_ip"]``).
IP_CAP = "login_failed_ip"
APP = "allauth.account"


class AccountAdapter(DefaultAccountAdapter):
    """Spoorboek has no public sign-up: accounts come from invitations and referrals.

    **Failed logins** are limited so that brute force is blocked but nobody can lock someone
    else out: the tight limit (``login_failed``: 5 in 5 minutes) counts per address *and* IP,
    so wrong passwords from an attacker's address do not block the user's own; a higher cap
    per address from any IP (``login_failed_address``) still stops a distributed attack. A
    locked-out user gets past the lock with a sign-in code sent to their address (allauth's
    login by code; staff still give their TOTP code after it). Every refusal is recorded in
    the audit trail.

    **Many people behind one address** (an office or an HR department behind NAT) log in at
    once without being refused: no counter that every login takes is kept per IP. allauth's
    limiter locks each counter while it reads and writes it, and gives up after a second
    (a constant in allauth) by refusing the login; a lock per IP is what a whole office
    queued on. Per IP only *failures* are counted (``login_failed_ip``, password spraying
    over many accounts), with django-ratelimit's counter: an atomic increment in the cache,
    without a lock. django-ratelimit is used as a library, not as an app: its system check
    rejects the embedded default's per-process cache, which is fine for one runserver."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many failed sign-in attempts. Try again in a few minutes, or sign in with a "
            "code sent to your email address."
        ),
    }

    def login(self, request, user) -> None:
        """From the moment of login the user's own language counts, not the browser's: the
        "logged in" message allauth adds next, and every page after it, use the language on
        the account (``UserLanguageMiddleware`` keeps it for later requests)."""
        super().login(request, user)
        if user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language

    def set_password(self, user, password: str) -> None:
        """Every password allauth sets (changed, reset, set by a code) goes through here. The
        user's other sessions are logged out by Django's session hash on their next view, but
        an open dashboard's unchanged poll is answered before that check (``live.unchanged``),
        so the user's live key is raised too: their next poll goes through the view."""
        super().set_password(user, password)
        live.revoke(user.pk)

    def is_open_for_signup(self, request) -> bool:
        return False

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """Per address and IP: the key of the tight limit."""
        return f"{self._address(**credentials)}:{self.get_client_ip(request)}"

    @staticmethod
    def _address(**credentials) -> str:
        return (credentials.get("email") or credentials.get("username") or "").strip().lower()

    def pre_authenticate(self, request, **credentials) -> None:
        address = self._address(**credentials)
        rate = self._ip_rate()
        if self._failures_from_ip(request, rate=rate) >= rate.amount:
            self._record_lockout(address, limit="ip")
            raise self.validation_error("too_many_login_attempts")
        usage = _ratelimit.consume(request, app=APP, action=ADDRESS_CAP, key=address)
        if not usage:
            self._record_lockout(address, limit="address")
            raise self.validation_error("too_many_login_attempts")
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError:
            usage.rollback()  # refused by the tight limit, which counted it
            self._record_lockout(address, limit="address_and_ip")
            raise
        self._address_usage = usage

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        usage = getattr(self, "_address_usage", None)
        if user and usage:
            usage.rollback()  # a right password is not a failure
        return user

    def authentication_failed(self, request, **credentials) -> None:
        self._failures_from_ip(request, rate=self._ip_rate(), increment=True)

    @staticmethod
    def _ip_rate() -> _ratelimit.Rate:
        (rate,) = _ratelimit.get_rates(app=APP, action=IP_CAP)
        return rate

    def _failures_from_ip(self, request, *, rate: _ratelimit.Rate, increment: bool = False) -> int:
        """This IP's failed logins in the current window of ``rate`` (counted up first if
        ``increment``)."""
        usage = get_usage(
            request,
            group=f"{APP}:{IP_CAP}",
            key=lambda group, request: _ratelimit.get_ip(request),
            rate=(rate.amount, int(rate.duration)),
            increment=increment,
        )
        return usage["count"]

    @staticmethod
    def _record_lockout(address: str, *, limit: str) -> None:
        from .models import User

        account = User.objects.filter(email__iexact=address).only("agency_id").first()
        audit.record_for_account(
            AuditAction.LOGIN_LOCKED,
            agency_id=getattr(account, "agency_id", None),
            actor=None,
            object_type="session",
            details={"email": address[:254], "limit": limit},
        )

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        """A completed password reset lifts both limits for the address."""
        super()._delete_login_attempts_cached_email(request, **credentials)
        ratelimit.clear(request, action=ADDRESS_CAP, key=self._address(**credentials))
