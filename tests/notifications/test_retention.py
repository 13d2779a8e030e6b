"""The table of messages keeps MESSAGE_RETENTION_DAYS of them: older ones go each night, with their
deliveries, except those about a meeting still to come."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import Meeting
from notifications import retention
from notifications.models import Delivery, EarlyReport, Message
from notifications.tasks import prune_messages


@pytest.fixture
def aged(cell, make_member):
    """Messages of two meetings, one long past and one to come, written `days` ago."""
    member = make_member(cell, "Trần Văn Bình", phone="+84912000111")

    def make(days, starts_in_days, kind=Message.Kind.REMINDER, status=Message.Status.SENT):
        if starts_in_days is None:  # about the member, not a meeting (a temporary activity ending)
            subject = {"about_member": member, "key": f"{days}"}
        else:
            subject = {
                "meeting": services.create_meeting(
                    Meeting(cell=cell, starts_at=timezone.now() + timedelta(days=starts_in_days), place="Nhà văn hóa")
                )
            }
        message = Message.objects.create(member=member, kind=kind, status=status, channel="sms", **subject)
        Delivery.objects.create(message=message, channel="sms", address="84912000111", status="delivered")
        Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(days=days))
        return message

    return make


def test_messages_past_the_retention_go_with_their_deliveries(aged, settings):
    settings.MESSAGE_RETENTION_DAYS = 400
    old = [aged(500, -495), aged(450, -440), aged(401, -400)]
    recent = aged(300, -298)
    early = EarlyReport.objects.create(channel="sms", provider_id="x1", message=old[0], delivered=True)

    assert retention.prune(batch=2) == 3  # two batches and the last, short one

    assert list(Message.objects.values_list("pk", flat=True)) == [recent.pk]
    assert list(Delivery.objects.values_list("message_id", flat=True)) == [recent.pk]
    assert not EarlyReport.objects.filter(pk=early.pk).exists()
    assert retention.prune() == 0  # nothing left to prune: the next night deletes nothing


def test_an_old_message_about_a_meeting_still_to_come_is_kept(aged, settings):
    """A meeting confirmed long ahead keeps its invitation: the replies page shows whom it reached."""
    settings.MESSAGE_RETENTION_DAYS = 400
    ahead = aged(420, 30, kind=Message.Kind.INVITATION)
    gone = aged(420, -410)
    assert prune_messages.apply().result == 1
    assert list(Message.objects.values_list("pk", flat=True)) == [ahead.pk]
    assert not Message.objects.filter(pk=gone.pk).exists()


def test_zero_keeps_every_message_and_fewer_than_ninety_days_count_as_ninety(aged, settings):
    messages = [aged(200, -199), aged(95, -94), aged(60, -59)]
    settings.MESSAGE_RETENTION_DAYS = 0
    assert retention.prune() == 0
    assert Message.objects.count() == 3
    settings.MESSAGE_RETENTION_DAYS = 7
    assert retention.prune() == 2
    assert list(Message.objects.values_list("pk", flat=True)) == [messages[2].pk]


def test_a_message_about_no_meeting_goes_by_its_age_and_one_being_sent_stays(aged, settings):
    settings.MESSAGE_RETENTION_DAYS = 400
    about_member = aged(420, None, kind=Message.Kind.TEMPORARY_ENDING)
    recent_about_member = aged(100, None, kind=Message.Kind.TEMPORARY_ENDING)
    sending = aged(420, -415, status=Message.Status.SENDING)  # a worker is at it: its row is its claim
    started_since = aged(410, -395)  # the meeting began after the cutoff: the window still holds it
    assert retention.prune() == 1
    assert not Message.objects.filter(pk=about_member.pk).exists()
    assert set(Message.objects.values_list("pk", flat=True)) == {recent_about_member.pk, sending.pk, started_since.pk}


def test_a_night_stops_at_its_deadline_and_the_next_goes_on(aged, settings):
    settings.MESSAGE_RETENTION_DAYS = 400
    for days in (500, 490, 480):
        aged(days, 5 - days)
    assert retention.prune(deadline=time.monotonic()) == 0
    assert Message.objects.count() == 3
    assert retention.prune(batch=1) == 3


def test_the_retention_never_undercuts_the_windows_in_which_the_scans_create_reminders(settings):
    settings.TASK_REMINDER_DAYS_BEFORE, settings.TRANSFER_END_REMINDER_DAYS = 3, 30
    assert retention.minimum_days() == 90
    settings.TASK_REMINDER_DAYS_BEFORE = 45  # reminders from 45 days before a deadline to 60 days after it
    assert retention.minimum_days() == 106
    settings.TRANSFER_END_REMINDER_DAYS = 120
    assert retention.minimum_days() == 121


def test_old_messages_go_whatever_the_order_of_their_ids(aged, settings):
    """Rows loaded or restored after newer ones have later ids: the age decides, not the id."""
    settings.MESSAGE_RETENTION_DAYS = 400
    recent = aged(10, -9)
    old = aged(500, -495)
    assert old.pk > recent.pk
    assert retention.prune(batch=1) == 1
    assert list(Message.objects.values_list("pk", flat=True)) == [recent.pk]
