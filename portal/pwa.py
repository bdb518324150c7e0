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
"""

import hashlib
import json

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
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


class ClearSiteDataOnLogoutMiddleware:
    """At logout the browser throws away what this site stored: cached pages, the outbox and
    the service worker (``Clear-Site-Data``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if request.method == "POST" and match and match.url_name == "account_logout":
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response
