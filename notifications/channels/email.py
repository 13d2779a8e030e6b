"""E-mail: each kind of message is three templates (subject, text, HTML) under templates/notifications/emails/,
sent through `chibo.emails`. E-mail reports nothing back: accepted by the server is as far as it is known.

A message e-mail answers to the cell's secretary (Reply-To), says how to stop the e-mails (List-Unsubscribe,
one click), and the invitation, a move and a cancellation carry the meeting as an .ics a mail client adds to
the calendar (METHOD:REQUEST, or CANCEL with the same UID and a higher SEQUENCE)."""

import smtplib

from django.utils.translation import gettext_lazy as _

from chibo import emails
from meetings import calendars

from .. import unsubscribe
from ..content import template_name
from ..models import Message
from .base import Accepted, Refused, TryLater

NAME = "email"
LABEL = _("E-mail")
# A mail server does not refuse a second copy: a send interrupted before the server's answer counts as sent.
SENDS_ONCE = False
# The messages that change the meeting in the member's calendar.
WITH_CALENDAR = {Message.Kind.INVITATION, Message.Kind.MOVED, Message.Kind.CANCELLED}


def unconfirmed():
    return Accepted(reports=False)


def address(member):
    return member.email


def once(context, key, look_up):
    """What `look_up()` gives, looked up once for the whole batch (the messages' contexts share `batch`)."""
    batch = context.setdefault("batch", {})
    if key not in batch:
        batch[key] = look_up()
    return batch[key]


def send(message, address, context):
    cell = message.cell
    secretary = once(context, ("secretary", cell.pk), cell.secretary)
    reply_to = secretary.email if secretary is not None else ""
    stop_link = unsubscribe.url(message.member, address)
    try:
        emails.send(
            f"notifications/emails/{template_name(message)}",
            [address],
            {**context, "unsubscribe_link": stop_link, "secretary_replies": bool(reply_to)},
            reply_to=[reply_to],
            unsubscribe_url=stop_link,
            calendar=_calendar(message, address, secretary, context),
        )
    except smtplib.SMTPRecipientsRefused as exc:  # the server will never take this address
        raise Refused(str(exc)[:300]) from exc
    except OSError as exc:  # refused or unreachable for now (smtplib's errors are OSErrors)
        raise TryLater(str(exc)[:300]) from exc
    return Accepted(reports=False)


def _calendar(message, address, secretary, context):
    """(METHOD, .ics) for a message that changes the meeting in a calendar: what the meeting is now, so that a
    move sent late after a cancellation still cancels."""
    if message.kind not in WITH_CALENDAR:
        return None
    meeting = message.meeting
    method = "CANCEL" if meeting.status == meeting.Status.CANCELLED else "REQUEST"
    meeting.ical_sequence = once(context, ("sequence", meeting.pk), lambda: calendars.sequence_of(meeting))
    if "invitation" in context:
        invited = context["invitation"]
    else:
        invited = meeting.invitations.filter(member=message.member).first()
    expected = invited is None or invited.expected
    return method, calendars.invitation(meeting, message.member, address, method, secretary, expected)
