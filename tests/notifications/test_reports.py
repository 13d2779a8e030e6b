"""Delivery reports: applied once, forged or malformed calls refused with no change, and a failure or a
report that never came sends the message on by the next channel."""

import hashlib
import json

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members.models import Member
from notifications.channels import Accepted, sms
from notifications.models import Delivery, EarlyReport, Message
from notifications.tasks import Sending, scan_reminders
from tests.notifications.conftest import NOW, deliveries


@pytest.fixture
def hooked(settings, provider):
    settings.SMS_CALLBACK_SECRET = "sms-hook-secret"
    settings.ZALO_CALLBACK_SECRET = "zalo-hook-secret"
    settings.ZALO_OA_SECRET_KEY = "oa-secret"
    return provider


def post_sms(client, data, secret="sms-hook-secret"):
    url = reverse("notifications:sms_report", args=[secret])
    return client.post(url, json.dumps(data), content_type="application/json")


def post_zalo(client, data, signature=None, secret="zalo-hook-secret"):
    body = json.dumps(data)
    if signature is None:
        signature = hashlib.sha256(f"app{body}{data.get('timestamp', '')}oa-secret".encode()).hexdigest()
    url = reverse("notifications:zalo_report", args=[secret])
    return client.post(url, body, content_type="application/json", HTTP_X_ZEVENT_SIGNATURE=f"mac={signature}")


def state(message):
    message.refresh_from_db()
    return message.status, message.channel, deliveries(message)


def test_the_sms_provider_s_report_marks_the_message_delivered_once(client, invite, hooked, settings):
    settings.NOTIFY_CHANNELS = ["sms", "email"]
    message = invite(phone="+84912345678", email="lan@example.vn")
    request_id = f"chibo-{message.pk}-sms"
    assert hooked.requests[-1][2]["CallbackUrl"].endswith("/hooks/sms/sms-hook-secret/")
    response = post_sms(client, {"RequestId": request_id, "SMSID": "x1", "SendStatus": 5})
    assert (response.status_code, response.json()["outcome"]) == (200, "delivered")
    assert state(message) == ("delivered", "sms", [("sms", "delivered")])
    assert message.delivered_at is not None
    again = post_sms(client, {"RequestId": request_id, "SMSID": "x1", "SendStatus": 2})  # late and contrary
    assert (again.status_code, again.json()["outcome"]) == (200, "known")
    assert state(message) == ("delivered", "sms", [("sms", "delivered")])


def test_forged_and_malformed_reports_change_nothing(client, invite, hooked, settings):
    settings.NOTIFY_CHANNELS = ["sms"]
    message = invite(phone="+84912345678")
    request_id = f"chibo-{message.pk}-sms"
    before = state(message)
    assert post_sms(client, {"RequestId": request_id, "SendStatus": 5}, secret="guessed").status_code == 403
    url = reverse("notifications:sms_report", args=["sms-hook-secret"])
    assert client.post(url, "not json", content_type="application/json").status_code == 400
    assert client.post(url, "[1, 2]", content_type="application/json").status_code == 400
    assert post_sms(client, {"RequestId": ["x"], "SendStatus": 5}).status_code == 400
    assert post_sms(client, {"SendStatus": 5}).status_code == 400
    assert post_sms(client, {"RequestId": "chibo-\x00-sms", "SendStatus": 5}).status_code == 400  # no 500
    assert post_sms(client, {"RequestId": "x" * 101, "SendStatus": 5}).status_code == 400
    assert client.get(url).status_code == 405
    assert post_sms(client, {"RequestId": "chibo-0-sms", "SendStatus": 5}).json()["outcome"] == "unknown"
    assert post_sms(client, {"RequestId": request_id, "SendStatus": 1}).json()["outcome"] == "on the way"
    settings.SMS_CALLBACK_SECRET = ""  # not configured: no address answers
    assert post_sms(client, {"RequestId": request_id, "SendStatus": 5}, secret="sms-hook-secret").status_code == 403
    assert state(message) == before


def test_a_failed_sms_goes_on_by_the_next_channel(client, invite, hooked, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_CHANNELS = ["sms", "email"]
    message = invite(phone="+84912345678", email="lan@example.vn")
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = post_sms(client, {"RequestId": f"chibo-{message.pk}-sms", "SendStatus": "UNDELIV"})
    assert response.json()["outcome"] == "failed"
    assert state(message) == ("sent", "email", [("sms", "failed"), ("email", "accepted")])
    assert mail.outbox[-1].to == ["lan@example.vn"]


def test_zalo_reports_are_signed(client, invite, hooked, settings):
    settings.ZALO_APP_ID = "app"
    message = invite(phone="+84912345678")
    msg_id = message.deliveries.get(channel="zalo").provider_id
    report = {"event_name": "user_received_message", "app_id": "app", "timestamp": "1764900000000",
              "message": {"msg_id": msg_id, "delivery_time": "1764900000000"}}  # fmt: skip
    nul = {**report, "message": {"msg_id": "a\x00b"}}
    assert post_zalo(client, nul).status_code == 400  # no 500
    assert post_zalo(client, report, signature="0" * 64).status_code == 403
    assert post_zalo(client, report, secret="guessed").status_code == 403
    assert state(message)[0] == "sent"
    response = post_zalo(client, report)
    assert (response.status_code, response.json()["outcome"]) == (200, "delivered")
    assert state(message) == ("delivered", "zalo", [("zalo", "delivered")])


def test_no_report_in_time_sends_it_by_the_next_channel_once(invite, hooked, settings):
    settings.NOTIFY_CHANNELS = ["zalo", "sms"]
    message = invite(phone="+84912345678")
    assert state(message)[:2] == ("sent", "zalo")
    with time_machine.travel("2026-11-20 09:29 +0700", tick=False):
        scan_reminders()
    assert state(message)[:2] == ("sent", "zalo")  # still waiting
    with time_machine.travel("2026-11-20 09:31 +0700", tick=False):
        scan_reminders()
        scan_reminders()
    assert state(message) == ("sent", "sms", [("zalo", "no_report"), ("sms", "accepted")])
    assert len(hooked.sms_sent) == 1 and len(hooked.zalo_sent) == 1


def test_the_secretary_sees_each_member_s_channel_and_state(client, invite, hooked, secretary, settings):
    message = invite(phone="+84912345678")
    Message.objects.filter(pk=message.pk).update(status=Message.Status.DELIVERED)
    client.force_login(secretary)
    page = client.get(reverse("meetings:detail", args=[message.meeting_id]))
    rows = {(m.member.full_name, m.channel_label, m.get_status_display()) for m in page.context["sent_messages"]}
    assert ("Nguyễn Thị Lan", "Zalo", "Đã nhận") in rows
    assert 'id="messages"' in page.content.decode()
    invitee = Member.objects.get(full_name="Nguyễn Thị Lan")
    assert Delivery.objects.filter(message__member=invitee).count() == 1


def test_no_report_on_the_member_s_only_channel_leaves_it_sent(invite, hooked, settings):
    message = invite(phone="+84912345678", channels="zalo")
    with time_machine.travel("2026-11-20 09:31 +0700", tick=False):
        scan_reminders()
    assert state(message) == ("sent", "zalo", [("zalo", "accepted")])
    assert message.report_due_at is None and hooked.sms_sent == []


def test_a_report_that_comes_before_its_delivery_is_written_is_kept_and_applied_then(client, invite, hooked, settings):
    """The provider reports while the batch is still sending (its acceptance not written): the report is kept,
    not lost, and applied when the batch writes; a kept report the batch missed is applied by the scan."""
    settings.NOTIFY_CHANNELS = ["sms"]
    message = invite(phone="+84912345678")
    # As the batch left it mid-way: the SMS sent, nothing written yet.
    Delivery.objects.filter(message=message).delete()
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENDING, claimed_at=timezone.now())
    response = post_sms(client, {"RequestId": f"chibo-{message.pk}-sms", "SendStatus": 5})
    assert (response.status_code, response.json()["outcome"]) == (200, "kept")
    assert state(message)[0] == "sending" and EarlyReport.objects.count() == 1
    # The batch writes what the provider answered: the kept report follows at once.
    sending = Sending([message.pk])
    sending.now = Message.objects.get(pk=message.pk).claimed_at
    sending.accept(message, sms, "+84912345678", Accepted(provider_id=f"chibo-{message.pk}-sms"), None)
    sending.write()
    assert state(message) == ("delivered", "sms", [("sms", "delivered")])
    assert EarlyReport.objects.count() == 0

    # A report kept just after its batch wrote is applied by the scan, before any time-out.
    second = invite(phone="+84912345678")
    EarlyReport.objects.create(channel="sms", provider_id=f"chibo-{second.pk}-sms", message=second, delivered=True)
    with time_machine.travel("2026-11-20 09:05 +0700", tick=False):
        scan_reminders()
    assert state(second) == ("delivered", "sms", [("sms", "delivered")]) and EarlyReport.objects.count() == 0
