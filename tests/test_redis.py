"""When REDIS_URL is set (as in CI), the cache and the Celery broker really talk to Redis."""

import multiprocessing
import os
import uuid

import pytest
from django.conf import settings

from portal.rediscache import RedisCache

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set"),
]


def test_redis_cache_round_trip():
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": f"test-{uuid.uuid4()}"})
    cache.set("ping", "pong", timeout=30)
    assert cache.get("ping") == "pong"
    cache.delete("ping")


def test_the_cache_keeps_one_client_and_works_after_a_fork():
    """One redis.Redis per pool (portal.rediscache), shared by every call and still right in
    a process forked after it was used, as gunicorn's and Celery's workers are."""
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": f"test-{uuid.uuid4()}"})
    cache.set("n", 1, timeout=30)
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert cache.incr("n") == 2
    assert cache.get_many(["n", "missing"]) == {"n": 2}

    child = multiprocessing.get_context("fork").Process(target=cache.incr, args=("n",))
    child.start()
    child.join(10)
    assert child.exitcode == 0
    assert cache.get("n") == 3
    cache.delete_many(["n"])
    assert cache.get("n") is None


def test_production_shaped_settings_point_celery_and_cache_at_redis():
    from config import settings as real_settings

    assert os.environ["REDIS_URL"] == real_settings.CELERY_BROKER_URL
    assert real_settings.CELERY_TASK_ALWAYS_EAGER is False
    assert real_settings.CACHES["default"]["BACKEND"] == "portal.rediscache.RedisCache"
    assert settings.CELERY_TASK_ALWAYS_EAGER is True  # tests never queue by accident


def test_celery_broker_connection_to_redis():
    from kombu import Connection

    with Connection(os.environ["REDIS_URL"], connect_timeout=5) as conn:
        conn.ensure_connection(max_retries=2)
        assert conn.connected
