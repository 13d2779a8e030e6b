"""Messages are the table that grows fastest (docs/scaling.md: an invitation and a reminder per member and
meeting, about 176 million rows and 180 GB a year for the country), and a reminder is of no use once its
meeting is long past. The rows older than MESSAGE_RETENTION_DAYS go each night, with their deliveries, a batch
at a time, so that no transaction holds many rows locked for long and the table stays the size of a year.

Keeping fewer days than MINIMUM_DAYS is refused: the scans create a task's reminders up to 60 days after its
deadline and a meeting's until a week after it, and a message is sent once because its row is there."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Delivery, EarlyReport, Message

BATCH = 5000
MINIMUM_DAYS = 90


def prune(now=None, batch=BATCH):
    """Delete the messages created more than MESSAGE_RETENTION_DAYS ago (0 keeps them all), except those about
    a meeting still to come, with their deliveries; returns how many messages went."""
    days = settings.MESSAGE_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=max(days, MINIMUM_DAYS))
    old = Message.objects.filter(Q(meeting__isnull=True) | Q(meeting__starts_at__lt=cutoff), created_at__lt=cutoff)
    # Ids grow with the time of creation: the first message kept bounds the scan, so that a night with little to
    # prune reads the old rows and no more (there is no index on created_at, and none is needed).
    first_kept = Message.objects.filter(created_at__gte=cutoff).order_by("pk").values_list("pk", flat=True).first()
    if first_kept is not None:
        old = old.filter(pk__lt=first_kept)
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(old.order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                return deleted
            Delivery.objects.filter(message_id__in=ids).delete()
            EarlyReport.objects.filter(message_id__in=ids).delete()
            deleted += Message.objects.filter(pk__in=ids).delete()[1].get(Message._meta.label, 0)
