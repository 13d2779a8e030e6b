"""Rows a caller already read: a page that needs the same related rows in two places reads them once."""


def prefetched(instance, name):
    """The rows of `instance`'s relation `name` when the caller read them with prefetch_related, else None.

    For code whose own query selects more than `.all()` would (a `select_related`, a `values_list`): it takes
    the caller's rows when they are there and makes its query only when they are not. The caller's prefetch
    must read the whole relation, unfiltered: a filtered one would silently shorten what the code sees."""
    cache = getattr(instance, "_prefetched_objects_cache", {})
    return list(cache[name]) if name in cache else None
