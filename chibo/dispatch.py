"""Sending work to the Celery workers, so that a saved change never depends on the broker.

Views and services save first and send after the commit (`send_after_commit`). If the broker does not
answer, the request does not fail nor wait: the calls are kept in the database (`DeferredTask`) and
`redispatch_deferred`, which beat runs every minute, sends them once the broker is back. The first failure
ends the attempts of that batch, so 600 invitations cost one failed connection, not 600.

A task is named by its dotted name ("notifications.tasks.deliver_message") or given as the task itself: a
workflow names the task it schedules, so that it never imports the task module that imports it back.
"""

import logging

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# What a broker that is down, unreachable or refusing raises from apply_async.
BROKER_ERRORS = (KombuOperationalError, RedisError, OSError)


def resolve(task):
    """The task object of a task or of its dotted name (importing the apps' task modules if need be)."""
    if not isinstance(task, str):
        return task
    if task not in current_app.tasks:
        current_app.loader.import_default_modules()  # a web process imports no task module by itself
    return current_app.tasks[task]


def send_after_commit(task, *args):
    """Send `task(*args)` once the current transaction commits (at once outside a transaction)."""
    send_many_after_commit(task, [args])


def send_many_after_commit(task, calls):
    """Send `task(*args)` for each args in `calls` once the current transaction commits."""
    calls = [list(args) for args in calls]
    if calls:
        transaction.on_commit(lambda: send_now(task, calls))


def send_now(task, calls):
    """Send the calls; from the first broker failure on, keep the rest for later. Returns how many went.

    Only for work whose rows are committed already (a scan outside any transaction); else send after commit."""
    from .models import DeferredTask

    task = resolve(task)
    calls = [list(args) for args in calls]
    for done, args in enumerate(calls):
        try:
            # No retry here: a request must not wait for the broker; the deferred rows are the retry.
            task.apply_async(args, retry=False)
        except BROKER_ERRORS as exc:
            log.warning("The broker is unavailable (%s): %d %s call(s) deferred", exc, len(calls) - done, task.name)
            DeferredTask.objects.bulk_create([DeferredTask(task=task.name, args=rest) for rest in calls[done:]])
            return done
    return len(calls)
