from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import InterfaceError, OperationalError, connection, transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from . import access, audit, changelog, live, tenancy


class AuditContextMiddleware:
    """Makes the acting user and their IP address available to ``portal.audit.record``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.set_context(
            audit.AuditContext(
                user=request.user, ip_address=audit.client_ip(request), path=request.path
            )
        )
        try:
            return self.get_response(request)
        finally:
            audit.reset_context(token)


class UserLanguageMiddleware:
    """A logged-in user sees the portal in the language stored on their account."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


#: Pages a user without MFA may still reach: enrolling itself, logging out, the language switch.
MFA_ENROLMENT_URL_NAMES = frozenset(
    {
        "mfa_activate_totp",
        "mfa_index",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
        "mfa_reauthenticate",
        "account_logout",
        "account_email_verification_sent",
        "account_confirm_email",
        "set_language",
        "healthz",
        "readyz",
    }
)


class MandatoryMFAMiddleware:
    """Until they enrol in TOTP, users who must use MFA reach nothing but the enrolment pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or not access.mfa_required(user):
            return None
        match = request.resolver_match
        if match and match.url_name in MFA_ENROLMENT_URL_NAMES:
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        if is_mfa_enabled(user):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "code": "mfa_required",
                    "message": str(_("Set up two-factor authentication first.")),
                },
                status=403,
            )
        return redirect("mfa_activate_totp")


class NoStoreMiddleware:
    """Every response of the application (pages, API, downloads) holds or may hold personal
    data: no browser or proxy cache keeps it (``Cache-Control: no-store, private``). Static
    files are answered by WhiteNoise above this and keep their long cache lifetime."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response


#: Where a larger upload than ``UPLOAD_MAX_MB`` is taken: a transfer archive (``overdracht``),
#: a whole agency's files with their PDFs, up to ``TRANSFER_UPLOAD_MAX_MB``.
LARGE_UPLOAD_PATHS = ("/overdracht/",)


def upload_max_bytes(path: str = "") -> int:
    if path.startswith(LARGE_UPLOAD_PATHS):
        return settings.TRANSFER_UPLOAD_MAX_BYTES
    return settings.UPLOAD_MAX_BYTES


def request_max_bytes(path: str = "") -> int:
    """The largest request body accepted: one upload of ``UPLOAD_MAX_MB`` plus room for the
    form's other fields and the multipart boundaries."""
    return upload_max_bytes(path) + REQUEST_OVERHEAD_BYTES


REQUEST_OVERHEAD_BYTES = 1024 * 1024


class RequestSizeLimitMiddleware:
    """A request whose declared body is larger than an upload may be is refused with 413 and
    a message in the user's language before a byte of it is read. The reverse proxy should
    refuse such bodies too (docs/security.md), so they never reach a worker."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > request_max_bytes(request.path):
            return self._too_large(request)
        return self.get_response(request)

    @staticmethod
    def _too_large(request):
        message = _(
            "What you sent is larger than %(max)s, the most a file may be. Nothing was saved: "
            "choose a smaller file and try again."
        ) % {"max": filesizeformat(upload_max_bytes(request.path))}
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "too_large", "message": str(message)}, status=413)
        html = render_to_string("413.html", {"message": message}, request=request)
        # No "Connection: close" here: WSGI leaves hop-by-hop headers to the server, and
        # gunicorn discards the unread body itself before the next request on the connection.
        return HttpResponse(html, status=413)


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, except that a request a view marks passive (a dashboard's
    live-update poll) leaves an unmodified session alone: a poll is not user activity, so it
    must not keep an idle session alive (``SESSION_SAVE_EVERY_REQUEST``) nor write the
    session store every few seconds."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if getattr(request, "passive_session", False) and session and not session.modified:
            return response
        return super().process_response(request, response)


class LivePollMiddleware:
    """A dashboard's poll that finds nothing changed is answered 204 here, from the session and
    one cache read (``portal.live.unchanged``), before authentication, row-level security or
    the view touch the database: with hundreds of dashboards open these polls are most of a
    host's requests. Anything else (a change, a session that rendered no dashboard, a user
    whose access changed since) goes on to the view and its checks. A 204 carries nothing,
    so answering it from the session reveals nothing; the poll leaves the session as it was."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.paths = None

    def __call__(self, request):
        if (
            request.method == "GET"
            and "v" in request.GET
            and request.headers.get("HX-Request") == "true"
            and request.path_info in self._paths()
            and live.unchanged(request.session, request.GET["v"])
        ):
            request.passive_session = True
            return HttpResponse(status=204)
        return self.get_response(request)

    def _paths(self) -> frozenset[str]:
        if self.paths is None:
            self.paths = frozenset(reverse(name) for name in live.LIVE_URL_NAMES)
        return self.paths


def database_unavailable(request) -> HttpResponse:
    """The answer when the database goes away mid-request: the request's transaction is rolled
    back, so nothing is half-saved; the user is told so and to try again (503), rendered
    without touching the database."""
    from .errors import error_response

    message = _(
        "The database cannot be reached just now. Nothing was saved: try again in a minute."
    )
    return error_response(request, 503, message=message, headers={"Retry-After": "60"})


class DatabaseUnavailableMiddleware:
    """A view that loses the database answers ``database_unavailable``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        return database_unavailable(request)


class TenancyMiddleware:
    """Runs the rest of the request in one transaction whose row-level security setting is
    ``identity`` until the user is known, then their agency (``portal.tenancy``). The view's
    own transaction (ATOMIC_REQUESTS) nests inside it as a savepoint, so a failing view still
    rolls back alone. Without PostgreSQL this does nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Changes made by the request are the user's, through a page or the API (the history
        # of the file, ``portal.changelog``); the context travels with the tenancy setting.
        context = {"via": changelog.via_for(request.path), "path": request.path, "push": False}
        if not tenancy.enabled():
            with changelog.recording(**context):
                changelog.set_actor(request.user)  # read when a row is written
                return self.get_response(request)
        outermost = not connection.in_atomic_block
        try:
            with transaction.atomic():
                with changelog.recording(**context):
                    previous = tenancy.activate(tenancy.IDENTITY)
                    value = tenancy.value_for(request.user)  # reads the user as `identity`
                    changelog.set_actor(request.user)
                    if value != tenancy.IDENTITY:
                        tenancy.activate(value)
                    response = self.get_response(request)
                if not outermost:  # nested (a test): leave the outer values as they were
                    tenancy.activate(previous)
        except (OperationalError, InterfaceError):
            # Lost at commit: nothing of the request was saved.
            return database_unavailable(request)
        return response


class NulCharacterMiddleware:
    """A NUL character cannot be stored or looked up in PostgreSQL: in the path, the query,
    a cookie, the Authorization header or a form field it would reach the database as an
    error (a 500). No person types one, so such a request is answered 400 ("not understood")
    before anything reads it, in the browser's language. This one, early, looks at what
    comes before the body (a session cookie is read by the middleware after it);
    ``NulFormMiddleware`` at the form fields, once the body's size was checked. A JSON body's
    strings are refused by DRF's own fields; uploads are checked by content."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in text for text in self._texts(request)):
            from .errors import error_response

            with translation.override(translation.get_language_from_request(request)):
                return error_response(request, 400)
        return self.get_response(request)

    @staticmethod
    def _texts(request) -> list[str]:
        texts = [request.path, request.META.get("HTTP_AUTHORIZATION", "")]
        texts += [*request.COOKIES.values(), *request.COOKIES]
        return texts + [t for key, values in request.GET.lists() for t in (key, *values)]


class NulFormMiddleware(NulCharacterMiddleware):
    """The form fields of a POST (urlencoded or multipart; a file's content is the upload
    check's), after ``RequestSizeLimitMiddleware`` refused a body too large to read."""

    FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

    def _texts(self, request) -> list[str]:
        if request.method != "POST" or request.content_type not in self.FORMS:
            return []
        return [t for key, values in request.POST.lists() for t in (key, *values)]
