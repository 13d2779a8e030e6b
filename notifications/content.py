"""What a message says, whatever the channel: the context its templates (e-mail, SMS, Zalo) are filled with."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from meetings.links import reply_url, short_reply_url

from .models import Message


def context(message):
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
    open_reply = invitation is not None and meeting.is_open
    return {
        "member": message.member,
        "meeting": meeting,
        "starts_at": timezone.localtime(meeting.starts_at),
        "reply_link": reply_url(invitation) if open_reply else "",
        "short_reply_link": short_reply_url(invitation) if open_reply else "",
        "meeting_link": settings.SITE_URL + reverse("meetings:detail", args=[meeting.pk]),
        "attendance_link": settings.SITE_URL + reverse("meetings:attendance", args=[meeting.pk]),
        "reason": (change.detail.get("reason") if change else "") or meeting.status_reason,
    }


def template_name(message):
    """The name of the message's kind in the templates: meeting_invitation, task_due, …"""
    return message.kind if message.kind in Message.TASK_KINDS else f"meeting_{message.kind}"
