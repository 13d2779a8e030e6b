"""Zalo ZNS: a template message from the cell's Official Account to the phone number linked to Zalo.

Each kind of message has its approved template (ZALO_TEMPLATES) filled with named parameters. The access
token lasts about a day and is renewed with the refresh token, which Zalo replaces at each renewal (kept in
`ZaloToken`). A number with no Zalo, or a template Zalo refuses, is a failure for good: the next channel (SMS)
is tried. Without ZALO_API_URL each Zalo message is printed on the console.
"""

from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _

from members.phones import is_mobile

from ..content import template_name
from ..models import Message, ZaloToken
from .base import Accepted, Refused, TryLater, Unconfirmed, print_on_console

NAME = "zalo"
LABEL = _("Zalo")
# Zalo does not refuse a second message with the same tracking id: a send a killed worker left without an
# answer is taken as sent (`unconfirmed`), and Zalo's delivery report, matched by the tracking id, confirms it.
SENDS_ONCE = False

# Zalo's error codes that mean "try again later": an expired token (renewed at once), rate limits, its own
# errors. Any other error is final for this number or template.
TOKEN_INVALID = {-124, -216}
FOR_NOW = {-32, -500, -501, -502, -503}
PARAM_MAX = 100

_session = requests.Session()


def address(member):
    return member.phone if is_mobile(member.phone) else ""


def parameters(message, context):
    """The template's parameters: the same names for every template of a kind (documented in .env.example)."""
    member = context["member"]
    if message.kind in Message.MEMBER_KINDS:
        values = {
            "name": member.full_name,
            "member": context["about"].full_name,
            "until": date_format(context["until"], "d/m/Y"),
            "link": context["member_link"],
        }
    elif message.kind in Message.TASK_KINDS:
        values = {
            "name": member.full_name,
            "task": context["task"].title,
            "deadline": date_format(context["task"].deadline, "d/m/Y"),
            "link": context["task_link"],
        }
    else:
        meeting = context["meeting"]
        values = {
            "name": member.full_name,
            "meeting": meeting.display_title,
            "cell": meeting.cell.name,
            "time": date_format(context["starts_at"], "H:i d/m/Y"),
            "place": meeting.place,
            "link": context["short_reply_link"] or context["meeting_link"],
        }
    return {key: str(value)[:PARAM_MAX] for key, value in values.items()}


def tracking_id(message):
    return f"chibo-{message.pk}-zalo"


def unconfirmed():
    """What a send interrupted before Zalo's answer counts as: taken, one message billed, and waiting for the
    delivery report (when reports come) before the next channel is tried."""
    return Accepted(provider_id="", units=1, reports=bool(settings.ZALO_CALLBACK_SECRET))


def send(message, address, context):
    kind = template_name(message)
    template = settings.ZALO_TEMPLATES.get(message.kind) or settings.ZALO_TEMPLATES.get(kind)
    return send_template(address, template, parameters(message, context), tracking_id(message), label=kind)


def send_template(address, template, params, tracking, label=""):
    """Send one ZNS template message with its parameters."""
    if not settings.ZALO_API_URL:
        lines = [f"(template {template or label})", *(f"{key}: {value}" for key, value in params.items())]
        print_on_console("Zalo", address, lines)
        return Accepted(provider_id="", units=1, reports=False)
    if not template:
        raise Refused(f"Zalo: no template for {label}")
    payload = {"phone": address.removeprefix("+"), "template_id": template, "template_data": params,
               "tracking_id": tracking}  # fmt: skip
    answer = _post(payload, access_token())
    if answer.get("error") in TOKEN_INVALID:
        answer = _post(payload, access_token(renew=True))
    error = answer.get("error")
    if error == 0:
        msg_id = str((answer.get("data") or {}).get("msg_id") or "")
        if not msg_id:
            raise TryLater("Zalo: accepted without a message id")
        # Reports come only to a configured hook; without one, nothing waits for them.
        return Accepted(provider_id=msg_id, units=1, reports=bool(settings.ZALO_CALLBACK_SECRET))
    text = f"Zalo: error {error} {str(answer.get('message', ''))[:200]}".strip()
    if error in FOR_NOW or error in TOKEN_INVALID or not isinstance(error, int):
        raise TryLater(text)
    raise Refused(text)


def _post(payload, token):
    try:
        response = _session.post(
            settings.ZALO_API_URL, json=payload, headers={"access_token": token},
            timeout=settings.PROVIDER_TIMEOUT_SECONDS,
        )  # fmt: skip
    except requests.ReadTimeout as exc:  # sent, and no answer: Zalo may have taken it, and takes no copy back
        raise Unconfirmed(f"Zalo: {type(exc).__name__}") from exc
    except requests.RequestException as exc:  # not sent (no connection), or refused before an answer
        raise TryLater(f"Zalo: {type(exc).__name__}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise TryLater(f"Zalo: HTTP {response.status_code}")
    try:
        answer = response.json()
    except ValueError:
        raise TryLater(f"Zalo: HTTP {response.status_code}, not JSON") from None
    if not isinstance(answer, dict):
        raise TryLater("Zalo: an answer that is not an object")
    return answer


def access_token(renew=False):
    """A valid access token, renewed when it expires within a minute (or when Zalo said it is no longer
    valid). The row is locked while renewing, so two workers never spend the same refresh token."""
    token = ZaloToken.objects.filter(pk=1).first()
    soon = timezone.now() + timedelta(minutes=1)
    if token and token.access_token and not renew and token.expires_at and token.expires_at > soon:
        return token.access_token
    with transaction.atomic():
        token, _created = ZaloToken.objects.select_for_update().get_or_create(
            pk=1, defaults={"refresh_token": settings.ZALO_REFRESH_TOKEN}
        )
        if token.access_token and token.expires_at and token.expires_at > soon and not renew:
            return token.access_token  # another worker renewed it meanwhile
        try:
            response = _session.post(
                settings.ZALO_OAUTH_URL,
                headers={"secret_key": settings.ZALO_SECRET_KEY},
                data={"app_id": settings.ZALO_APP_ID, "grant_type": "refresh_token",
                      "refresh_token": token.refresh_token or settings.ZALO_REFRESH_TOKEN},
                timeout=settings.PROVIDER_TIMEOUT_SECONDS,
            )  # fmt: skip
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise TryLater(f"Zalo token: {type(exc).__name__}") from exc
        if not isinstance(answer, dict) or not answer.get("access_token") or not answer.get("refresh_token"):
            raise TryLater("Zalo token: renewal refused")
        token.access_token = answer["access_token"]
        token.refresh_token = answer["refresh_token"]
        token.expires_at = timezone.now() + timedelta(seconds=int(answer.get("expires_in") or 3600))
        token.save()
        return token.access_token
