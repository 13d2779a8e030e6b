"""E-mail, the first channel: each kind of message is three templates (subject, text, HTML) under
templates/notifications/emails/, sent through `chibo.emails`."""

from chibo import emails

from ..models import Message


def address(member):
    return member.email


def send(message, address, context):
    kind = message.kind if message.kind in Message.TASK_KINDS else f"meeting_{message.kind}"
    emails.send(f"notifications/emails/{kind}", [address], context)
