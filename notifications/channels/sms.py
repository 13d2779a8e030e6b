"""SMS brandname: a short text per kind of message (templates/notifications/sms/), without tones by default so
that a segment holds 160 characters, sent over the provider's HTTP JSON API.

The API has the common Vietnamese shape: the API key and secret, the brandname, the customer-care message type,
a `RequestId` by which the provider refuses a second message with the same id, and the address it posts the
delivery report to. The `RequestId` is made from the message, so a retry after a worker died mid-call is
refused as a duplicate instead of sent twice. Without SMS_API_URL each SMS is printed on the console.
"""

import unicodedata

import requests
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from members.phones import is_mobile

from ..content import template_name
from .base import Accepted, Refused, TryLater, print_on_console

NAME = "sms"
LABEL = _("SMS")
# The provider refuses a second message with the same RequestId: a send interrupted by a killed worker is
# simply made again (and taken as a duplicate if the first one went).
SENDS_ONCE = True

# The GSM 03.38 basic set: a text made only of these costs 160 characters a segment, else 70 (UCS-2).
GSM = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€")  # two characters each

# The provider's result codes: accepted, a duplicate RequestId (accepted before), and failures for now.
ACCEPTED, DUPLICATE = "100", "124"
FOR_NOW = {"99", "101", "103", "104"}  # unknown error, credentials, balance, brandname: the operator's to fix

# The provider's delivery statuses in its reports: arrived, or failed for good (others: still on the way).
REPORT_DELIVERED = {"5", "DELIVRD", "delivered"}
REPORT_FAILED = {"2", "3", "4", "6", "UNDELIV", "EXPIRED", "REJECTD", "failed"}

_session = requests.Session()


def address(member):
    return member.phone if is_mobile(member.phone) else ""


def unaccented(text):
    """Vietnamese without tones: "Chi bộ thôn Đông" → "Chi bo thon Dong"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def segments(text):
    """How many SMS segments the text takes: 160/153 characters with GSM letters only, else 70/67."""
    if all(c in GSM or c in GSM_EXTENDED for c in text):
        length = len(text) + sum(c in GSM_EXTENDED for c in text)
        return 1 if length <= 160 else -(-length // 153)
    length = len(text.encode("utf-16-le")) // 2
    return 1 if length <= 70 else -(-length // 67)


def text(message, context):
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(f"notifications/sms/{template_name(message)}.txt", context)
    body = " ".join(body.split())
    return unaccented(body) if settings.SMS_UNACCENTED else body


def request_id(message):
    return f"chibo-{message.pk}-sms"


def callback_url():
    if not settings.SMS_CALLBACK_SECRET:
        return ""
    return settings.SITE_URL + reverse("notifications:sms_report", args=[settings.SMS_CALLBACK_SECRET])


def send(message, address, context):
    body = text(message, context)
    return send_text(address, body, request_id(message), reports=bool(callback_url()))


def send_text(address, body, request_id, reports=False):
    """Send one SMS; `request_id` lets the provider refuse the same one twice."""
    count = segments(body)
    if not settings.SMS_API_URL:
        print_on_console("SMS", address, [f"({count} segment{'s' if count > 1 else ''})", body])
        return Accepted(provider_id="", units=count, reports=False)
    payload = {
        "ApiKey": settings.SMS_API_KEY,
        "SecretKey": settings.SMS_SECRET_KEY,
        "Phone": address.removeprefix("+"),
        "Content": body,
        "Brandname": settings.SMS_BRANDNAME,
        "SmsType": settings.SMS_TYPE,
        "IsUnicode": "0" if body.isascii() else "1",
        "RequestId": request_id,
        "CallbackUrl": callback_url() if reports else "",
    }
    try:
        response = _session.post(settings.SMS_API_URL, json=payload, timeout=settings.PROVIDER_TIMEOUT_SECONDS)
    except requests.RequestException as exc:  # unreachable, refused, too slow
        raise TryLater(f"SMS provider: {type(exc).__name__}") from exc
    if response.status_code >= 500:
        raise TryLater(f"SMS provider: HTTP {response.status_code}")
    try:
        answer = response.json()
        code = str(answer.get("CodeResult", ""))
    except (ValueError, AttributeError):
        raise TryLater(f"SMS provider: HTTP {response.status_code}, not JSON") from None
    if code in (ACCEPTED, DUPLICATE):
        return Accepted(provider_id=request_id, units=count, reports=reports)
    error = f"SMS provider: code {code} {str(answer.get('ErrorMessage', ''))[:200]}".strip()
    if code in FOR_NOW or response.status_code == 429:
        raise TryLater(error)
    raise Refused(error)
