"""Delivery: the scan that queues what is due, and each message sent once by its channel (claimed with a
conditional UPDATE, retried with back-off, shown as failed after MESSAGE_MAX_ATTEMPTS)."""

import logging
from datetime import timedelta

from celery import shared_task
from celery.exceptions import Reject, Retry
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

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
    dispatch.send_now(deliver_message, [(pk,) for pk in ids])
    return len(ids)


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_message(self, message_id):
    """Send one message once, by the first of the member's channels that takes it.

    The conditional UPDATE claims the message, so a task delivered twice sends once. A channel that failed for
    good (or whose delivery report did not come in time) is not tried again for this message; one that failed
    for now is tried again with growing pauses, and given up for the next after MESSAGE_MAX_ATTEMPTS.
    """
    now = timezone.now()
    claimed = (
        Message.objects.filter(pk=message_id)
        .filter(
            Q(status=Message.Status.PENDING, next_attempt_at__isnull=True)
            | Q(status=Message.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=Message.Status.SENDING, claimed_at__lt=now - claim_timeout())
        )
        .update(status=Message.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"
    message = Message.objects.select_related("meeting__cell", "task__resolution__cell", "member").get(pk=message_id)
    if not still_needed(message, now):
        _finish(message, Message.Status.SKIPPED)
        return "not needed"
    if message.member.no_messages:
        _finish(message, Message.Status.OPTED_OUT)
        return "opted out"
    tried = set(message.deliveries.values_list("channel", flat=True))
    try:
        context = content.context(message)
        candidates = [
            (channel, address)
            for channel in channels.order_for(message.member)
            if channel.NAME not in tried and (address := channel.address(message.member))
        ]
        for position, (channel, address) in enumerate(candidates):
            try:
                accepted = channel.send(message, address, context)
            except channels.TryLater as exc:
                log.warning("message %s by %s failed for now (attempt %s): %s", message_id, channel.NAME,
                            message.attempts, exc)  # fmt: skip
                if message.attempts < settings.MESSAGE_MAX_ATTEMPTS:
                    countdown = 60 * 2 ** (message.attempts - 1)
                    Message.objects.filter(pk=message_id).update(
                        status=Message.Status.PENDING, channel=channel.NAME,
                        next_attempt_at=now + timedelta(seconds=countdown), last_error=str(exc)[:300],
                    )  # fmt: skip
                    raise self.retry(exc=exc, countdown=countdown) from exc
                # Given up on this channel: the next one, if any, starts with its own attempts.
                _record_failure(message, channel, address, exc)
                if position + 1 < len(candidates):
                    Message.objects.filter(pk=message_id).update(attempts=1)
                    message.attempts = 1
            except channels.Refused as exc:
                log.info("message %s refused by %s: %s", message_id, channel.NAME, exc)
                _record_failure(message, channel, address, exc)
            else:
                _record_acceptance(message, channel, address, accepted, now)
                return "sent"
            tried.add(channel.NAME)
    except (Retry, Reject):  # a retry scheduled, or one the broker could not take: the row waits as PENDING
        raise
    except Exception as exc:  # a template or data error: retrying would fail the same way
        log.exception("message %s failed", message_id)
        _finish(message, Message.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    if tried:
        _finish(message, Message.Status.FAILED, error=message.last_error or "every channel failed")
        return "failed"
    _finish(message, Message.Status.NO_ADDRESS)
    return "no address"


def _record_failure(message, channel, address, exc):
    Delivery.objects.create(message=message, channel=channel.NAME, address=address, status=Delivery.Status.FAILED,
                            error=str(exc)[:300], units=0)  # fmt: skip
    message.last_error = str(exc)[:300]
    Message.objects.filter(pk=message.pk).update(last_error=message.last_error, channel=channel.NAME)


@transaction.atomic
def _record_acceptance(message, channel, address, accepted, now):
    Delivery.objects.create(
        message=message, channel=channel.NAME, address=address, provider_id=accepted.provider_id,
        status=Delivery.Status.ACCEPTED, units=accepted.units,
    )  # fmt: skip
    subject_cell = message.meeting.cell_id if message.meeting_id else message.task.resolution.cell_id
    SendingCount.add(subject_cell, timezone.localtime(now).date(), channel.NAME, accepted.units)
    wait = timedelta(minutes=settings.DELIVERY_REPORT_MINUTES)
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENT, channel=channel.NAME, sent_at=now, last_error="",
        report_due_at=now + wait if accepted.reports else None,
    )  # fmt: skip


def still_needed(message, now):
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
        replied = Invitation.objects.filter(meeting=meeting, member=message.member).exclude(reply="").exists()
        return message.key == day and not replied and still_expected(message.member, meeting)
    return True


def _finish(message, status, error=""):
    Message.objects.filter(pk=message.pk).update(
        status=status, sent_at=timezone.now() if status == Message.Status.SENT else None, last_error=error[:300]
    )


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
    order = [c for c in channels.order_for(record.member) if c.NAME in ("zalo", "sms")] or [
        channels.CHANNELS["zalo"],
        channels.CHANNELS["sms"],
    ]
    for channel in order:
        try:
            if channel.NAME == "zalo":
                template = settings.ZALO_TEMPLATES.get("phone_code")
                accepted = channel.send_template(record.phone, template, {"otp": code, "minutes": str(minutes)},
                                                 f"chibo-code-{record.pk}", label="phone_code")  # fmt: skip
            else:
                with translation.override(settings.LANGUAGE_CODE):
                    text = render_to_string("notifications/sms/phone_code.txt", {"code": code, "minutes": minutes})
                accepted = channel.send_text(record.phone, sms_text(text), f"chibo-code-{record.pk}")
        except channels.TryLater as exc:
            if self.request.retries < self.max_retries:
                raise self.retry(exc=exc, countdown=5) from exc
            log.warning("login code %s by %s failed for now: %s", code_id, channel.NAME, exc)
        except channels.Refused as exc:
            log.info("login code %s refused by %s: %s", code_id, channel.NAME, exc)
        else:
            SendingCount.add(record.member.cell_id, timezone.localdate(), channel.NAME, accepted.units)
            return channel.NAME
    return "failed"


def sms_text(text):
    return " ".join(channels.sms.unaccented(text).split()) if settings.SMS_UNACCENTED else " ".join(text.split())
