"""The table of messages keeps MESSAGE_RETENTION_DAYS of them: older ones go each night, with their
deliveries, except those about a meeting still to come."""

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

    def make(days, starts_in_days, kind=Message.Kind.REMINDER):
        meeting = services.create_meeting(
            Meeting(cell=cell, starts_at=timezone.now() + timedelta(days=starts_in_days), place="Nhà văn hóa")
        )
        message = Message.objects.create(meeting=meeting, member=member, kind=kind, status=Message.Status.SENT,
                                         channel="sms")  # fmt: skip
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
