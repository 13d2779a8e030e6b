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
from notifications.models import Delivery, EarlyReport, Message, SendingCount
from notifications.tasks import Sending, deliver_message, deliver_messages
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
    # (The savepoints stand for the transactions a worker begins and commits.)
    statements = lambda captured: [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]]  # noqa: E731
    assert len(statements(many.captured_queries)) == len(statements(few.captured_queries)) == 10
    phones = sorted(phone for phone, _text in provider.sms_sent)
    assert phones == sorted(f"849{p}{n:06d}" for p, count in (("11", 4), ("22", 24)) for n in range(count))
    sent = Message.objects.filter(pk__in=small + large)
    assert set(sent.values_list("status", "channel")) == {("sent", "sms")}
    assert Delivery.objects.filter(message__in=sent, status="accepted").count() == 28
    count = SendingCount.objects.get(cell=cell, channel="sms")
    assert (count.messages, count.units) == (28, 28)
    # Delivered again (a task the broker gave twice): nothing is sent again, not even as a copy the provider
    # would refuse.
    calls = len(provider.requests)
    assert deliver_messages.apply(args=[large]).result == {"skipped": 24}
    assert len(provider.requests) == calls == 28


def test_an_e_mail_batch_looks_up_the_secretary_and_the_calendar_once_whatever_its_size(
    cell, secretary, make_member, provider, settings, mailoutbox
):
    """Each invitation e-mail answers to the secretary and carries the meeting's .ics: both looked up once per
    batch, not once per e-mail."""
    settings.NOTIFY_CHANNELS = ["email"]

    def invited(count, prefix):
        for n in range(count):
            make_member(cell, f"Đảng viên {prefix}{n}", email=f"dv{prefix}{n}@example.vn")
        meeting = services.create_meeting(
            Meeting(cell=cell, starts_at=timezone.now() + timedelta(days=5), place="Nhà văn hóa")
        )
        services.confirm(meeting)
        return list(Message.objects.filter(meeting=meeting, member__email__startswith=f"dv{prefix}")
                    .values_list("pk", flat=True))  # fmt: skip

    small, large = invited(3, "a"), invited(12, "b")
    SendingCount.objects.create(cell=cell, month=timezone.localdate().replace(day=1), channel="email")
    with CaptureQueriesContext(connection) as few:
        assert deliver_messages.apply(args=[small]).result == {"sent": 3}
    with CaptureQueriesContext(connection) as many:
        assert deliver_messages.apply(args=[large]).result == {"sent": 12}
    statements = lambda captured: [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]]  # noqa: E731
    # E-mail writes its delivery row before each send (one statement a message); nothing else grows.
    assert len(statements(many.captured_queries)) - len(statements(few.captured_queries)) == 12 - 3
    to_members = [m for m in mailoutbox if m.to[0].startswith("dv")]
    assert len(to_members) == 15
    assert {tuple(m.reply_to) for m in to_members} == {(secretary.email,)}
    for sent in to_members:
        parts = [part for part in sent.message().walk() if part.get_content_type() == "text/calendar"]
        assert b"BEGIN:VCALENDAR" in parts[0].get_payload(decode=True)


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
    # The message taken as sent, not sent again, by Zalo or by SMS; with no report in time, SMS would go then.
    assert deliver_message.apply(args=[pk]).result == "sent"
    assert provider.requests == []
    message.refresh_from_db()
    assert (message.status, message.channel, deliveries(message)) == ("sent", "zalo", [("zalo", "accepted")])
    assert message.report_due_at is not None and "interrupted" in message.deliveries.get().error

    # Zalo's report, matched by the tracking id Chibo gave (the msg_id was never learnt): delivered.
    response = client.post(hook, json.dumps(report), content_type="application/json")
    assert (response.status_code, response.json()["outcome"]) == (200, "delivered")
    message.refresh_from_db()
    assert message.status == "delivered" and deliveries(message) == [("zalo", "delivered")]


def test_a_zalo_report_that_comes_while_its_batch_is_sending_is_kept_and_applied(client, cell, make_member,
                                                                                  provider, settings):  # fmt: skip
    settings.ZALO_CALLBACK_SECRET = "zalo-hook-secret"
    settings.ZALO_OA_SECRET_KEY = ""
    [pk] = confirmed_meeting(cell, make_member, 1, "55")
    message = Message.objects.get(pk=pk)
    sending = Sending([pk])
    sending.send_claimed(sending.claim())  # sent by Zalo; the batch has not written yet
    assert [phone for phone, _template, _data in provider.zalo_sent] == ["84955000000"]
    assert deliveries(message) == [("zalo", "sending")]
    msg_id = provider.zalo_msg_ids[-1]
    hook = reverse("notifications:zalo_report", args=["zalo-hook-secret"])
    for tracking in (f"chibo-{pk}-zalo", None):  # with Chibo's tracking id, and without one
        report = {"event_name": "user_received_message", "timestamp": "1764900000000",
                  "message": {"msg_id": msg_id, **({"tracking_id": tracking} if tracking else {})}}  # fmt: skip
        response = client.post(hook, json.dumps(report), content_type="application/json")
        assert (response.status_code, response.json()["outcome"]) == (200, "kept")
    sending.write()
    message.refresh_from_db()
    assert message.status == "delivered" and deliveries(message) == [("zalo", "delivered")]
    assert not EarlyReport.objects.exists()


def test_a_batch_that_stalled_past_its_claim_writes_nothing_over_another_s_work(cell, make_member, provider,
                                                                                settings):  # fmt: skip
    settings.NOTIFY_CHANNELS = ["sms"]
    [pk] = confirmed_meeting(cell, make_member, 1, "66")
    stalled = Sending([pk])
    stalled.send_claimed(stalled.claim())  # sent; then the worker stalls
    # Meanwhile another worker claimed it again, sent it (the provider refused the copy) and wrote it.
    Message.objects.filter(pk=pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert deliver_message.apply(args=[pk]).result == "sent"
    stalled.write()  # the stalled worker wakes up
    message = Message.objects.get(pk=pk)
    assert message.status == "sent" and deliveries(message) == [("sms", "accepted")]
    assert SendingCount.objects.get(cell=cell, channel="sms").messages == 1
    assert stalled.outcomes[pk] == "skipped" and len(provider.sms_sent) == 1


def test_a_send_that_failed_for_now_leaves_no_row_a_killed_worker_would_take_as_sent(cell, make_member, provider):
    [pk] = confirmed_meeting(cell, make_member, 1, "77")
    provider.script["84977000000"] = "5xx"
    sending = Sending([pk])
    sending.send_claimed(sending.claim())  # Zalo away; the worker is killed before it writes
    message = Message.objects.get(pk=pk)
    assert deliveries(message) == []  # so the next worker tries Zalo again, and does not take it as sent


def test_a_batch_that_runs_past_half_the_claim_lets_the_rest_go(cell, make_member, provider, settings):
    settings.NOTIFY_CHANNELS = ["sms"]
    settings.MESSAGE_CLAIM_TIMEOUT_SECONDS = 1
    provider.sms_delay = 0.3
    ids = confirmed_meeting(cell, make_member, 6, "44")
    first = Message.objects.filter(pk__in=ids)
    outcome = deliver_messages.apply(args=[ids]).result
    # Half a second in, the batch stopped and sent the rest as a task of its own (here run at once); the
    # first message is always sent, so that a batch let go makes progress.
    assert 1 <= outcome["sent"] < 6 and outcome["later"] == 6 - outcome["sent"]
    assert set(first.values_list("status", flat=True)) == {"sent"}
    assert sorted(phone for phone, _text in provider.sms_sent) == sorted(f"84944{n:06d}" for n in range(6))
    assert set(first.values_list("attempts", flat=True)) == {1}
