"""Counting requests or e-mails in a time window, in the cache (Redis in production)."""

from django.core.cache import cache


def count(key, seconds):
    """Count one more under `key` in the current window of `seconds`; the count so far, this one included.

    While the cache is away every call counts 1 (chibo/cache.py): a throttle lets the request through."""
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, timeout=seconds)
        return 1
