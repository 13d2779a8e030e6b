"""The providers' delivery reports: one address per provider, with a secret in it (and, for Zalo, a signature
of the body). A forged or malformed call is refused with 4xx and changes nothing; a report that names no
message Chibo sent is taken (200) and ignored, so that the provider stops sending it.

And the members' way out of the e-mails: the List-Unsubscribe link of every message e-mail."""

import hashlib
import hmac
import json
import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from chibo import site

from . import reports
from . import unsubscribe as unsubscribing
from .channels import sms


def _secret_ok(given, expected):
    return bool(expected) and hmac.compare_digest(str(given).encode(), str(expected).encode())


def _body(request):
    """The report as a dict (JSON or a form), or None when it is neither."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None
        return data if isinstance(data, dict) else None
    return request.POST.dict() or None


def _an_id(value):
    """A provider's id as it can be: text of at most 100 printable characters (no NUL, which the database
    refuses)."""
    return isinstance(value, str) and 0 < len(value) <= 100 and value.isprintable()


def _message_id(provider_id, channel):
    """The message an id Chibo gave the provider names (chibo-<message id>-<channel>), or None."""
    match = re.fullmatch(rf"chibo-(\d{{1,18}})-{channel}", provider_id)
    return int(match.group(1)) if match else None


@csrf_exempt
@require_POST
def sms_report(request, secret):
    if not _secret_ok(secret, settings.SMS_CALLBACK_SECRET):
        return HttpResponse(status=403)
    data = _body(request)
    request_id = data.get("RequestId") if data else None
    status = str(data.get("SendStatus", data.get("Status", ""))) if data else ""
    if not _an_id(request_id) or not status:
        return HttpResponse(status=400)
    # A report for a message whose acceptance is not written yet (its batch still sending) is kept for then.
    message_id = _message_id(request_id, "sms")
    if status in sms.REPORT_DELIVERED:
        outcome = reports.receive("sms", request_id, delivered=True, message_id=message_id)
    elif status in sms.REPORT_FAILED:
        outcome = reports.receive("sms", request_id, delivered=False, error=f"SMS report: status {status}",
                                  message_id=message_id)  # fmt: skip
    else:
        outcome = "on the way"
    return JsonResponse({"ok": True, "outcome": outcome})


def _zalo_signature_ok(request, data):
    if not settings.ZALO_OA_SECRET_KEY:
        return True
    given = request.headers.get("X-ZEvent-Signature", "").removeprefix("mac=")
    text = f"{settings.ZALO_APP_ID}{request.body.decode(errors='replace')}{data.get('timestamp', '')}"
    expected = hashlib.sha256((text + settings.ZALO_OA_SECRET_KEY).encode()).hexdigest()
    return hmac.compare_digest(given.encode(), expected.encode())


@csrf_exempt
@require_POST
def zalo_report(request, secret):
    if not _secret_ok(secret, settings.ZALO_CALLBACK_SECRET):
        return HttpResponse(status=403)
    data = _body(request) if request.content_type == "application/json" else None
    if data is None:
        return HttpResponse(status=400)
    if not _zalo_signature_ok(request, data):
        return HttpResponse(status=403)
    message = data.get("message")
    msg_id = message.get("msg_id") if isinstance(message, dict) else None
    if data.get("event_name") != "user_received_message":
        return JsonResponse({"ok": True, "outcome": "not a delivery report"})
    if not _an_id(msg_id):
        return HttpResponse(status=400)
    # The tracking id Chibo gave (chibo-<message id>-zalo) finds a delivery whose msg_id is not written yet, or
    # that a killed worker never learnt. Without one, a msg_id Chibo does not know yet is kept a day: its batch
    # may still be sending.
    message_id = _message_id(str(message.get("tracking_id") or ""), "zalo")
    outcome = reports.receive("zalo", msg_id, delivered=True, message_id=message_id, keep_unknown=message_id is None)
    return JsonResponse({"ok": True, "outcome": outcome})


# Mail providers POST the one-click unsubscribe (RFC 8058) without a session or a CSRF token; the signed link
# is what makes the request the member's. A GET (a person following the link) asks first: mail scanners open
# links, and must not stop anyone's e-mails.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    site.speak_messages_language(request)
    member = unsubscribing.member_from_token(token)
    if member is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    if request.method == "POST":  # again after the first: the same answer, nothing more to change
        unsubscribing.stop_email(member)
    return render(
        request,
        "notifications/unsubscribe.html",
        {
            "member": member,
            "done": request.method == "POST",
            "gets_email": unsubscribing.gets_email(member),
            # Without a phone number, Zalo and SMS cannot reach the member either: the page says so.
            "reachable_otherwise": bool(member.phone),
        },
    )
