"""E-mail: each kind of message is three templates (subject, text, HTML) under templates/notifications/emails/,
sent through `chibo.emails`. E-mail reports nothing back: accepted by the server is as far as it is known."""

import smtplib

from django.utils.translation import gettext_lazy as _

from chibo import emails

from ..content import template_name
from .base import Accepted, Refused, TryLater

NAME = "email"
LABEL = _("E-mail")
# A mail server does not refuse a second copy: a send interrupted before the server's answer counts as sent.
SENDS_ONCE = False


def unconfirmed():
    return Accepted(reports=False)


def address(member):
    return member.email


def send(message, address, context):
    try:
        emails.send(f"notifications/emails/{template_name(message)}", [address], context)
    except smtplib.SMTPRecipientsRefused as exc:  # the server will never take this address
        raise Refused(str(exc)[:300]) from exc
    except OSError as exc:  # refused or unreachable for now (smtplib's errors are OSErrors)
        raise TryLater(str(exc)[:300]) from exc
    return Accepted(reports=False)
