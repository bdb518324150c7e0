"""Django's Redis cache backend, keeping one ``redis.Redis`` client per connection pool.

Django's ``RedisCacheClient.get_client`` makes a new ``redis.Redis`` for every cache call,
and redis-py builds its table of some 165 response callbacks in every new client (redis-py
issue 3624; the fix, pull request 4124, is not released). A dashboard poll answered 204
makes two cache calls, a page ten or more: on this machine that was about a third of an
unchanged poll's CPU time. A client is safe to share (each command takes a connection from
the pool, which redis-py resets after a fork), so the client is made once per pool and kept.
Everything else is Django's backend unchanged."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _KeptClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _KeptClient
