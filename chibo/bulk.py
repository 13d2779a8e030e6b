"""Bulk loading: the seed commands write thousands of rows at once. What keeps derived data equal to the
source row by row (the dashboards' summary tables) stands aside while `loading()` is on, and the loader
rebuilds it at the end (`manage.py summaries --rebuild`)."""

import threading
from contextlib import contextmanager

_local = threading.local()


@contextmanager
def loading():
    previous = getattr(_local, "on", False)
    _local.on = True
    try:
        yield
    finally:
        _local.on = previous


def is_loading():
    return getattr(_local, "on", False)
