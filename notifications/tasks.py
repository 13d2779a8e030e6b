"""Delivery: the scan that queues what is due, and messages sent in batches, each once by one channel (claimed
with a conditional UPDATE, retried with back-off, shown as failed after MESSAGE_MAX_ATTEMPTS)."""

import logging
import time
from collections import Counter
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format

from chibo import dispatch

from . import channels, content, retention
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


# A night's pruning stops after this long and goes on the next night: the first nights of a deployment that
# kept a year of messages (about 7 hours of deleting for the country) are spread over a week.
PRUNE_SECONDS = 3300


@shared_task(soft_time_limit=PRUNE_SECONDS + 120, time_limit=PRUNE_SECONDS + 300)
def prune_messages():
    """Each night: the messages older than MESSAGE_RETENTION_DAYS go (notifications/retention.py), for at most
    PRUNE_SECONDS (CELERY_TASK_TIME_LIMIT, 300 s, would stop it mid-way)."""
    return retention.prune(deadline=time.monotonic() + PRUNE_SECONDS)


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
    transaction at the end. Messages that failed for now are sent again by a task sent with their pause (or,
    the broker away, by the scan once their time comes). Returns how many messages ended how."""
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
    marks the message as taken (`Delivery.Status.SENDING`). What the batch learnt is written only for the
    messages it still holds (a batch that stalled past its claim writes nothing over another's work), and a
    delivery report that came meanwhile is applied once it is written (`EarlyReport`).
    """

    def __init__(self, message_ids):
        self.ids = list(dict.fromkeys(int(pk) for pk in message_ids))
        self.now = timezone.now()
        self.outcomes = {}
        self.retries = {}  # countdown in seconds -> message ids
        self.errors = {}
        self.results = {}  # message id -> what to write: fields, deliveries, count

    def run(self):
        claimed = self.claim()
        for pk in self.ids:
            if pk not in claimed:
                self.outcomes[pk] = "skipped"
        if claimed:
            self.send_claimed(claimed)
            self.write()
        return self.outcomes

    def claim(self):
        """Claim the batch's messages that are due. The rows are found by their ids alone and checked here: a
        condition on the status leads the planner to the status index, which in a fan-out holds every waiting
        message (each batch would then read them all)."""
        stale = self.now - claim_timeout()

        def due(status, next_attempt_at, claimed_at):
            if status == Message.Status.PENDING:
                return next_attempt_at is None or next_attempt_at <= self.now
            return status == Message.Status.SENDING and claimed_at is not None and claimed_at < stale

        with transaction.atomic():
            # Rows another worker is claiming this instant are left to it.
            rows = (
                Message.objects.filter(pk__in=self.ids)
                .select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", "status", "next_attempt_at", "claimed_at")
            )
            claimed = [pk for pk, *state in rows if due(*state)]
            Message.objects.filter(pk__in=claimed).update(
                status=Message.Status.SENDING, claimed_at=self.now, attempts=F("attempts") + 1
            )
        return set(claimed)

    def held(self):
        """The messages this batch still holds: claimed by it, and not claimed since by another worker."""
        return Message.objects.filter(status=Message.Status.SENDING, claimed_at=self.now)

    def lock_held(self, ids):
        """Lock the rows of `ids` (by their ids alone, see `claim`) and return those this batch still holds."""
        rows = Message.objects.filter(pk__in=ids).select_for_update().order_by("pk")
        return {
            pk
            for pk, status, claimed_at in rows.values_list("pk", "status", "claimed_at")
            if status == Message.Status.SENDING and claimed_at == self.now
        }

    def send_claimed(self, claimed):
        messages = list(
            Message.objects.select_related("meeting__cell", "task__resolution__cell", "about_member__cell", "member")
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
        # of its own, before another worker would claim it again. The first message is always sent, so that a
        # batch let go makes progress.
        stop_at = time.monotonic() + claim_timeout().total_seconds() / 2
        for position, message in enumerate(messages):
            if position and time.monotonic() > stop_at:
                self.release(messages[position:])
                break
            self.outcomes[message.pk] = self.send(message, deliveries.get(message.pk, {}), contexts, invitations)

    @transaction.atomic
    def release(self, messages):
        ids = [m.pk for m in messages]
        released = self.lock_held(ids)
        Message.objects.filter(pk__in=released).update(
            status=Message.Status.PENDING, claimed_at=None, attempts=F("attempts") - 1
        )
        if released:
            self.retries.setdefault(0, []).extend(released)
        for pk in ids:
            self.outcomes[pk] = "later" if pk in released else "skipped"

    def send(self, message, deliveries, contexts, invitations):
        attempts = message.attempts  # read after the claim counted this one
        pending = None
        try:
            interrupted = [d for d in deliveries.values() if d.status == Delivery.Status.SENDING]
            if interrupted:
                # A worker died during this call: it may have gone, and this channel cannot refuse a copy.
                delivery = interrupted[0]
                channel = channels.CHANNELS[delivery.channel]
                self.accept(message, channel, delivery.address, channel.unconfirmed(), delivery,
                            note="interrupted during the call: taken as sent")  # fmt: skip
                return "sent"
            if not still_needed(message, self.now, invitations):
                return self.finish(message, Message.Status.SKIPPED, "not needed")
            if message.member.no_messages:
                return self.finish(message, Message.Status.OPTED_OUT, "opted out")
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
                        self.held().filter(pk=message.pk).update(attempts=1)
                        attempts = 1
                except channels.Refused as exc:
                    log.info("message %s refused by %s: %s", message.pk, channel.NAME, exc)
                    self.fail(message, channel, address, exc, pending)
                except channels.Unconfirmed as exc:
                    log.warning("message %s by %s: %s; taken as sent", message.pk, channel.NAME, exc)
                    self.accept(message, channel, address, channel.unconfirmed(), pending,
                                note=f"{exc}: no answer, taken as sent")  # fmt: skip
                    return "sent"
                else:
                    self.accept(message, channel, address, accepted, pending)
                    return "sent"
                deliveries[channel.NAME] = pending or channel.NAME  # tried: not again for this message
                pending = None
        except Exception as exc:  # a template or data error: retrying would fail the same way
            log.exception("message %s failed", message.pk)
            error = f"{type(exc).__name__}: {exc}"[:300]
            if pending is not None:  # the call failed before any provider took it
                Delivery.objects.filter(pk=pending.pk).update(status=Delivery.Status.FAILED, error=error)
            return self.finish(message, Message.Status.FAILED, "failed", error)
        if deliveries:
            return self.finish(message, Message.Status.FAILED, "failed",
                               self.errors.get(message.pk) or message.last_error or "every channel failed")  # fmt: skip
        return self.finish(message, Message.Status.NO_ADDRESS, "no address")

    def accept(self, message, channel, address, accepted, pending, note=""):
        subject_cell = message.cell.pk
        if pending is None:
            delivery = Delivery(message=message, channel=channel.NAME, address=address, status=Delivery.Status.ACCEPTED,
                                provider_id=accepted.provider_id, units=accepted.units, error=note)  # fmt: skip
            new, changed = delivery, None
        else:
            pending.provider_id, pending.status = accepted.provider_id, Delivery.Status.ACCEPTED
            pending.units, pending.error = accepted.units, note
            new, changed = None, pending
        wait = timedelta(minutes=settings.DELIVERY_REPORT_MINUTES)
        fields = {"status": Message.Status.SENT, "channel": channel.NAME, "sent_at": self.now, "last_error": "",
                  "report_due_at": self.now + wait if accepted.reports else None}  # fmt: skip
        day = timezone.localtime(self.now).date()
        self.results[message.pk] = {"fields": fields, "new": new, "changed": changed,
                                    "count": ((subject_cell, day, channel.NAME), accepted.units)}  # fmt: skip

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
        self.held().filter(pk=message.pk).update(last_error=error, channel=channel.NAME)

    def later(self, message, channel, exc, attempts, pending):
        if pending is not None:  # not sent: deleted at once, or a worker killed now would take it as sent
            Delivery.objects.filter(pk=pending.pk, status=Delivery.Status.SENDING).delete()
        countdown = 60 * 2 ** (attempts - 1)
        self.errors[message.pk] = str(exc)[:300]
        self.results[message.pk] = {"fields": {"status": Message.Status.PENDING, "channel": channel.NAME,
                                               "next_attempt_at": self.now + timedelta(seconds=countdown),
                                               "last_error": str(exc)[:300]}}  # fmt: skip
        self.retries.setdefault(countdown, []).append(message.pk)
        return "retry"

    def finish(self, message, status, outcome, error=""):
        self.results[message.pk] = {"fields": {"status": status, "sent_at": None, "last_error": error[:300]}}
        return outcome

    def write(self):
        """Everything the batch learnt, in one transaction (deliveries, messages, counts), for the messages it
        still holds; then the delivery reports that came meanwhile. A write the database refuses is made again
        message by message, so that one bad row keeps no other message waiting."""
        from .reports import apply_early

        try:
            written = self._write(self.results)
        except DatabaseError:
            log.exception("writing a batch of %d messages failed: one by one", len(self.results))
            written = set()
            for pk, result in self.results.items():
                try:
                    written |= self._write({pk: result})
                except DatabaseError:
                    log.exception("message %s: its outcome could not be written", pk)
        for pk in set(self.results) - written:
            self.outcomes[pk] = "skipped"
            for ids in self.retries.values():
                if pk in ids:
                    ids.remove(pk)
        self.retries = {countdown: ids for countdown, ids in self.retries.items() if ids}
        sent = {pk: r["new"] or r["changed"] for pk, r in self.results.items() if pk in written and "count" in r}
        if sent:
            apply_early(message_ids=list(sent), provider_ids=[d.provider_id for d in sent.values() if d.provider_id])

    @transaction.atomic
    def _write(self, results):
        held = self.lock_held(list(results))
        mine = {pk: r for pk, r in results.items() if pk in held}
        Delivery.objects.bulk_create([r["new"] for r in mine.values() if r.get("new")])
        changed = [r["changed"] for r in mine.values() if r.get("changed")]
        if changed:
            Delivery.objects.bulk_update(changed, ["status", "provider_id", "units", "error"])
        groups = {}
        for pk, result in mine.items():
            groups.setdefault(tuple(sorted(result["fields"].items())), []).append(pk)
        for fields, ids in groups.items():
            Message.objects.filter(pk__in=ids).update(**dict(fields))
        counts = {}
        for result in mine.values():
            if "count" in result:
                key, units = result["count"]
                messages, total = counts.get(key, (0, 0))
                counts[key] = (messages + 1, total + units)
        if counts:
            SendingCount.add_many(counts)
        return set(mine)


def still_needed(message, now, invitations=None):
    """Between queueing and sending, the meeting may have moved, been called off or been recorded."""
    from meetings.models import Invitation, Meeting

    from .due import still_expected

    if message.kind in Message.MEMBER_KINDS:
        from .due import temporary_ending_still_due

        return temporary_ending_still_due(message)
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
        except channels.Unconfirmed as exc:  # it may have gone: a copy by SMS is better than none
            log.warning("%s %s by %s: %s; trying the next channel", kind, request_id, channel.NAME, exc)
        except channels.Refused as exc:
            log.info("%s %s refused by %s: %s", kind, request_id, channel.NAME, exc)
        else:
            SendingCount.add(member.cell_id, timezone.localdate(), channel.NAME, accepted.units)
            return channel.NAME
    return "failed"


def sms_text(text):
    return " ".join(channels.sms.unaccented(text).split()) if settings.SMS_UNACCENTED else " ".join(text.split())
