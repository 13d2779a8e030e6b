"""The providers' delivery reports: one address per provider, with a secret in it (and, for Zalo, a signature
of the body). A forged or malformed call is refused with 4xx and changes nothing; a report that names no
message Chibo sent is taken (200) and ignored, so that the provider stops sending it."""

import hashlib
import hmac
import json
import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import reports
from .channels import sms
from .models import Message


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


def _not_written_yet(request_id):
    """A RequestId of one of our messages (chibo-<id>-sms) whose SMS delivery is not recorded (yet)."""
    match = re.fullmatch(r"chibo-(\d{1,18})-sms", request_id)
    return bool(match) and (
        Message.objects.filter(pk=int(match.group(1)), status__in=[Message.Status.SENDING, Message.Status.PENDING])
        .exclude(deliveries__channel="sms")
        .exists()
    )


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
    if _not_written_yet(request_id):
        # One of ours whose acceptance is not written yet (the report came first): the provider tries again.
        return HttpResponse(status=409)
    if status in sms.REPORT_DELIVERED:
        outcome = reports.apply("sms", request_id, delivered=True)
    elif status in sms.REPORT_FAILED:
        outcome = reports.apply("sms", request_id, delivered=False, error=f"SMS report: status {status}")
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
    # The tracking id Chibo gave (chibo-<message id>-zalo) finds a delivery whose msg_id a killed worker never
    # learnt.
    tracking = re.fullmatch(r"chibo-(\d{1,18})-zalo", str(message.get("tracking_id") or ""))
    outcome = reports.apply("zalo", msg_id, delivered=True, message_id=int(tracking.group(1)) if tracking else None)
    if outcome == "not written":
        return HttpResponse(status=409)
    return JsonResponse({"ok": True, "outcome": outcome})
