"""Messages go to the workers in batches: each batch claims, reads and writes in a number of queries that does
not grow with its size; a send a killed worker left unanswered is never made twice by a channel that cannot
refuse a copy; a batch that runs long lets the rest go before another worker would claim them."""

import json
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import Meeting
from notifications.models import Delivery, Message, SendingCount
from notifications.tasks import deliver_message, deliver_messages
from tests.notifications.conftest import deliveries


def confirmed_meeting(cell, make_member, members, prefix):
    for n in range(members):
        make_member(cell, f"Đảng viên {prefix}{n}", phone=f"+849{prefix}{n:06d}")
    meeting = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() + timedelta(days=5), place="Nhà văn hóa")
    )
    services.confirm(meeting)  # in a test transaction the invitations are not sent: the test sends them
    return list(
        Message.objects.filter(meeting=meeting, member__phone__startswith=f"+849{prefix}").values_list("pk", flat=True)
    )


def test_a_batch_sends_each_message_once_in_queries_that_do_not_grow_with_it(cell, make_member, provider, settings):
    settings.NOTIFY_CHANNELS = ["sms"]
    small = confirmed_meeting(cell, make_member, 4, "11")
    large = confirmed_meeting(cell, make_member, 24, "22")
    # The month's row is there: both batches update it.
    SendingCount.objects.create(cell=cell, month=timezone.localdate().replace(day=1), channel="sms")
    with CaptureQueriesContext(connection) as few:
        assert deliver_messages.apply(args=[small]).result == {"sent": 4}
    with CaptureQueriesContext(connection) as many:
        assert deliver_messages.apply(args=[large]).result == {"sent": 24}
    assert len(many.captured_queries) == len(few.captured_queries) <= 12
    phones = sorted(phone for phone, _text in provider.sms_sent)
    assert phones == sorted(f"849{p}{n:06d}" for p, count in (("11", 4), ("22", 24)) for n in range(count))
    sent = Message.objects.filter(pk__in=small + large)
    assert set(sent.values_list("status", "channel")) == {("sent", "sms")}
    assert Delivery.objects.filter(message__in=sent, status="accepted").count() == 28
    count = SendingCount.objects.get(cell=cell, channel="sms")
    assert (count.messages, count.units) == (28, 28)
    # Delivered again (a task the broker gave twice): nothing is sent twice.
    assert deliver_messages.apply(args=[large]).result == {"skipped": 24}
    assert len(provider.sms_sent) == 28


def test_a_zalo_send_a_killed_worker_left_unanswered_is_not_made_again(client, cell, make_member, provider, settings):
    settings.ZALO_CALLBACK_SECRET = "zalo-hook-secret"
    settings.ZALO_OA_SECRET_KEY = ""
    [pk] = confirmed_meeting(cell, make_member, 1, "33")
    message = Message.objects.get(pk=pk)
    # What a worker killed during the call to Zalo leaves: the message claimed, the delivery written before it.
    Delivery.objects.create(message=message, channel="zalo", address="+849330000000", status="sending", units=0)
    Message.objects.filter(pk=pk).update(status="sending", attempts=1, claimed_at=timezone.now() - timedelta(hours=1))
    hook = reverse("notifications:zalo_report", args=["zalo-hook-secret"])
    report = {"event_name": "user_received_message", "app_id": "", "timestamp": "1764900000000",
              "message": {"msg_id": "zalo-msg-1", "tracking_id": f"chibo-{pk}-zalo"}}  # fmt: skip
    # Zalo's report comes before anything is known: Zalo is asked to send it again.
    assert client.post(hook, json.dumps(report), content_type="application/json").status_code == 409

    assert deliver_message.apply(args=[pk]).result == "sent"
    assert provider.zalo_sent == [] and provider.sms_sent == []  # not sent again, by Zalo or by SMS
    message.refresh_from_db()
    assert (message.status, message.channel, deliveries(message)) == ("sent", "zalo", [("zalo", "accepted")])
    assert message.report_due_at is not None  # no report in time: the SMS goes then
    assert "interrupted" in message.deliveries.get().error

    # The report, matched by the tracking id Chibo gave: delivered.
    response = client.post(hook, json.dumps(report), content_type="application/json")
    assert (response.status_code, response.json()["outcome"]) == (200, "delivered")
    message.refresh_from_db()
    assert message.status == "delivered" and deliveries(message) == [("zalo", "delivered")]


def test_a_batch_that_runs_past_half_the_claim_lets_the_rest_go(cell, make_member, provider, settings):
    settings.NOTIFY_CHANNELS = ["sms"]
    settings.MESSAGE_CLAIM_TIMEOUT_SECONDS = 1
    provider.sms_delay = 0.3
    ids = confirmed_meeting(cell, make_member, 6, "44")
    first = Message.objects.filter(pk__in=ids)
    outcome = deliver_messages.apply(args=[ids]).result
    # Half a second in, the batch stopped and sent the rest as a task of its own (here run at once).
    assert outcome["sent"] < 6 and outcome["later"] == 6 - outcome["sent"]
    assert set(first.values_list("status", flat=True)) == {"sent"}
    assert sorted(phone for phone, _text in provider.sms_sent) == sorted(f"84944{n:06d}" for n in range(6))
    assert set(first.values_list("attempts", flat=True)) == {1}
