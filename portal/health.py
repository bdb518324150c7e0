"""Liveness and readiness for load balancers and orchestrators (docker-compose, Kubernetes).

* ``/healthz/`` (``portal.views.healthz``): the process answers and reaches the database.
* ``/readyz/``: the instance can serve real work: the database answers, the cache and broker
  (Redis, when configured) store and return a value, and the file storage accepts and deletes
  a small file. 200 ``{"status": "ok"}`` or 503 ``{"status": "unavailable"}``; which check
  failed is said only to platform operators (and in the log), never to an anonymous caller,
  and no answer carries anything of a tenant.

The full check writes (a cache key, a file), so it runs only for a platform operator or a
caller with ``READYZ_TOKEN`` (header ``X-Readyz-Token``; docker-compose's health check sends
it). Anyone else gets the cheap check, which writes nothing: the database answers and the
cache can be read. So an anonymous caller cannot make every request write to the storage.
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.utils.crypto import constant_time_compare

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    key, value = f"readyz:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)


def _storage() -> None:
    name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)


def _cache_read() -> None:
    cache.get("readyz")  # raises when the cache cannot be reached


CHECKS = {"database": _database, "cache": _cache, "storage": _storage}
CHEAP_CHECKS = {"database": _database, "cache": _cache_read}


def _full(request) -> bool:
    if getattr(request.user, "is_staff", False) and request.user.is_active:
        return True
    token = settings.READYZ_TOKEN
    given = request.headers.get("X-Readyz-Token", "")
    return bool(token) and constant_time_compare(given, token)


def readyz(request):
    results = {}
    checks = CHECKS if _full(request) else CHEAP_CHECKS
    for name, check in checks.items():
        try:
            check()
        except Exception:  # any failure means "not ready"; the log says which and why
            logger.warning("Readiness check %s failed", name, exc_info=True)
            results[name] = "failed"
        else:
            results[name] = "ok"
    ready = all(result == "ok" for result in results.values())
    body = {"status": "ok" if ready else "unavailable"}
    if getattr(request.user, "is_staff", False) and request.user.is_active:
        body["checks"] = results  # platform operators only
    return JsonResponse(body, status=200 if ready else 503)
