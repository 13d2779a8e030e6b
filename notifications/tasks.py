"""Delivery: the scan that queues what is due, and each message sent once by its channel (claimed with a
conditional UPDATE, retried with back-off, shown as failed after MESSAGE_MAX_ATTEMPTS)."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from chibo import dispatch

from .channels import channel_for
from .due import CLAIM_TIMEOUT, scan
from .models import Message

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
    """Send one message once. The conditional UPDATE claims it, so a task delivered twice sends once."""
    now = timezone.now()
    claimed = (
        Message.objects.filter(pk=message_id)
        .filter(
            Q(status=Message.Status.PENDING, next_attempt_at__isnull=True)
            | Q(status=Message.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=Message.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
        )
        .update(status=Message.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"
    message = Message.objects.select_related("meeting__cell", "task__resolution__cell", "member").get(pk=message_id)
    if not still_needed(message, now):
        _finish(message, Message.Status.SKIPPED)
        return "not needed"
    channel = channel_for(message)
    address = channel.address(message.member)
    if not address:
        _finish(message, Message.Status.NO_ADDRESS)
        return "no address"
    try:
        channel.send(message, address, _context(message))
    except OSError as exc:  # the service refused or is unreachable for now (smtplib's errors are OSErrors)
        log.warning("message %s failed (attempt %s): %s", message_id, message.attempts, exc)
        if message.attempts >= settings.MESSAGE_MAX_ATTEMPTS:
            _finish(message, Message.Status.FAILED, error=str(exc))
            return "failed"
        countdown = 60 * 2 ** (message.attempts - 1)
        Message.objects.filter(pk=message_id).update(
            status=Message.Status.PENDING,
            next_attempt_at=now + timedelta(seconds=countdown),
            last_error=str(exc)[:300],
        )
        raise self.retry(exc=exc, countdown=countdown) from exc
    except Exception as exc:  # a template or data error: retrying would fail the same way
        log.exception("message %s failed", message_id)
        _finish(message, Message.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    _finish(message, Message.Status.SENT)
    return "sent"


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


def _context(message):
    from meetings.links import reply_url

    if message.kind in Message.TASK_KINDS:
        task = message.task
        return {
            "member": message.member,
            "task": task,
            "resolution": task.resolution,
            "task_link": settings.SITE_URL + reverse("resolutions:task_progress", args=[task.pk]),
        }
    meeting = message.meeting
    invitation = meeting.invitations.filter(member=message.member).first()
    change = meeting.changes.filter(pk=message.key).first() if message.key.isdigit() else None
    return {
        "member": message.member,
        "meeting": meeting,
        "starts_at": timezone.localtime(meeting.starts_at),
        "reply_link": reply_url(invitation) if invitation and meeting.is_open else "",
        "meeting_link": settings.SITE_URL + reverse("meetings:detail", args=[meeting.pk]),
        "attendance_link": settings.SITE_URL + reverse("meetings:attendance", args=[meeting.pk]),
        "reason": (change.detail.get("reason") if change else "") or meeting.status_reason,
    }
