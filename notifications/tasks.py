"""Delivery: the scan that queues what is due, and messages sent in batches, each once by one channel (claimed
with a conditional UPDATE, retried with back-off, shown as failed after MESSAGE_MAX_ATTEMPTS)."""

import logging
import time
from collections import Counter
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format

from chibo import dispatch

from . import channels, content
from .due import claim_timeout, scan
from .models import Delivery, Message, SendingCount

log = logging.getLogger(__name__)


@shared_task
def scan_reminders():
    """Beat runs this every few minutes: create what is due, send what waits."""
    ids = scan()
    # The scan runs outside any transaction: its rows are committed, so they are sent at once.
    dispatch.send_now(deliver_messages, [(chunk,) for chunk in batches(ids)])
    return len(ids)


def batches(ids):
    """The message ids in batches of MESSAGE_BATCH_SIZE, one `deliver_messages` task each."""
    ids = list(ids)
    size = max(1, settings.MESSAGE_BATCH_SIZE)
    return [ids[n : n + size] for n in range(0, len(ids), size)]


@shared_task(acks_late=True)
def deliver_messages(message_ids):
    """Send a batch of messages, each once, by the first of its member's channels that takes it.

    The batch claims its messages in one statement, reads them, their invitations and their deliveries in a
    few queries, calls the providers one message after the other, and writes what they answered in one
    transaction at the end. A message that failed for now is sent again later by a task of its own pause.
    Returns how many messages ended how."""
    sending = Sending(message_ids)
    outcomes = sending.run()
    for countdown, ids in sending.retries.items():
        try:
            deliver_messages.apply_async((ids,), countdown=countdown, retry=False)
        except dispatch.BROKER_ERRORS:  # they wait as PENDING with their time: the scan sends them then
            log.warning("the broker is unavailable: %d message(s) wait for the scan", len(ids))
    return dict(Counter(outcomes.values()))


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_message(self, message_id):
    """Send one message (a delivery report's failure sends it on by the next channel this way)."""
    sending = Sending([message_id])
    outcome = sending.run().get(message_id, "skipped")
    for countdown, _ids in sending.retries.items():
        raise self.retry(countdown=countdown, exc=channels.TryLater(sending.errors.get(message_id, "")))
    return outcome


class Sending:
    """One batch of messages being sent: claimed, sent, and written back.

    The claim (a conditional UPDATE) makes a message sent by one worker at a time, so a task delivered twice
    sends once. A channel that failed for good (or whose delivery report did not come in time) is not tried
    again for the message; one that failed for now is tried again with growing pauses, and given up for the
    next after MESSAGE_MAX_ATTEMPTS. A worker killed mid-batch leaves its messages claimed: another claims them
    after MESSAGE_CLAIM_TIMEOUT_SECONDS. What was sent but not yet written is then sent again only by a channel
    that refuses a second copy (SMS's RequestId); for Zalo and e-mail a delivery row written before the call
    marks the message as taken (`Delivery.Status.SENDING`).
    """

    def __init__(self, message_ids):
        self.ids = list(dict.fromkeys(int(pk) for pk in message_ids))
        self.now = timezone.now()
        self.outcomes = {}
        self.retries = {}  # countdown in seconds -> message ids
        self.errors = {}
        self.new_deliveries = []
        self.changed_deliveries = []
        self.dropped_deliveries = []
        self.updates = {}  # the fields to write -> message ids
        self.counts = Counter()

    def run(self):
        claimed = self.claim()
        for pk in self.ids:
            if pk not in claimed:
                self.outcomes[pk] = "skipped"
        if not claimed:
            return self.outcomes
        messages = list(
            Message.objects.select_related("meeting__cell", "task__resolution__cell", "member")
            .filter(pk__in=claimed)
            .order_by("pk")
        )
        deliveries = {}
        for delivery in Delivery.objects.filter(message_id__in=claimed).order_by("pk"):
            deliveries.setdefault(delivery.message_id, {})[delivery.channel] = delivery
        invitations = content.invitations_of(messages)
        try:
            contexts = content.contexts(messages, invitations)
        except Exception:  # one message's data is at fault: find which, one by one
            contexts = {}
        # A provider that hangs must not hold the batch past the claim: what is left then is let go, for a task
        # of its own, before another worker would claim it again.
        stop_at = time.monotonic() + claim_timeout().total_seconds() / 2
        for position, message in enumerate(messages):
            if time.monotonic() > stop_at:
                self.release(messages[position:])
                break
            self.outcomes[message.pk] = self.send(message, deliveries.get(message.pk, {}), contexts, invitations)
        self.write()
        return self.outcomes

    def claim(self):
        due = (
            Q(status=Message.Status.PENDING, next_attempt_at__isnull=True)
            | Q(status=Message.Status.PENDING, next_attempt_at__lte=self.now)
            | Q(status=Message.Status.SENDING, claimed_at__lt=self.now - claim_timeout())
        )
        with transaction.atomic():
            # Rows another worker is claiming this instant are left to it.
            claimed = list(
                Message.objects.filter(due, pk__in=self.ids)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)
            )
            Message.objects.filter(pk__in=claimed).update(
                status=Message.Status.SENDING, claimed_at=self.now, attempts=F("attempts") + 1
            )
        return set(claimed)

    def release(self, messages):
        ids = [m.pk for m in messages]
        Message.objects.filter(pk__in=ids, status=Message.Status.SENDING).update(
            status=Message.Status.PENDING, claimed_at=None, attempts=F("attempts") - 1
        )
        self.retries.setdefault(0, []).extend(ids)
        for pk in ids:
            self.outcomes[pk] = "later"

    def send(self, message, deliveries, contexts, invitations):
        attempts = message.attempts  # read after the claim counted this one
        try:
            if not still_needed(message, self.now, invitations):
                return self.finish(message, Message.Status.SKIPPED, "not needed")
            if message.member.no_messages:
                return self.finish(message, Message.Status.OPTED_OUT, "opted out")
            interrupted = [d for d in deliveries.values() if d.status == Delivery.Status.SENDING]
            if interrupted:
                # A worker died during this call: it may have gone, and this channel cannot refuse a copy.
                delivery = interrupted[0]
                self.accept(message, channels.CHANNELS[delivery.channel], delivery.address,
                            channels.CHANNELS[delivery.channel].unconfirmed(), delivery,
                            note="interrupted during the call: taken as sent")  # fmt: skip
                return "sent"
            context = contexts.get(message.pk) or content.contexts([message], invitations)[message.pk]
            candidates = [
                (channel, address)
                for channel in channels.order_for(message.member)
                if channel.NAME not in deliveries and (address := channel.address(message.member))
            ]
            for position, (channel, address) in enumerate(candidates):
                pending = None
                if not channel.SENDS_ONCE:
                    pending = Delivery.objects.create(message=message, channel=channel.NAME, address=address,
                                                      status=Delivery.Status.SENDING, units=0)  # fmt: skip
                try:
                    accepted = channel.send(message, address, context)
                except channels.TryLater as exc:
                    log.warning("message %s by %s failed for now (attempt %s): %s", message.pk, channel.NAME,
                                attempts, exc)  # fmt: skip
                    if attempts < settings.MESSAGE_MAX_ATTEMPTS:
                        return self.later(message, channel, exc, attempts, pending)
                    # Given up on this channel: the next one, if any, starts with its own attempts.
                    self.fail(message, channel, address, exc, pending)
                    if position + 1 < len(candidates):
                        Message.objects.filter(pk=message.pk).update(attempts=1)
                        attempts = 1
                except channels.Refused as exc:
                    log.info("message %s refused by %s: %s", message.pk, channel.NAME, exc)
                    self.fail(message, channel, address, exc, pending)
                else:
                    self.accept(message, channel, address, accepted, pending)
                    return "sent"
                deliveries[channel.NAME] = pending or channel.NAME  # tried: not again for this message
        except Exception as exc:  # a template or data error: retrying would fail the same way
            log.exception("message %s failed", message.pk)
            return self.finish(message, Message.Status.FAILED, "failed", f"{type(exc).__name__}: {exc}")
        if deliveries:
            return self.finish(message, Message.Status.FAILED, "failed",
                               self.errors.get(message.pk) or message.last_error or "every channel failed")  # fmt: skip
        return self.finish(message, Message.Status.NO_ADDRESS, "no address")

    def accept(self, message, channel, address, accepted, pending, note=""):
        if pending is None:
            delivery = Delivery(message=message, channel=channel.NAME, address=address, status=Delivery.Status.ACCEPTED,
                                provider_id=accepted.provider_id, units=accepted.units, error=note)  # fmt: skip
            self.new_deliveries.append(delivery)
        else:
            pending.provider_id, pending.status = accepted.provider_id, Delivery.Status.ACCEPTED
            pending.units, pending.error = accepted.units, note
            self.changed_deliveries.append(pending)
        subject_cell = message.meeting.cell_id if message.meeting_id else message.task.resolution.cell_id
        day = timezone.localtime(self.now).date()
        messages, units = self.counts.get((subject_cell, day, channel.NAME), (0, 0))
        self.counts[(subject_cell, day, channel.NAME)] = (messages + 1, units + accepted.units)
        wait = timedelta(minutes=settings.DELIVERY_REPORT_MINUTES)
        self.update(message, status=Message.Status.SENT, channel=channel.NAME, sent_at=self.now, last_error="",
                    report_due_at=self.now + wait if accepted.reports else None)  # fmt: skip

    def fail(self, message, channel, address, exc, pending):
        # Written at once (failures are few): the next channel is tried now, after this one in the history.
        error = str(exc)[:300]
        if pending is None:
            Delivery.objects.create(message=message, channel=channel.NAME, address=address,
                                    status=Delivery.Status.FAILED, error=error, units=0)  # fmt: skip
        else:
            pending.status, pending.error = Delivery.Status.FAILED, error
            pending.save(update_fields=["status", "error"])
        self.errors[message.pk] = error
        Message.objects.filter(pk=message.pk).update(last_error=error, channel=channel.NAME)

    def later(self, message, channel, exc, attempts, pending):
        if pending is not None:
            self.dropped_deliveries.append(pending.pk)  # not sent: the channel is tried again
        countdown = 60 * 2 ** (attempts - 1)
        self.errors[message.pk] = str(exc)[:300]
        self.update(message, status=Message.Status.PENDING, channel=channel.NAME,
                    next_attempt_at=self.now + timedelta(seconds=countdown), last_error=str(exc)[:300])  # fmt: skip
        self.retries.setdefault(countdown, []).append(message.pk)
        return "retry"

    def finish(self, message, status, outcome, error=""):
        self.update(message, status=status, sent_at=None, last_error=error[:300])
        return outcome

    def update(self, message, **fields):
        self.updates.setdefault(tuple(sorted(fields.items())), []).append(message.pk)

    @transaction.atomic
    def write(self):
        """Everything the batch learnt, in one transaction: deliveries, messages, counts."""
        Delivery.objects.bulk_create(self.new_deliveries)
        if self.changed_deliveries:
            Delivery.objects.bulk_update(self.changed_deliveries, ["status", "provider_id", "units", "error"])
        if self.dropped_deliveries:
            Delivery.objects.filter(pk__in=self.dropped_deliveries, status=Delivery.Status.SENDING).delete()
        for fields, ids in self.updates.items():
            Message.objects.filter(pk__in=ids).update(**dict(fields))
        if self.counts:
            SendingCount.add_many(self.counts)


def still_needed(message, now, invitations=None):
    """Between queueing and sending, the meeting may have moved, been called off or been recorded."""
    from meetings.models import Invitation, Meeting

    from .due import still_expected

    if message.kind in Message.TASK_KINDS:
        task = message.task
        current = not task.is_closed and str(task.deadline) == message.key
        in_force = task.resolution.status not in ("draft", "completed")
        addressee_ok = message.member.is_on_roll and (
            message.kind == Message.Kind.TASK_OVERDUE_SECRETARY or message.member_id == task.responsible_id
        )
        return current and in_force and addressee_ok
    meeting = message.meeting
    if message.kind in (Message.Kind.MOVED, Message.Kind.CANCELLED):
        return True
    if message.kind == Message.Kind.ATTENDANCE_MISSING:
        return meeting.attendance_recorded_at is None and meeting.status != Meeting.Status.CANCELLED
    if meeting.status != Meeting.Status.CONFIRMED or now >= meeting.ends_at:
        return False
    if message.member.cell_id != meeting.cell_id or not message.member.is_on_roll:
        return False
    day = str(timezone.localtime(meeting.starts_at).date())
    if message.kind == Message.Kind.REMINDER:
        return message.key.endswith(day) and still_expected(message.member, meeting)
    if message.kind == Message.Kind.NUDGE:
        if invitations is None:
            invitations = content.invitations_of([message])
        invitation = invitations.get((meeting.pk, message.member_id))
        replied = invitation is not None and invitation.reply != Invitation.Reply.NONE
        return message.key == day and not replied and still_expected(message.member, meeting)
    return True


@shared_task(bind=True, acks_late=True, max_retries=3)
def send_phone_code(self, code_id, code):
    """Send a login code by Zalo, else SMS (never by e-mail: the number is what it proves). The code is in the
    call only, never written to a message row or a log."""
    from members.models import PhoneCode

    record = (
        PhoneCode.objects.select_related("member")
        .filter(pk=code_id, used_at=None, expires_at__gt=timezone.now())
        .first()
    )
    if record is None:
        return "expired"  # or none was made (an unknown number): nothing to send
    minutes = settings.PHONE_CODE_MINUTES
    return _to_phone(self, record.member, record.phone, "phone_code", {"otp": code, "minutes": str(minutes)},
                     {"code": code, "minutes": minutes}, f"chibo-code-{record.pk}")  # fmt: skip


@shared_task(bind=True, acks_late=True, max_retries=3)
def send_phone_changed(self, member_id, old_phone, by_name):
    """Tell a member's old number that the cell recorded a new one, and when it opens a login by code."""
    from members.models import Member

    member = Member.objects.filter(pk=member_id).first()
    if member is None or member.phone_changed_at is None:
        return "skipped"
    opens = timezone.localtime(member.phone_changed_at + timedelta(hours=settings.PHONE_CHANGE_HOLD_HOURS))
    ending = member.phone[-3:]
    when = date_format(opens, "H:i d/m/Y")
    return _to_phone(
        self, member, old_phone, "phone_changed", {"name": member.full_name, "by": by_name, "ending": ending,
                                                   "opens": when},
        {"member": member, "by": by_name, "ending": ending, "opens": when},
        f"chibo-phone-{member.pk}-{int(member.phone_changed_at.timestamp())}",
    )  # fmt: skip


def _to_phone(task, member, phone, kind, params, text_context, request_id):
    """Send a note about the login to one number by Zalo (the template of `kind`), else SMS (the text of
    `kind`). Returns the channel that took it, or "failed"."""
    order = [c for c in channels.order_for(member) if c.NAME in ("zalo", "sms")] or [
        channels.CHANNELS["zalo"],
        channels.CHANNELS["sms"],
    ]
    for channel in order:
        try:
            if channel.NAME == "zalo":
                template = settings.ZALO_TEMPLATES.get(kind)
                accepted = channel.send_template(phone, template, params, request_id, label=kind)
            else:
                with translation.override(settings.LANGUAGE_CODE):
                    text = render_to_string(f"notifications/sms/{kind}.txt", text_context)
                accepted = channel.send_text(phone, sms_text(text), request_id)
        except channels.TryLater as exc:
            if task.request.retries < task.max_retries:
                raise task.retry(exc=exc, countdown=5) from exc
            log.warning("%s %s by %s failed for now: %s", kind, request_id, channel.NAME, exc)
        except channels.Refused as exc:
            log.info("%s %s refused by %s: %s", kind, request_id, channel.NAME, exc)
        else:
            SendingCount.add(member.cell_id, timezone.localdate(), channel.NAME, accepted.units)
            return channel.NAME
    return "failed"


def sms_text(text):
    return " ".join(channels.sms.unaccented(text).split()) if settings.SMS_UNACCENTED else " ".join(text.split())
