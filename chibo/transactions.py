"""One transaction per request that changes things, none for a request that only reads.

Django's ATOMIC_REQUESTS wraps every view in a transaction, reads included: on PostgreSQL that is a BEGIN and a
COMMIT around every page, two of the seven statements the cheapest page cost (issue 17). This middleware keeps
ATOMIC_REQUESTS' promise where it matters and drops its cost where it does not:

- a POST, PUT, PATCH or DELETE runs its view in one transaction, exactly as ATOMIC_REQUESTS did: all its
  writes or none;
- a GET (HEAD, OPTIONS) reads in autocommit. Some GETs do write (a reply from a signed link, the minutes book
  queueing its missing PDFs, a first visit creating an invitation sheet): their transaction begins at their
  first write and ends with the view, so that what they write is still all or nothing. Reads before that first
  write need none: each statement sees committed rows either way. A row lock (`select_for_update`) needs a
  transaction before Django will even build its statement: every function that locks opens its own
  (`@transaction.atomic`, as the services do), which costs nothing more inside a request's.

`transaction.non_atomic_requests` on a view keeps working. The middleware goes last in MIDDLEWARE: it calls
the view itself (so that an exception rolls back before Django turns it into an error page) once the other
middlewares' `process_view` have run.
"""

import re
from contextlib import contextmanager
from inspect import iscoroutinefunction

from django.db import DEFAULT_DB_ALIAS, connections, transaction

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# A statement that changes rows: the start of a GET's transaction.
WRITING = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


class RequestTransactionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if DEFAULT_DB_ALIAS in getattr(view, "_non_atomic_requests", ()) or iscoroutinefunction(view):
            return None  # Django calls the view itself
        if request.method in SAFE_METHODS:
            with atomic_from_first_write():
                response = view(request, *args, **kwargs)
        else:
            with transaction.atomic():
                response = view(request, *args, **kwargs)
        if response is None:  # returned as is, Django would call the view a second time
            raise ValueError(f"The view {view.__module__}.{view.__qualname__} returned None, not a response.")
        return response


@contextmanager
def atomic_from_first_write(using=DEFAULT_DB_ALIAS):
    """Run the block in autocommit until its first write, and from there to its end in one transaction.

    Inside a transaction already (a test's, a caller's), nothing changes: the block is part of it."""
    connection = connections[using]
    opened = []

    def begin_before_writing(execute, sql, params, many, context):
        if not opened and not connection.in_atomic_block and WRITING.search(sql):
            block = transaction.atomic(using=using)
            block.__enter__()
            opened.append(block)
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(begin_before_writing):
            yield
    except BaseException as error:
        if opened:
            opened[0].__exit__(type(error), error, error.__traceback__)
        raise
    if opened:
        opened[0].__exit__(None, None, None)
