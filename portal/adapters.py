import hashlib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit as _ratelimit  # the module allauth's own adapter uses
from django import forms
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

from . import audit, live
from .constants import AuditAction

#: The second limit on failed logins: per address, the number of IPs that failed at it
#: (``ACCOUNT_RATE_LIMITS["login_failed_address"]``).
ADDRESS_CAP = "login_failed_address"
#: Failed logins per IP, whatever the account (``ACCOUNT_RATE_LIMITS["login_failed_ip"]``).
IP_CAP = "login_failed_ip"
APP = "allauth.account"


class AccountAdapter(DefaultAccountAdapter):
    """Spoorboek has no public sign-up: accounts come from invitations and referrals.

    **Failed logins** are limited so that brute force is blocked but nobody can lock someone
    else out (docs/security.md, "Login limits"):

    * ``login_failed`` (5 in 5 minutes) counts per address *and* IP: guessing at one account
      from one place stops there, and the user's own browser is not touched by it.
    * ``login_failed_address`` counts per address the *IPs* that failed at it this hour (each
      IP once), so one IP can never reach it, however long it keeps trying. Reached (a
      distributed attack), a right password still gets in where a second factor follows (the
      authenticator code); an account without one is told to sign in with a code by email.
    * ``login_failed_ip`` counts failures per IP over all accounts (password spraying): about
      what a person could type, far above an office's typing errors.
    * The way past a lock, a sign-in code by email (or a password reset), is limited per
      address *and* IP (``portal.forms``), so a third party cannot use up the user's quota.

    **Many people behind one address** (an office or an HR department behind NAT) log in at
    once without being refused: no counter that every login takes is kept per IP. allauth's
    limiter locks each counter while it reads and writes it, and gives up after a second
    (a constant in allauth) by refusing the login; a lock per IP is what a whole office
    queued on. The counters here are django-ratelimit's: an atomic increment in the cache,
    without a lock, and only failures count. django-ratelimit is used as a library, not as an
    app: its system check rejects the embedded default's per-process cache, which is fine
    for one runserver."""

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
        if self._ip_blocked(request):
            self._record_lockout(address, limit="ip")
            raise self.validation_error("too_many_login_attempts")
        # Reached, the cap is applied once the password is known (``authenticate``).
        capped = _count(request, ADDRESS_CAP, _cap_key(address)) >= _rate(ADDRESS_CAP).amount
        self._address_capped = capped
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError:
            self._record_lockout(address, limit="address_and_ip")
            raise

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if getattr(self, "_address_capped", False) and not (user and _has_second_factor(user)):
            self._record_lockout(self._address(**credentials), limit="address")
            raise self.validation_error("too_many_login_attempts")
        return user

    def authentication_failed(self, request, **credentials) -> None:
        """Count the failure per IP, and per address the IPs that failed at it (each once an
        hour: the first failure of this IP at this address adds one)."""
        address = self._address(**credentials)
        for rate in _ratelimit.get_rates(app=APP, action=IP_CAP):
            _count(request, IP_CAP, _ratelimit.get_ip(request), rate=rate, increment=True)
        first = _count(
            request, ADDRESS_IPS, f"{address}:{_ratelimit.get_ip(request)}", increment=True
        )
        if first == 1:
            _count(request, ADDRESS_CAP, _cap_key(address), increment=True)

    @staticmethod
    def _ip_blocked(request) -> bool:
        ip = _ratelimit.get_ip(request)
        return any(
            _count(request, IP_CAP, ip, rate=rate) >= rate.amount
            for rate in _ratelimit.get_rates(app=APP, action=IP_CAP)
        )

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
        """A completed password reset lifts the limits for the address."""
        super()._delete_login_attempts_cached_email(request, **credentials)
        epoch = _epoch_key(self._address(**credentials))
        cache.set(epoch, (cache.get(epoch) or 0) + 1, 2 * 3600)  # a new counter from now


#: The counter behind the address cap: one per address and IP, for an hour.
ADDRESS_IPS = "login_failed_address_ip"


def _rate(action: str) -> _ratelimit.Rate:
    if action == ADDRESS_IPS:  # an IP counts once per hour, whatever the cap's window
        return _ratelimit.Rate(amount=1, duration=3600, per="key")
    (rate,) = _ratelimit.get_rates(app=APP, action=action)
    return rate


def _epoch_key(address: str) -> str:
    return "spoorboek:rl:epoch:" + hashlib.sha256(address.encode()).hexdigest()


def _cap_key(address: str) -> str:
    """The address cap's key: the address and the number of times its cap was lifted (a
    completed password reset starts a new counter)."""
    return f"{address}:{cache.get(_epoch_key(address)) or 0}"


def _key(action: str, key: str, rate: _ratelimit.Rate) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"spoorboek:rl:{action}:{int(rate.duration)}:{digest}"


def _count(request, action: str, key: str, *, rate=None, increment: bool = False) -> int:
    """django-ratelimit's fixed-window counter for ``action`` and ``key`` (an atomic
    increment in the cache, no lock): the count in the current window, counted up first if
    ``increment``."""
    rate = rate or _rate(action)
    usage = get_usage(
        request,
        group=f"{APP}:{action}",
        key=lambda group, request: _key(action, key, rate),
        rate=(rate.amount, int(rate.duration)),
        increment=increment,
    )
    return usage["count"]


def _has_second_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
