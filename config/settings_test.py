"""Test settings: the normal settings with fast hashing, eager tasks and private temp storage.

Tasks always run eagerly here and the broker is in-memory, so no test queues real work by
accident; tests that need the real Redis say so with the ``redis`` marker and connect
explicitly. The database follows DATABASE_URL, so `.ci/run` tests on PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "true")  # settings default to production (fail closed)

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="spoorboek-test-files-")
STATIC_ROOT = tempfile.mkdtemp(prefix="spoorboek-test-static-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Rate-limit counters must not leak between tests: each test gets a fresh local cache.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SITE_URL = "http://testserver"
