"""Messages are the table that grows fastest (docs/scaling.md: an invitation and a reminder per member and
meeting, about 176 million rows and 63 GB a year for the country), and a reminder is of no use once its
meeting is long past. The rows older than MESSAGE_RETENTION_DAYS go each night, with their deliveries, a batch
at a time, so that no transaction holds many rows locked for long and the table stays the size of 13 months.

A message is sent once because its row is there: a row is never pruned while a scan could still create it.
The scans create a task's reminders from TASK_REMINDER_DAYS_BEFORE before its deadline to 60 days after it, a
temporary activity's from TRANSFER_END_REMINDER_DAYS before its end, a meeting's until a week after it
(notifications/due.py): `minimum_days()` keeps more than all of these, whatever MESSAGE_RETENTION_DAYS says."""

import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .due import OVERDUE_DAYS
from .models import Delivery, EarlyReport, Message

BATCH = 5000


def minimum_days():
    return max(90, OVERDUE_DAYS + settings.TASK_REMINDER_DAYS_BEFORE + 1, settings.TRANSFER_END_REMINDER_DAYS + 1)


def prune(now=None, batch=BATCH, deadline=None):
    """Delete the messages created more than MESSAGE_RETENTION_DAYS ago (0 keeps them all), with their
    deliveries, except those about a meeting still to come and those a worker is sending; stop at `deadline`
    (`time.monotonic()`) if given. Returns how many messages went.

    It reads the old messages of each status in the order of their creation through the index on (status,
    created_at) that the sending already has, so that a night reads the old rows and no others, whatever the
    order of their ids (rows loaded or restored later have later ids)."""
    days = settings.MESSAGE_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=max(days, minimum_days()))
    deleted = 0
    for status in Message.Status.values:
        if status == Message.Status.SENDING:
            continue
        old = Message.objects.filter(status=status, created_at__lt=cutoff).order_by("created_at", "pk")
        after = None  # (created_at, pk) of the last row read: the rows kept are not read again
        while deadline is None or time.monotonic() < deadline:
            rows = old
            if after is not None:
                # `created_at >=` in the index's condition (the scan starts there), the ties left to a filter.
                rows = rows.filter(created_at__gte=after[0]).filter(Q(created_at__gt=after[0]) | Q(pk__gt=after[1]))
            rows = list(rows.values_list("created_at", "pk", "meeting__starts_at")[:batch])
            if not rows:
                break
            after = rows[-1][:2]
            ids = [pk for _created_at, pk, starts_at in rows if starts_at is None or starts_at < cutoff]
            if ids:
                with transaction.atomic():
                    Delivery.objects.filter(message_id__in=ids).delete()
                    EarlyReport.objects.filter(message_id__in=ids).delete()
                    deleted += Message.objects.filter(pk__in=ids).delete()[1].get(Message._meta.label, 0)
    return deleted
