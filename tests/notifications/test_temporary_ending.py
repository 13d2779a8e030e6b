"""The reminder to the cell's secretary before a member's temporary activity ends (domain §8)."""

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from members import services
from members.models import Member
from notifications.due import _temporary_activity_endings
from notifications.models import Message
from notifications.tasks import deliver_message, scan_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def away(cell, make_member, secretary):
    member = make_member(cell, "Lê Văn Đi")
    services.change_status(member, Member.Status.AWAY, date(2026, 9, 1), temporary_reason="work",
                           temporary_until=date(2027, 3, 15))  # fmt: skip
    return member


def scan_at(moment):
    with time_machine.travel(moment):
        return scan_reminders()


def endings():
    return list(
        Message.objects.filter(kind=Message.Kind.TEMPORARY_ENDING).values_list(
            "member__full_name", "about_member__full_name", "key", "status"
        )
    )


def test_the_secretary_is_told_thirty_days_before_the_end_once(away, settings):
    settings.TRANSFER_END_REMINDER_DAYS = 30
    scan_at("2027-02-12 07:00 +0700")  # 31 days before
    assert endings() == []
    scan_at("2027-02-13 07:00 +0700")
    scan_at("2027-02-14 07:00 +0700")
    assert endings() == [("Trần Văn Bí", "Lê Văn Đi", "2027-03-15", "sent")]
    (email,) = mail.outbox
    assert email.to == ["secretary@example.vn"]
    assert email.subject == "Sinh hoạt tạm thời của Lê Văn Đi hết hạn ngày 15/03/2027"
    assert "đồng chí Lê Văn Đi (Đi sinh hoạt tạm thời nơi khác) hết hạn ngày 15/03/2027" in email.body


def test_a_member_back_before_the_reminder_goes_needs_none(away, secretary):
    message = Message.objects.create(
        about_member=away, member=secretary.member, kind=Message.Kind.TEMPORARY_ENDING, key="2027-03-15"
    )
    services.change_status(away, Member.Status.ACTIVE, date(2027, 2, 13))
    with time_machine.travel("2027-02-13 07:05 +0700"):
        assert deliver_message.apply(args=[message.pk]).result == "not needed"
    message.refresh_from_db()
    assert (message.status, mail.outbox) == (Message.Status.SKIPPED, [])


def test_nobody_is_told_without_a_secretary(away, secretary):
    Member.objects.filter(user=secretary).update(position=Member.Position.MEMBER)
    scan_at("2027-02-14 07:00 +0700")
    assert endings() == []


def test_a_new_end_brings_a_new_reminder(away, settings):
    scan_at("2027-02-20 07:00 +0700")
    services.change_status(away, Member.Status.ACTIVE, date(2027, 2, 21))
    services.change_status(away, Member.Status.AWAY, date(2027, 2, 22), temporary_reason="study",
                           temporary_until=date(2027, 3, 20))  # fmt: skip
    scan_at("2027-02-22 07:00 +0700")
    assert sorted(key for _to, _about, key, _status in endings()) == ["2027-03-15", "2027-03-20"]
    assert len(mail.outbox) == 2


def test_once_told_the_scan_finds_nothing_to_do_in_one_query(away, django_assert_num_queries):
    scan_at("2027-02-14 07:00 +0700")
    assert len(endings()) == 1
    with time_machine.travel("2027-02-14 07:10 +0700"), django_assert_num_queries(1):  # the ends near, not told
        _temporary_activity_endings(timezone.now())
