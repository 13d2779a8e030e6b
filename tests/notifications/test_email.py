"""The message e-mails: they answer to the cell's secretary, carry the site's Message-ID, and let the member
stop them in one click (RFC 8058), which moves their messages to another channel."""

import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from members.models import Member
from members.tasks import send_password_reset
from notifications.models import Message
from notifications.tasks import scan_reminders

pytestmark = pytest.mark.django_db

DOMAIN = "chibo.example.vn"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = f"https://{DOMAIN}"
    settings.NOTIFY_CHANNELS = ["email", "sms"]


def sent_to(address):
    (message,) = [m for m in mail.outbox if address in m.to]
    return message


def stop_link(message):
    """The https address of the List-Unsubscribe header."""
    (link,) = re.fullmatch(r"<(https://[^>]+)>", message.extra_headers["List-Unsubscribe"]).groups()
    return link


def test_a_message_answers_to_the_secretary_and_says_how_to_stop_it(invite):
    invite(email="lan@example.vn")
    email = sent_to("lan@example.vn")
    assert email.reply_to == ["secretary@example.vn"]
    sent = email.message()  # as it goes out
    assert re.fullmatch(rf"<[^@>]+@{re.escape(DOMAIN)}>", sent["Message-ID"])
    assert stop_link(email).startswith(f"https://{DOMAIN}/email/stop/")
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The same way out, in the text, for a reader whose mail program shows no button.
    assert stop_link(email) in email.body and "bí thư chi bộ" in email.body


def test_without_a_secretarys_address_replies_go_nowhere_special(invite, secretary, settings):
    settings.DEFAULT_FROM_EMAIL = "Chibo <thongbao@chibo.example.vn>"
    Member.objects.filter(user=secretary).update(email="")
    invite(email="lan@example.vn")
    email = sent_to("lan@example.vn")
    assert email.reply_to == [] and "Reply-To" not in email.message()
    assert "bí thư chi bộ" not in email.body
    # The invitation's calendar comes from the site's address then.
    (part,) = email.attachments
    (event,) = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    assert str(event["organizer"]) == "mailto:thongbao@chibo.example.vn"


def test_the_account_invitation_answers_to_the_secretary_and_has_no_unsubscribe(
    client, secretary, cell, make_member, django_capture_on_commit_callbacks
):
    invitee = make_member(cell, "Bùi Thị Mời", email="moi@example.vn")
    client.force_login(secretary)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:invite", args=[invitee.pk]))
    email = sent_to("moi@example.vn")
    assert email.reply_to == ["secretary@example.vn"]
    assert re.fullmatch(rf"<[^@>]+@{re.escape(DOMAIN)}>", email.message()["Message-ID"])
    assert "List-Unsubscribe" not in email.extra_headers and "List-Unsubscribe" not in email.message()


def test_an_account_email_is_transactional_and_has_no_unsubscribe(secretary, settings):
    send_password_reset.apply(args=["secretary@example.vn"])
    email = sent_to("secretary@example.vn")
    assert re.fullmatch(rf"<[^@>]+@{re.escape(DOMAIN)}>", email.message()["Message-ID"])
    assert "List-Unsubscribe" not in email.extra_headers and "List-Unsubscribe" not in email.message()


def test_the_one_click_post_stops_the_emails_and_the_next_reminder_goes_by_sms(invite, provider):
    message = invite(email="lan@example.vn", phone="+84912345678")
    link = stop_link(sent_to("lan@example.vn"))
    # A mail provider posts RFC 8058's body, without a session or a CSRF token.
    provider_client = Client(enforce_csrf_checks=True)
    response = provider_client.post(link.removeprefix(f"https://{DOMAIN}"), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Chibo không gửi email cho đồng chí nữa" in response.content.decode()
    member = message.member
    member.refresh_from_db()
    assert member.channels == "sms"
    mail.outbox.clear()
    with time_machine.travel("2026-11-30 09:00 +0700"):  # three days before the meeting
        scan_reminders()
    reminder = Message.objects.get(member=member, kind=Message.Kind.REMINDER)
    assert (reminder.status, reminder.channel) == ("sent", "sms")
    assert [m for m in mail.outbox if "lan@example.vn" in m.to] == []
    assert [phone for phone, _text in provider.sms_sent] == ["84912345678"]


def test_the_link_opened_asks_first_and_changes_nothing(client, invite):
    message = invite(email="lan@example.vn")
    page = client.get(stop_link(sent_to("lan@example.vn")), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Ngừng nhận email?" in page.content.decode()  # the e-mail was Vietnamese: so is its page
    message.member.refresh_from_db()
    assert message.member.channels == ""


def test_an_email_only_member_gets_zalo_and_sms_instead(client, invite):
    message = invite(email="lan@example.vn", channels="email", phone="+84912345678")
    page = client.post(stop_link(sent_to("lan@example.vn")))
    message.member.refresh_from_db()
    assert message.member.channels == "zalo,sms"
    assert message.member.get_channels_display() == "Zalo, rồi SMS"
    assert "chưa có số điện thoại" not in page.content.decode()


def test_a_member_without_a_phone_is_told_that_stopping_the_emails_stops_every_message(client, invite):
    invite(email="lan@example.vn", channels="email", phone="")
    link = stop_link(sent_to("lan@example.vn"))
    assert "Chi bộ chưa có số điện thoại của đồng chí" in client.get(link).content.decode()
    assert "Chi bộ chưa có số điện thoại của đồng chí" in client.post(link).content.decode()


@pytest.mark.parametrize("tamper", [lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), lambda t: "x" + t])
def test_a_tampered_link_says_so_and_changes_nothing(client, invite, tamper):
    message = invite(email="lan@example.vn")
    token = stop_link(sent_to("lan@example.vn")).rstrip("/").rsplit("/", 1)[1]
    response = client.post(reverse("notifications:unsubscribe", args=[tamper(token)]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Đường dẫn này không dùng được" in response.content.decode()
    assert "Không có gì bị thay đổi" in response.content.decode()
    message.member.refresh_from_db()
    assert message.member.channels == ""


def test_a_link_sent_to_an_old_address_no_longer_speaks_for_the_member(client, invite):
    message = invite(email="lan@example.vn")
    link = stop_link(sent_to("lan@example.vn"))
    Member.objects.filter(pk=message.member_id).update(email="lan.moi@example.vn")
    assert client.post(link).status_code == 404
    message.member.refresh_from_db()
    assert message.member.channels == ""


def test_a_member_informed_only_gets_the_meeting_as_a_non_participant(invite):
    # Exempt members are told of the meeting, not expected at it (domain §3): so says their calendar.
    invite(email="lan@example.vn", status=Member.Status.EXEMPT)
    (part,) = sent_to("lan@example.vn").attachments
    (event,) = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    assert event["attendee"].params["ROLE"] == "NON-PARTICIPANT"
    invite(email="lan@example.vn")
    (part,) = [m for m in mail.outbox if "lan@example.vn" in m.to][-1].attachments
    (event,) = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    assert event["attendee"].params["ROLE"] == "REQ-PARTICIPANT"


def test_the_notice_of_a_changed_address_does_not_answer_to_the_secretary_who_may_have_changed_it(secretary, member):
    from members.models import Member
    from members.tasks import send_email_changed

    changed = Member.objects.get(user=member)
    assert send_email_changed.apply(args=[changed.pk, ["cu@example.vn"], "moi-doi@example.vn"]).result == "sent"
    email = sent_to("cu@example.vn")
    assert email.reply_to == [] and "Reply-To" not in email.message()
