"""Each message reaches its member by one channel: Zalo, else SMS, else e-mail, by the member's order. The
providers are real HTTP servers on 127.0.0.1 (tests/notifications/providers.py), not mock objects."""

from datetime import timedelta

import time_machine
from django.core import mail

from notifications.channels import base, sms
from notifications.models import Delivery, Message
from notifications.tasks import deliver_message
from tests.notifications.conftest import NOW, deliveries


def test_a_member_with_zalo_gets_the_invitation_by_zalo_alone(invite, provider, settings):
    settings.ZALO_CALLBACK_SECRET = "zalo-hook-secret"  # reports come: Chibo waits for one
    message = invite(phone="+84912345678", email="lan@example.vn")
    message.refresh_from_db()
    assert (message.status, message.channel) == ("sent", "zalo")
    assert deliveries(message) == [("zalo", "accepted")]
    assert len(provider.zalo_sent) == 1 and provider.sms_sent == []
    assert not [m for m in mail.outbox if "lan@example.vn" in m.to]
    phone, template, data = provider.zalo_sent[0]
    assert (phone, template) == ("84912345678", "t-invitation")
    assert data["name"] == "Nguyễn Thị Lan" and data["time"] == "19:30 03/12/2026"
    assert data["place"] == "Nhà văn hóa thôn Đông" and "/r/" in data["link"]
    assert message.report_due_at == message.sent_at + timedelta(minutes=30)


def test_a_number_without_zalo_gets_an_sms_instead(invite, provider):
    provider.script["84912345678"] = "no_zalo"
    message = invite(phone="+84912345678", email="lan@example.vn")
    message.refresh_from_db()
    assert (message.status, message.channel) == ("sent", "sms")
    assert deliveries(message) == [("zalo", "failed"), ("sms", "accepted")]
    assert provider.zalo_sent == [] and len(provider.sms_sent) == 1
    phone, text = provider.sms_sent[0]
    assert phone == "84912345678"
    # No tones, one segment, with the date, time, place and the short reply link.
    assert text.isascii() and sms.segments(text) == 1
    assert "19:30 03/12" in text and "Nha van hoa thon Dong" in text and "/r/" in text
    assert message.deliveries.get(channel="sms").provider_id == f"chibo-{message.pk}-sms"


def test_a_template_zalo_refuses_falls_back_to_sms(invite, provider):
    provider.templates.discard("t-invitation")
    message = invite(phone="+84912345678")
    message.refresh_from_db()
    assert deliveries(message) == [("zalo", "failed"), ("sms", "accepted")]
    assert "-1123" in message.deliveries.get(channel="zalo").error


def test_an_expired_zalo_token_is_renewed_and_the_new_refresh_token_kept(invite, provider):
    from notifications.models import ZaloToken

    message = invite(phone="+84912345678")
    assert provider.renewals == 1 and ZaloToken.objects.get().refresh_token == "rt-1"
    provider.access_token = "at-expired-elsewhere"  # Zalo no longer takes the token Chibo holds
    second = invite(phone="+84987654321")
    second.refresh_from_db()
    assert second.channel == "zalo" and provider.renewals == 2
    assert ZaloToken.objects.get().refresh_token == "rt-2"  # the old one would be refused now
    assert message.pk != second.pk


def test_a_provider_down_is_tried_again_later_by_the_same_channel(invite, provider, settings):
    settings.NOTIFY_CHANNELS = ["sms", "email"]
    provider.script["84912345678"] = "5xx"
    with time_machine.travel(NOW, tick=False) as traveller:
        message = invite(phone="+84912345678", email="lan@example.vn")
        message.refresh_from_db()
        assert (message.status, message.channel, message.attempts) == ("pending", "sms", 1)
        assert message.deliveries.count() == 0 and len(mail.outbox) == 0  # no e-mail instead: not a failure for good
        del provider.script["84912345678"]
        traveller.shift(timedelta(seconds=61))
        assert deliver_message.apply(args=[message.pk]).result == "sent"
    message.refresh_from_db()
    assert deliveries(message) == [("sms", "accepted")] and len(provider.sms_sent) == 1


def test_a_slow_provider_is_given_up_for_now_within_the_timeout(invite, provider, settings):
    settings.NOTIFY_CHANNELS = ["sms"]
    provider.script["84912345678"] = "slow"
    message = invite(phone="+84912345678")
    message.refresh_from_db()
    assert message.status == "pending" and "ReadTimeout" in message.last_error


def test_zalo_that_answers_too_late_is_taken_as_sent_and_not_sent_again(invite, provider, settings):
    """A read time-out comes after the request went: Zalo may have sent it, and takes no copy back. The message
    counts as sent, unconfirmed, and waits for Zalo's report before SMS."""
    settings.ZALO_CALLBACK_SECRET = "zalo-hook-secret"
    provider.script["84912345678"] = "slow"
    message = invite(phone="+84912345678")
    message.refresh_from_db()
    assert (message.status, message.channel, deliveries(message)) == ("sent", "zalo", [("zalo", "accepted")])
    assert "ReadTimeout" in message.deliveries.get().error and message.report_due_at is not None
    assert len(provider.zalo_sent) == 1 and provider.sms_sent == []


def test_an_sms_the_provider_took_before_a_worker_died_is_not_sent_twice(invite, provider, settings):
    """The worker died after the provider took the SMS and before Chibo wrote it down: the message is
    claimed again, and the provider refuses the same RequestId; Chibo counts it as sent."""
    settings.NOTIFY_CHANNELS = ["sms"]
    provider.script["84912345678"] = "5xx"
    message = invite(phone="+84912345678")
    provider.sms_request_ids[f"chibo-{message.pk}-sms"] = "taken-before"
    provider.sms_sent.append(("84912345678", "the first one"))
    del provider.script["84912345678"]
    Message.objects.filter(pk=message.pk).update(next_attempt_at=None)
    with time_machine.travel(NOW, tick=False):
        assert deliver_message.apply(args=[message.pk]).result == "sent"
    assert len(provider.sms_sent) == 1
    assert deliveries(message) == [("sms", "accepted")]


def test_after_repeated_failures_for_now_the_next_channel_is_tried(invite, provider, settings):
    settings.NOTIFY_CHANNELS = ["sms", "email"]
    settings.MESSAGE_MAX_ATTEMPTS = 2
    provider.script["84912345678"] = "html"  # a maintenance page instead of the API
    with time_machine.travel(NOW, tick=False) as traveller:
        message = invite(phone="+84912345678", email="lan@example.vn")
        traveller.shift(timedelta(seconds=61))
        assert deliver_message.apply(args=[message.pk]).result == "sent"
    message.refresh_from_db()
    assert deliveries(message) == [("sms", "failed"), ("email", "accepted")]
    assert message.channel == "email" and mail.outbox[-1].to == ["lan@example.vn"]


def test_every_channel_refusing_fails_the_message_for_the_secretary(invite, provider):
    provider.script["84912345678"] = "no_zalo"
    provider.script["84912345678"] = "refuse"
    provider.templates.clear()
    message = invite(phone="+84912345678")
    message.refresh_from_db()
    assert message.status == "failed"
    assert deliveries(message) == [("zalo", "failed"), ("sms", "failed")]


def test_a_member_s_own_order_and_a_member_who_asked_for_nothing(invite, provider):
    message = invite(phone="+84912345678", email="lan@example.vn", channels="email")
    message.refresh_from_db()
    assert message.channel == "email" and provider.zalo_sent == [] and provider.sms_sent == []
    quiet = invite(phone="+84912345678", email="lan@example.vn", no_messages=True)
    quiet.refresh_from_db()
    assert quiet.status == "opted_out" and quiet.deliveries.count() == 0 and provider.zalo_sent == []


def test_no_phone_no_email_is_no_way_to_reach_them(invite, provider):
    message = invite(phone="+842438261234")  # a landline takes neither SMS nor Zalo
    message.refresh_from_db()
    assert message.status == "no_address" and provider.requests == []


def test_without_providers_make_run_prints_sms_and_zalo_on_the_console(invite, settings, capsys):
    settings.SMS_API_URL = settings.ZALO_API_URL = ""
    settings.NOTIFY_CHANNELS = ["sms"]
    message = invite(phone="+84912345678", email="lan@example.vn")
    printed = capsys.readouterr().out
    assert "SMS to +84912345678" in printed and "(1 segment)" in printed and "/r/" in printed
    assert base.console_outbox[-1]["address"] == "+84912345678"
    message.refresh_from_db()
    assert (message.status, message.report_due_at) == ("sent", None)  # a console sends no report
    settings.NOTIFY_CHANNELS = ["zalo"]
    invite(phone="+84912345678")
    assert "Zalo to +84912345678" in capsys.readouterr().out


def test_sms_segments_follow_the_alphabet():
    assert sms.segments("a" * 160) == 1 and sms.segments("a" * 161) == 2 and sms.segments("a" * 306) == 2
    assert sms.segments("ă" * 70) == 1 and sms.segments("ă" * 71) == 2
    assert sms.unaccented("Chi bộ thôn Đông họp lúc 19:30") == "Chi bo thon Dong hop luc 19:30"
    assert Delivery.Status.ACCEPTED == "accepted"


def test_what_the_messages_cost_shows_on_the_cell_and_committee_dashboards(client, invite, provider, settings,
                                                                           commune_viewer, cell, commune):  # fmt: skip
    from django.urls import reverse

    settings.SMS_PRICE_VND, settings.ZALO_PRICE_VND = 800, 300
    invite(phone="+84912345678")  # by Zalo
    provider.script["84987654321"] = "no_zalo"
    invite(phone="+84987654321")  # by SMS (one segment), after Zalo refused
    client.force_login(commune_viewer)
    for unit in (cell, commune):
        with time_machine.travel("2026-11-25 09:00 +0700"):
            page = client.get(reverse("meetings:dashboard", args=[unit.pk]), {"period": "month", "month": "2026-11"})
        rows = {row["channel"]: (row["messages"], row["units"], row["cost"]) for row in page.context["costs"]["rows"]}
        assert rows == {"zalo": (1, 1, 300), "sms": (1, 1, 800), "email": (0, 0, 0)}
        assert page.context["costs"]["total"] == 1100 and 'id="cost-total">1100<' in page.content.decode()


def test_without_a_report_hook_nothing_waits_for_zalo_reports(invite, provider, settings):
    settings.ZALO_CALLBACK_SECRET = ""
    message = invite(phone="+84912345678")
    message.refresh_from_db()
    assert (message.channel, message.report_due_at) == ("zalo", None)
