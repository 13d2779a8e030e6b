"""chibo's own work in the workers: sending again the calls kept while the broker was away (`DeferredTask`)."""

import logging

from celery import current_app, shared_task
from django.conf import settings
from django.db import transaction

from .dispatch import BROKER_ERRORS
from .models import DeferredTask

log = logging.getLogger(__name__)


@shared_task
def redispatch_deferred():
    """Beat runs this every minute: send what was kept while the broker was away, oldest first.

    Each row is locked while it is sent (SKIP LOCKED: two runs never send one row twice) and deleted in the
    same transaction once the broker took it. A broker that fails again ends the run and leaves the rest for
    the next one. A row the broker takes but Celery refuses (a task renamed or whose arguments changed with a
    deployment) never blocks the rows behind it: its attempts are counted, and after DEFERRED_MAX_ATTEMPTS it
    is left aside, logged, for an operator to see in the admin. Returns how many were sent."""
    current_app.loader.import_default_modules()  # a shell or a command has not imported the tasks yet
    sent, refused = 0, []
    while True:
        with transaction.atomic():
            row = (
                DeferredTask.objects.select_for_update(skip_locked=True)
                .filter(attempts__lt=settings.DEFERRED_MAX_ATTEMPTS)
                .exclude(pk__in=refused)  # once a run
                .order_by("attempts", "pk")
                .first()
            )
            if row is None:
                return sent
            try:
                current_app.tasks[row.task].apply_async(row.args, retry=False)
            except BROKER_ERRORS:
                DeferredTask.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
                return sent
            except Exception:  # refused by Celery itself: count it, never let it hold up the others
                log.exception("Deferred task %s could not be sent (attempt %d)", row, row.attempts + 1)
                DeferredTask.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
                refused.append(row.pk)
                continue
            row.delete()
            sent += 1
