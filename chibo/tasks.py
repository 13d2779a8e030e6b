import logging

from celery import current_app, shared_task
from celery.exceptions import NotRegistered
from django.db import transaction

from .dispatch import BROKER_ERRORS
from .models import DeferredTask

log = logging.getLogger(__name__)
BATCH = 500


@shared_task
def redispatch_deferred():
    """Beat runs this every minute: send what was kept while the broker was away, oldest first.

    Rows are locked while they are sent (SKIP LOCKED: two runs never send one row twice) and deleted once
    sent; a broker that fails again leaves the rest for the next run. Returns how many were sent."""
    sent = 0
    while True:
        with transaction.atomic():
            rows = list(DeferredTask.objects.select_for_update(skip_locked=True).order_by("pk")[:BATCH])
            if not rows:
                return sent
            done = []
            for row in rows:
                try:
                    current_app.tasks[row.task].apply_async(row.args, retry=False)
                except NotRegistered:
                    # A task renamed or removed by a deployment: nothing can run it, keep no row forever.
                    log.error("Deferred task %s dropped: no such task", row)
                    done.append(row.pk)
                    continue
                except BROKER_ERRORS:
                    DeferredTask.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
                    DeferredTask.objects.filter(pk__in=done).delete()
                    return sent
                done.append(row.pk)
                sent += 1
            DeferredTask.objects.filter(pk__in=done).delete()
