"""What a message says, whatever the channel: the context its templates (e-mail, SMS, Zalo) are filled with."""

from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from meetings.links import reply_url, short_reply_url
from meetings.models import Invitation, MeetingChange

from .models import Message


def context(message):
    return contexts([message])[message.pk]


def invitations_of(messages):
    """The invitations of the members of meeting messages, by (meeting id, member id), in one query."""
    about_meetings = [m for m in messages if m.meeting_id]
    if not about_meetings:
        return {}
    found = Invitation.objects.filter(
        meeting_id__in={m.meeting_id for m in about_meetings}, member_id__in={m.member_id for m in about_meetings}
    )
    return {(i.meeting_id, i.member_id): i for i in found}


def contexts(messages, invitations=None):
    """The context of each message, by message id: two queries for a batch however large.

    Each context also holds the member's invitation and `batch`, a dict the batch's messages share, where a
    channel keeps what it looked up once for all of them (the cell's secretary, the meeting's SEQUENCE)."""
    shared = {}
    if invitations is None:
        invitations = invitations_of(messages)
    change_ids = {int(m.key) for m in messages if m.meeting_id and m.key.isdigit()}
    changes = {c.pk: c for c in MeetingChange.objects.filter(pk__in=change_ids)} if change_ids else {}
    result = {}
    for message in messages:
        if message.kind in Message.MEMBER_KINDS:
            about = message.about_member
            result[message.pk] = {
                "member": message.member,
                "about": about,
                "until": date.fromisoformat(message.key),
                "member_link": settings.SITE_URL + reverse("members:detail", args=[about.pk]),
                "batch": shared,
            }
            continue
        if message.kind in Message.TASK_KINDS:
            task = message.task
            result[message.pk] = {
                "member": message.member,
                "task": task,
                "resolution": task.resolution,
                "task_link": settings.SITE_URL + reverse("resolutions:task_progress", args=[task.pk]),
                "batch": shared,
            }
            continue
        meeting = message.meeting
        invitation = invitations.get((meeting.pk, message.member_id))
        change = changes.get(int(message.key)) if message.key.isdigit() else None
        if change is not None and change.meeting_id != meeting.pk:
            change = None
        open_reply = invitation is not None and meeting.is_open
        result[message.pk] = {
            "member": message.member,
            "meeting": meeting,
            "starts_at": timezone.localtime(meeting.starts_at),
            "reply_link": reply_url(invitation) if open_reply else "",
            "short_reply_link": short_reply_url(invitation) if open_reply else "",
            "meeting_link": settings.SITE_URL + reverse("meetings:detail", args=[meeting.pk]),
            "attendance_link": settings.SITE_URL + reverse("meetings:attendance", args=[meeting.pk]),
            "reason": (change.detail.get("reason") if change else "") or meeting.status_reason,
            "invitation": invitation,
            "batch": shared,
        }
    return result


def template_name(message):
    """The name of the message's kind in the templates: meeting_invitation, task_due, …"""
    if message.kind in Message.TASK_KINDS or message.kind in Message.MEMBER_KINDS:
        return message.kind
    return f"meeting_{message.kind}"
