"""Delivery reports: what a provider says became of a message it took, and what Chibo does about it.

A report is applied once: a delivery already delivered or failed stays as it is. A failure, or no report
within DELIVERY_REPORT_MINUTES (`overdue_reports`, from the scan), sends the message on by the next channel.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chibo import dispatch

from .models import Delivery, EarlyReport, Message


@transaction.atomic
def apply(channel, provider_id, delivered, error="", message_id=None):
    """Apply one report; returns what happened ("delivered", "failed", "known", "unknown", "not written").

    A report names the delivery by the provider's id, or, when a worker died before it learnt that id, by the
    message (`message_id`, from the id Chibo gave the provider): then only a delivery without a provider id
    matches. "not written": the message is still being sent, its delivery not written yet. The message is
    locked before its delivery, in the order `overdue_reports` takes them, so that a report and the scan's
    time-out never wait for each other."""
    found = Delivery.objects.filter(channel=channel, provider_id=provider_id).exclude(provider_id="")
    if message_id is not None and not found.exists():
        by_message = Delivery.objects.filter(channel=channel, message_id=message_id)
        sending = Message.objects.filter(pk=message_id, status__in=[Message.Status.SENDING, Message.Status.PENDING])
        if by_message.filter(status=Delivery.Status.SENDING).exists() or (
            sending.exclude(deliveries__channel=channel).exists()
        ):
            return "not written"
        found = by_message.filter(provider_id="", status=Delivery.Status.ACCEPTED)
    message_id = found.values_list("message_id", flat=True).first()
    if message_id is None:
        return "unknown"
    Message.objects.select_for_update().filter(pk=message_id).first()
    delivery = found.select_for_update().first()
    if delivery.status != Delivery.Status.ACCEPTED:
        return "known"  # a report sent twice, or one that came after Chibo stopped waiting
    now = timezone.now()
    delivery.status = Delivery.Status.DELIVERED if delivered else Delivery.Status.FAILED
    delivery.reported_at, delivery.error = now, str(error)[:300]
    delivery.save(update_fields=["status", "reported_at", "error"])
    current = Message.objects.filter(pk=delivery.message_id, status=Message.Status.SENT, channel=channel)
    if delivered:
        current.update(status=Message.Status.DELIVERED, delivered_at=now, report_due_at=None)
        return "delivered"
    if current.update(status=Message.Status.PENDING, next_attempt_at=None, report_due_at=None, attempts=0,
                      last_error=delivery.error):  # fmt: skip
        dispatch.send_after_commit("notifications.tasks.deliver_message", delivery.message_id)
    return "failed"


def receive(channel, provider_id, delivered, error="", message_id=None, keep_unknown=False):
    """A report from a provider's hook: applied, or kept for later when its delivery is not written yet (or,
    with `keep_unknown`, when nothing names it yet). Returns the outcome, "kept" for a report kept."""
    outcome = apply(channel, provider_id, delivered, error, message_id)
    if outcome == "not written" or (outcome == "unknown" and keep_unknown):
        EarlyReport.objects.create(channel=channel, provider_id=provider_id, message_id=message_id,
                                   delivered=delivered, error=str(error)[:300])  # fmt: skip
        return "kept"
    return outcome


def apply_early(message_ids=None, provider_ids=None):
    """Apply the kept reports that name these messages or provider ids (all of them, from the scan), and drop
    what a day did not match. Returns how many were applied."""
    kept = EarlyReport.objects.all()
    if message_ids is not None or provider_ids is not None:
        kept = kept.filter(Q(message_id__in=message_ids or []) | Q(provider_id__in=provider_ids or []))
    applied = 0
    for report in kept.order_by("pk"):
        outcome = apply(report.channel, report.provider_id, report.delivered, report.error, report.message_id)
        if outcome not in ("not written", "unknown"):
            report.delete()
            applied += 1
    if message_ids is None and provider_ids is None:
        EarlyReport.objects.filter(received_at__lt=timezone.now() - timedelta(days=1)).delete()
    return applied


def overdue_reports(now=None):
    """Messages whose delivery report did not come in time: their delivery is marked so, and they wait for the
    next channel (the scan then sends them). Returns how many."""
    now = now or timezone.now()
    count = 0
    for message_id in Message.objects.filter(status=Message.Status.SENT, report_due_at__lt=now).values_list(
        "pk", flat=True
    ):
        if not _another_channel_left(message_id):
            # Nothing else to try: the message stays sent by the only channel the member has; a late report
            # still marks it delivered.
            Message.objects.filter(pk=message_id).update(report_due_at=None)
            continue
        with transaction.atomic():
            message = (
                Message.objects.select_for_update()
                .filter(pk=message_id, status=Message.Status.SENT, report_due_at__lt=now)
                .first()
            )
            if message is None:
                continue
            message.deliveries.filter(channel=message.channel, status=Delivery.Status.ACCEPTED).update(
                status=Delivery.Status.NO_REPORT, reported_at=now
            )
            message.status, message.report_due_at, message.attempts = Message.Status.PENDING, None, 0
            message.next_attempt_at = None
            message.save(update_fields=["status", "report_due_at", "attempts", "next_attempt_at"])
            count += 1
    return count


def _another_channel_left(message_id):
    from .channels import order_for

    message = Message.objects.select_related("member").get(pk=message_id)
    tried = set(message.deliveries.values_list("channel", flat=True))
    return any(c.NAME not in tried and c.address(message.member) for c in order_for(message.member))
