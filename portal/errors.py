"""Error answers in the portal's look and the user's language, or in the API's error shape.

Every status a user can meet (400, 403, 404, 405, 500, 503 and a failed CSRF check; 429 is
allauth's rate limit rendering ``429.html`` in the same layout) is a
page with the menu they know, a sentence that says what happened in plain words and a way back;
under ``/api/`` it is ``{"code": ..., "message": ...}`` as every other API error. A page that
fails to render with the user's context (a 500, or a request that broke before the user was
known) falls back to the standalone layout, which needs neither the database nor the user.

Ordinary refusals (403, 404, 405) are part of normal use, not faults: ``QuietClientErrors``
keeps them in the log as one line without a traceback.
"""

import logging

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

#: The API's ``code`` for each status, as DRF names them.
_CODES = {
    400: "bad_request",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    500: "error",
    503: "unavailable",
}


def _texts(status: int) -> tuple[str, str]:
    """The title and the explanation for a status, in the active language (looked up per
    request, so they follow the language active for it)."""
    texts = {
        400: (
            _("Request not understood"),
            _("Your browser sent something we could not read. Nothing was saved."),
        ),
        403: (
            _("No access"),
            _(
                "You do not have access to this page. Ask your contact person if you think "
                "you should."
            ),
        ),
        404: (
            _("Page not found"),
            _(
                "This page does not exist or you do not have access to it. Check the address, "
                "or start again from your home page."
            ),
        ),
        405: (
            _("Not possible this way"),
            _("This page cannot be used like this. Go back and use the buttons on the page."),
        ),
        500: (
            _("Something went wrong"),
            _(
                "Something went wrong on our side. What you saved before is safe; try again in "
                "a moment. If it keeps happening, tell your contact person."
            ),
        ),
        503: (
            _("Temporarily unavailable"),
            _("Spoorboek cannot be reached just now. Nothing was saved: try again in a minute."),
        ),
    }
    return texts[status]


def _api_message(status: int) -> str:
    """The message DRF itself gives for a status, so an error reads the same whether a view
    or the URL resolver raised it."""
    from rest_framework import exceptions

    messages = {
        400: exceptions.ParseError.default_detail,
        403: exceptions.PermissionDenied.default_detail,
        404: exceptions.NotFound.default_detail,
        500: _("Something went wrong on our side."),
    }
    return str(messages.get(status) or _texts(status)[1])


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def error_response(request, status: int, *, message: str | None = None, headers=None):
    """The answer for ``status``: JSON under /api/, a branded page elsewhere."""
    code = _CODES[status]
    if is_api(request):
        body = {"code": code, "message": str(message or _api_message(status))}
        return JsonResponse(body, status=status, headers=headers)
    title, explanation = _texts(status)
    message = str(message or explanation)
    context = {"status": status, "title": title, "message": message}
    html = None
    if status < 500:
        try:
            html = render_to_string("error.html", context, request=request)
        except Exception:  # the user's context itself failed: fall back, never a second 500
            logger.exception("Rendering the %s page with the user's context failed", status)
    if html is None:
        html = render_to_string("error_standalone.html", context)
    return HttpResponse(html, status=status, headers=headers)


def bad_request(request, exception=None):
    return error_response(request, 400)


def permission_denied(request, exception=None):
    return error_response(request, 403)


def page_not_found(request, exception=None):
    return error_response(request, 404)


def server_error(request):
    return error_response(request, 500)


def csrf_failure(request, reason=""):
    """Django's CSRF refusal: most often a form left open past the session's end, or opened
    before logging in again in another tab. Say so and how to go on."""
    message = _(
        "This form was open too long or your session changed (for example after logging in "
        "again). Nothing was saved. Go back, reload the page and try again."
    )
    return error_response(request, 403, message=message)


class ErrorPageMiddleware:
    """Gives bodiless error answers a page: Django's ``HttpResponseNotAllowed`` (405) has no
    body at all, so a user who reaches a POST-only address by a link would see a blank page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.streaming and not response.content:
            branded = error_response(request, 405)
            if response.has_header("Allow"):
                branded["Allow"] = response["Allow"]
            return branded
        return response


class QuietClientErrors(logging.Filter):
    """Keeps 400/403/404/405 answers in the request log as one line: Django attaches the
    exception's traceback to its warning, which buries real faults. A 400 is the client's
    (a request Django could not read, or the expected race of a logout while the service
    worker fetches a page: ``SessionInterrupted``)."""

    QUIET = frozenset({400, 403, 404, 405})

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in self.QUIET:
            record.exc_info = None
            record.exc_text = None
        return True
