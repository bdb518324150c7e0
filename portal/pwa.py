"""The employee's part as an installable web app that keeps working without a connection.

* ``manifest``: name, icons and colours, so a phone offers "Add to home screen".
* ``service_worker`` (``/sw.js``, scope ``/``): keeps the app shell (CSS, scripts, icons, the
  offline page) and the three pages an employee needs on the road (home, "my applications",
  the application form) as they were last seen. A new application posted while the phone has
  no connection is kept in the phone's outbox (IndexedDB) and the employee sees it waiting on
  "my applications"; ``static/js/outbox.js`` sends it when the connection returns. The form's
  idempotency key makes a resend record it once (``sollicitaties.services.activity_create``).
* Nothing personal stays behind at logout: the logout answer carries ``Clear-Site-Data``
  (caches, storage and the service worker), and any page seen logged out clears them too (for
  a session that simply expired). An outbox still waiting at logout is dropped with it, which
  the waiting banner makes visible beforehand.
* **Kept pages belong to the session that kept them** (a shared phone): every page of a
  logged-in user says which session it belongs to and until when that session lasts without
  a request (``X-Offline-Session``, ``X-Offline-Until``: the idle timeout), and the readable
  browser-session cookie ``sb_offline`` names the current one (an HMAC of the session key,
  nothing to steal). Offline, the worker shows a kept page only while that session has not
  timed out and, where the browser lets a worker read cookies (Cookie Store API: Chromium,
  Safari), only while ``sb_offline`` still names it; a closed browser drops its session
  cookies, so the next person sees the offline page and the old pages are deleted.
"""

import hashlib
import json
import time

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

#: The shell the service worker keeps from its first start.
SHELL = [
    "css/spoorboek.css",
    "js/menu.js",
    "js/pwa.js",
    "js/outbox.js",
    "js/upload-check.js",
    "icons/icon-192.png",
]


def manifest(request):
    return JsonResponse(
        {
            "name": "Spoorboek",
            "short_name": "Spoorboek",
            "description": _("Your re-integration file: applications, appointments, reports."),
            "lang": request.LANGUAGE_CODE,
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#f6f8fa",
            "theme_color": "#0b5c7a",
            "icons": [
                {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static("icons/icon-maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        },
        content_type="application/manifest+json",
    )


def service_worker(request):
    """The worker's script, with the shell's (hashed, in production) static URLs; its version
    changes whenever they do, so a phone drops an old shell."""
    shell = [static(path) for path in SHELL] + [reverse("pwa_offline")]
    version = hashlib.sha256(json.dumps(shell).encode()).hexdigest()[:12]
    script = render_to_string(
        "pwa/sw.js",
        {"shell": json.dumps(shell), "version": version, "outbox": static("js/outbox.js")},
    )
    response = HttpResponse(script, content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response


def offline(request):
    """Shown for a page the phone has not kept, while there is no connection. It holds nothing
    personal, so every phone may keep it."""
    return HttpResponse(render_to_string("pwa/offline.html", request=None))


OFFLINE_COOKIE = "sb_offline"


def offline_session(request) -> str | None:
    """The token that binds kept pages to this session: an HMAC of its key."""
    key = getattr(getattr(request, "session", None), "session_key", None)
    if not key or not getattr(request.user, "is_authenticated", False):
        return None
    return salted_hmac("spoorboek.pwa.offline", key).hexdigest()[:32]


class ClearSiteDataOnLogoutMiddleware:
    """At logout the browser throws away what this site stored: cached pages, the outbox and
    the service worker (``Clear-Site-Data``). Every other page says which session it belongs
    to, for the service worker (module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if request.method == "POST" and match and match.url_name == "account_logout":
            response["Clear-Site-Data"] = '"cache", "storage"'
            response.delete_cookie(OFFLINE_COOKIE)
            return response
        token = offline_session(request)
        if token is None:
            if OFFLINE_COOKIE in request.COOKIES:
                response.delete_cookie(OFFLINE_COOKIE)
            return response
        until = int((time.time() + settings.SESSION_IDLE_MINUTES * 60) * 1000)
        response["X-Offline-Session"] = token
        response["X-Offline-Until"] = str(until)
        if request.COOKIES.get(OFFLINE_COOKIE) != token:
            response.set_cookie(  # a browser-session cookie: gone when the browser closes
                OFFLINE_COOKIE,
                token,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=False,  # the service worker reads it (Cookie Store API)
                samesite="Lax",
            )
        return response
