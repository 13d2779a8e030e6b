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

    It walks the table in the order of the ids, which grow with the time of creation, and stops at the first
    batch that holds a message newer than the cutoff: a night with little to prune reads little (there is no
    index on created_at, and none is needed)."""
    days = settings.MESSAGE_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=max(days, minimum_days()))
    deleted, after = 0, 0
    while deadline is None or time.monotonic() < deadline:
        rows = list(
            Message.objects.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "created_at", "meeting__starts_at", "status")[:batch]
        )
        if not rows:
            break
        after = rows[-1][0]
        old = [
            pk
            for pk, created_at, meeting_starts, status in rows
            if created_at < cutoff
            and (meeting_starts is None or meeting_starts < cutoff)
            and status != Message.Status.SENDING
        ]
        if old:
            with transaction.atomic():
                Delivery.objects.filter(message_id__in=old).delete()
                EarlyReport.objects.filter(message_id__in=old).delete()
                deleted += Message.objects.filter(pk__in=old).delete()[1].get(Message._meta.label, 0)
        if any(created_at >= cutoff for _pk, created_at, _starts, _status in rows):
            break  # the rest is newer
    return deleted
