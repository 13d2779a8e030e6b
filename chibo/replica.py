"""Reads that may go to a streaming replica of PostgreSQL, and the primary for whoever just wrote.

A replica (DATABASE_REPLICA_URL) takes the heavy reads off the primary: the dashboards, their exports, the
monthly report, the evaluation's evidence, the committees' list of dues reports not sent and the calendar
feeds that phones ask for every hour. It is chosen by the unit of work, never by model: the dashboards read
meetings and attendance that the attendance page must read from the primary. So reads go to the replica only

- inside `reads` (a view decorator, or `with replica.reads():` around the part of a task that only reads),
- when a replica is configured,
- when the default connection is not in a transaction: a write in progress reads its own rows,
- when the request is not pinned: for REPLICA_PIN_SECONDS after a logged-in user's POST (PUT, PATCH,
  DELETE), a cookie sends that browser's reads to the primary, so that a user always sees their own change
  at once (PinMiddleware; a cookie costs no query and no session write),
- and when the replica is no further behind than REPLICA_MAX_LAG_SECONDS: asked of the replica at most
  every LAG_CHECK_SECONDS per process, never per request. A replica that cannot be reached counts as too far
  behind, so the pages it serves fall back on the primary.

Everything else reads from the primary, and every write goes there. A view under `reads` runs outside any
transaction of the request (`non_atomic_requests`, which chibo/transactions.py honours): it only reads, and a
transaction around it would keep the default connection in a transaction, the replica unused.
"""

import functools
import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils.functional import empty

ALIAS = "replica"
COOKIE = "chibo_primary"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# How often a process asks the replica how far behind it is (one query per process per this many seconds).
LAG_CHECK_SECONDS = 2
# Seconds behind the primary: 0 when everything received is replayed, else the time since the primary
# committed the last transaction replayed. (On a primary, or a replica that receives nothing, NULL: 0.)
LAG_SQL = (
    "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)

log = logging.getLogger(__name__)
_reads = ContextVar("chibo_replica_reads", default=False)
_pinned = ContextVar("chibo_replica_pinned", default=False)
_lag = {"checked": float("-inf"), "behind": False}


def configured():
    return ALIAS in settings.DATABASES


def reads(view=None):
    """`@replica.reads` on a view that only reads, or `with replica.reads():` around reads in a task.

    Put the decorator under `login_required`: the session and the user are then read from the primary, the
    view's own reads from the replica."""
    if view is None:
        return _reading()

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with _reading():
            return view(*args, **kwargs)

    return transaction.non_atomic_requests(using=DEFAULT_DB_ALIAS)(wrapper)


@contextmanager
def _reading():
    token = _reads.set(True)
    try:
        yield
    finally:
        _reads.reset(token)


def reading_replica():
    """Whether a read made now goes to the replica (the rules in the module's docstring)."""
    return (
        _reads.get()
        and configured()
        and not _pinned.get()
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        and not _too_far_behind()
    )


def may_miss(written_at):
    """Whether a read made now may miss what the primary committed at `written_at` (time.time()): it goes to the
    replica, and the replica has not yet had the REPLICA_PIN_SECONDS the pin gives it."""
    return time.time() - written_at < settings.REPLICA_PIN_SECONDS and reading_replica()


def _too_far_behind():
    limit = settings.REPLICA_MAX_LAG_SECONDS
    if not limit:
        return False
    now = time.monotonic()
    if now - _lag["checked"] >= LAG_CHECK_SECONDS:
        _lag["checked"] = now
        try:
            with connections[ALIAS].cursor() as cursor:
                cursor.execute(LAG_SQL)
                seconds = float(cursor.fetchone()[0])
        except DatabaseError as error:
            log.warning("The replica cannot be reached (%s); reading from the primary.", error)
            seconds = float("inf")
        _lag["behind"] = seconds > limit
    return _lag["behind"]


class Router:
    """DATABASE_ROUTERS: reads to the replica as `reading_replica` says, writes and migrations on the primary."""

    def db_for_read(self, model, **hints):
        return ALIAS if reading_replica() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an object read from either may point at one from the other.
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, ALIAS}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class PinMiddleware:
    """Pins a browser's reads to the primary for REPLICA_PIN_SECONDS after its logged-in user wrote.

    The cookie is set on the response to an unsafe method when the view found a logged-in user; the user is
    never read here for this (an anonymous POST, e.g. a reply link or a provider's report, costs nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _pinned.set(COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if request.method in UNSAFE_METHODS and configured() and _logged_in(request):
            response.set_cookie(COOKIE, "1", max_age=settings.REPLICA_PIN_SECONDS, secure=request.is_secure(),
                                httponly=True, samesite="Lax")  # fmt: skip
        return response


def _logged_in(request):
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:  # AuthenticationMiddleware's lazy user, unread
        return False
    return user.is_authenticated
