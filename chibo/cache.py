"""The Redis cache, forgiving: a cache that is away costs speed, never a page.

Everything Chibo keeps in the cache can be counted again (dashboard figures, their generations) or is a
throttle that lets the request through while it cannot count (incr answers the one request). Nothing that
must hold relies on the cache: a guard against doing a thing twice lives in the database. So while Redis is
down, reads miss, writes are dropped and the request goes on; the outage is logged, once a minute per process.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError, TimeoutError

log = logging.getLogger(__name__)
LOG_EVERY_SECONDS = 60
# After a failure the cache is not asked again for this long: a host that drops packets costs one
# connection time-out every few seconds (per thread: Django keeps a cache client per thread), not one per
# cache call.
RETRY_AFTER_SECONDS = 5
_last_logged = 0.0


def _forgive(name, fallback):
    def method(self, *args, **kwargs):
        global _last_logged
        if time.monotonic() < self.away_until:
            return fallback(*args, **kwargs)
        try:
            return getattr(super(ForgivingRedisCacheClient, self), name)(*args, **kwargs)
        except (ConnectionError, TimeoutError) as exc:  # away; a misconfigured cache still fails loudly
            self.away_until = time.monotonic() + RETRY_AFTER_SECONDS
            if time.monotonic() - _last_logged > LOG_EVERY_SECONDS:
                _last_logged = time.monotonic()
                log.warning("The cache is unavailable (%s); serving without it.", exc)
            return fallback(*args, **kwargs)

    method.__name__ = name
    return method


class ForgivingRedisCacheClient(RedisCacheClient):
    away_until = 0.0  # monotonic time before which this client does not ask Redis (set on an instance)

    # What each call answers while Redis is away: a miss for reads, nothing stored for writes.
    get = _forgive("get", lambda key, default=None: default)
    get_many = _forgive("get_many", lambda keys: {})
    has_key = _forgive("has_key", lambda key: False)
    add = _forgive("add", lambda key, value, timeout: False)
    set = _forgive("set", lambda key, value, timeout: None)
    set_many = _forgive("set_many", lambda data, timeout: None)
    touch = _forgive("touch", lambda key, timeout: False)
    delete = _forgive("delete", lambda key: False)
    delete_many = _forgive("delete_many", lambda keys: None)
    # A counter that cannot be kept counts this request alone (a throttle lets it through).
    incr = _forgive("incr", lambda key, delta: delta)
    clear = _forgive("clear", lambda: False)


class ForgivingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ForgivingRedisCacheClient
