"""Reminders: due at the right moment, created once, delivered once, retried when sending fails."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from meetings import services
from meetings.models import Invitation, Meeting
from members.models import Member
from notifications import due
from notifications.models import Message
from notifications.tasks import deliver_message, scan_reminders
from tests.meetings.conftest import local

pytestmark = pytest.mark.django_db

MEETING_AT = (2026, 12, 3, 19, 30)  # a Thursday
KEY = "3d:2026-12-03"


@pytest.fixture
def meeting(cell, make_meeting, secretary, member, make_member):
    make_member(cell, "Vũ Văn Miễn", status=Member.Status.EXEMPT, email="mien@example.vn")
    with time_machine.travel("2026-11-20 09:00 +0700"):
        meeting = make_meeting(cell, local(*MEETING_AT))
        services.confirm(meeting)
    Message.objects.all().delete()  # the invitations are not what these tests look at
    return meeting


def scan_at(moment):
    with time_machine.travel(moment):
        return scan_reminders()


def reminders_of(kind=Message.Kind.REMINDER):
    return sorted(Message.objects.filter(kind=kind).values_list("member__full_name", "key", "status"))


def test_no_reminder_before_its_time(meeting):
    scan_at("2026-11-30 06:59 +0700")  # three days before, before the reminder hour
    assert reminders_of() == []


def test_the_reminders_go_three_days_before_and_on_the_morning(meeting):
    scan_at("2026-11-30 07:00 +0700")
    # Expected members only: the exempt member was informed, not expected.
    assert reminders_of() == [
        ("Lê Thị Hoa", "3d:2026-12-03", "sent"),
        ("Trần Văn Bí", "3d:2026-12-03", "sent"),
    ]
    assert len(mail.outbox) == 2
    assert "03/12" in mail.outbox[0].subject
    scan_at("2026-12-03 07:05 +0700")
    assert sorted(key for _name, key, _status in reminders_of()) == ["0d:2026-12-03"] * 2 + ["3d:2026-12-03"] * 2
    assert len(mail.outbox) == 2 + 2 + 2  # … and, due since 1 December, the nudge to both (no reply yet)


def test_scanning_again_sends_nothing_twice(meeting):
    for moment in ["2026-11-30 07:00 +0700", "2026-11-30 07:05 +0700", "2026-12-01 12:00 +0700"]:
        scan_at(moment)
    assert len(mail.outbox) == 2 + 2  # the reminder, and the nudge of 1 December to both


def test_the_nudge_goes_to_members_who_have_not_replied(meeting, member):
    with time_machine.travel("2026-11-30 09:00 +0700"):  # replies close when the meeting is over
        services.reply(Invitation.objects.get(meeting=meeting, member__user=member), "yes")
    scan_at("2026-12-01 07:00 +0700")
    assert reminders_of(Message.Kind.NUDGE) == [("Trần Văn Bí", "2026-12-03", "sent")]


def test_a_moved_meeting_gets_reminders_for_its_new_day(meeting):
    scan_at("2026-11-30 07:00 +0700")
    with time_machine.travel("2026-11-30 08:00 +0700"):
        services.move(meeting, local(2026, 12, 10, 19, 30), "Trùng lịch")
    scan_at("2026-12-07 07:00 +0700")
    keys = {key for _name, key, _status in reminders_of()}
    assert keys == {"3d:2026-12-03", "3d:2026-12-10"}


def test_no_reminder_for_a_cancelled_meeting(meeting):
    with time_machine.travel("2026-11-29 08:00 +0700"):
        services.cancel(meeting, "Bão")
    scan_at("2026-11-30 07:00 +0700")
    assert reminders_of() == []


def test_a_message_delivered_twice_is_sent_once(meeting):
    with time_machine.travel("2026-11-30 07:00 +0700"):
        services.queue_messages(meeting, [meeting.invitations.first().member_id], Message.Kind.REMINDER, KEY)
        message = Message.objects.get(key=KEY)
        results = [deliver_message.apply(args=[message.pk]).result for _ in range(3)]
    assert results == ["sent", "skipped", "skipped"]
    assert len(mail.outbox) == 1


def test_a_message_claimed_by_a_worker_that_died_is_sent_later(meeting):
    with time_machine.travel("2026-11-30 07:00 +0700"):
        services.queue_messages(meeting, [meeting.invitations.first().member_id], Message.Kind.REMINDER, KEY)
        message = Message.objects.get(key=KEY)
        Message.objects.filter(pk=message.pk).update(status=Message.Status.SENDING, claimed_at=message.created_at)
        assert deliver_message.apply(args=[message.pk]).result == "skipped"  # maybe still being sent
    with time_machine.travel("2026-11-30 07:11 +0700"):
        assert message.pk in due.scan()
        assert deliver_message.apply(args=[message.pk]).result == "sent"
    assert len(mail.outbox) == 1


def test_a_failed_send_is_retried_with_back_off_then_shown(client, meeting, secretary, settings):
    # A real SMTP connection to a port where nothing listens: refused at once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.MESSAGE_MAX_ATTEMPTS = 3
    with time_machine.travel("2026-11-30 07:00 +0700", tick=False) as traveller:
        services.queue_messages(meeting, [meeting.invitations.first().member_id], Message.Kind.REMINDER, KEY)
        message = Message.objects.get(key=KEY)
        deliver_message.apply(args=[message.pk])
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("pending", 1)
        assert message.next_attempt_at - message.claimed_at == timedelta(seconds=60)
        assert deliver_message.apply(args=[message.pk]).result == "skipped"  # not before its time
        traveller.shift(timedelta(seconds=61))
        deliver_message.apply(args=[message.pk])
        message.refresh_from_db()
        assert message.next_attempt_at - message.claimed_at == timedelta(seconds=120)
        traveller.shift(timedelta(seconds=121))
        assert deliver_message.apply(args=[message.pk]).result == "failed"
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 3)
    client.force_login(secretary)
    page = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert message in page.context["failed_messages"]


def test_the_secretary_is_told_the_day_after_when_attendance_is_missing(meeting, secretary):
    scan_at("2026-12-04 06:00 +0700")
    assert reminders_of(Message.Kind.ATTENDANCE_MISSING) == []
    scan_at("2026-12-04 07:00 +0700")
    assert reminders_of(Message.Kind.ATTENDANCE_MISSING) == [("Trần Văn Bí", "", "sent")]
    assert "/attendance/" in mail.outbox[-1].body


def test_no_note_when_attendance_is_recorded(meeting, member):
    with time_machine.travel("2026-12-03 21:00 +0700"):
        services.record_attendance(meeting, {Member.objects.get(user=member).pk: ("present", "")})
    scan_at("2026-12-04 07:00 +0700")
    assert reminders_of(Message.Kind.ATTENDANCE_MISSING) == []
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.HELD


def test_a_reminder_waiting_for_a_retry_is_dropped_when_the_meeting_is_cancelled(meeting):
    with time_machine.travel("2026-11-30 07:00 +0700"):
        services.queue_messages(meeting, [meeting.invitations.first().member_id], Message.Kind.REMINDER, KEY)
        services.cancel(meeting, "Bão")
        message = Message.objects.get(kind=Message.Kind.REMINDER)
        assert deliver_message.apply(args=[message.pk]).result == "not needed"
    assert Message.objects.get(pk=message.pk).status == Message.Status.SKIPPED
    assert not any("Nhắc lịch" in m.subject for m in mail.outbox)


def test_members_who_left_the_cell_get_no_reminder(meeting, member, sibling_cell):
    from members import services as member_services

    member_services.transfer(Member.objects.get(user=member), sibling_cell, date(2026, 11, 25))
    scan_at("2026-11-30 07:00 +0700")
    assert [name for name, _key, _status in reminders_of()] == ["Trần Văn Bí"]


def test_a_meeting_confirmed_at_short_notice_gets_no_reminder_before_its_invitation(cell, make_meeting, secretary):
    with time_machine.travel("2026-12-02 10:00 +0700"):
        late = make_meeting(cell, local(2026, 12, 3, 19, 30))
        services.confirm(late)
    scan_at("2026-12-02 10:05 +0700")
    assert reminders_of() == [] and reminders_of(Message.Kind.NUDGE) == []
    scan_at("2026-12-03 07:00 +0700")  # the morning reminder is still due
    assert [key for _name, key, _status in reminders_of()] == ["0d:2026-12-03"]


def test_a_message_failing_for_another_reason_is_shown_as_failed(meeting, settings):
    settings.DEFAULT_FROM_EMAIL = "not an address\nwith a newline"  # the mail library refuses it
    with time_machine.travel("2026-11-30 07:00 +0700"):
        services.queue_messages(meeting, [meeting.invitations.first().member_id], Message.Kind.REMINDER, KEY)
        message = Message.objects.get(kind=Message.Kind.REMINDER)
        assert deliver_message.apply(args=[message.pk]).result == "failed"
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.last_error


def test_the_run_reminders_command_sends_what_is_due(meeting):
    from django.core.management import call_command

    with time_machine.travel("2026-11-30 07:00 +0700"):
        call_command("run_reminders", "--once")
        call_command("run_reminders", "--once")
    assert reminders_of() == [("Lê Thị Hoa", "3d:2026-12-03", "sent"), ("Trần Văn Bí", "3d:2026-12-03", "sent")]
    assert len(mail.outbox) == 2
