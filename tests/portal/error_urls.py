"""The portal's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import BadRequest
from django.urls import path

from config.urls import *  # noqa: F403 - the same handlers
from config.urls import urlpatterns as portal_urlpatterns


def boom(request):
    raise RuntimeError("a fault in a view")


def bad(request):
    raise BadRequest("unreadable")


def interrupted(request):
    from django.contrib.sessions.exceptions import SessionInterrupted

    raise SessionInterrupted("The session was deleted before the request completed.")


urlpatterns = [
    path("boom/", boom),
    path("api/v1/boom/", boom),
    path("bad/", bad),
    path("interrupted/", interrupted),
    *portal_urlpatterns,
]
