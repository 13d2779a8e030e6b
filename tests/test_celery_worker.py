"""Tasks through a real Celery worker and the real Redis broker, as in production."""

import time

from django.core import mail
from django.urls import reverse

from chibo.celery import app
from tests.conftest import wait_for


def test_the_account_invitation_goes_through_the_worker(celery_worker, client, secretary, cell, make_member):
    invitee = make_member(cell, "Đinh Thị Thợ", email="tho@example.vn")
    client.force_login(secretary)
    response = client.post(reverse("members:invite", args=[invitee.pk]))
    assert response.status_code == 302
    assert app.conf.broker_url.startswith("redis://")
    assert wait_for(lambda: len(mail.outbox) == 1), "the worker did not send the invitation"
    assert mail.outbox[0].to == ["tho@example.vn"]
    assert "/accounts/invitation/" in mail.outbox[0].body
    time.sleep(1)
    assert len(mail.outbox) == 1  # sent once


def test_a_meetings_reminders_go_out_exactly_once_through_the_worker(celery_worker, cell, secretary, member):
    """Confirm a meeting, then run the reminder scan twice through the real worker (as when beat fires
    twice, or a task is delivered twice): each member gets the invitation and each reminder once."""
    from datetime import timedelta

    from django.utils import timezone

    from meetings import services
    from meetings.models import Meeting, Message
    from meetings.tasks import scan_reminders

    meeting = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() + timedelta(hours=30), place="Nhà văn hóa")
    )
    services.confirm(meeting)  # not in a transaction here: the invitations are queued at once
    assert wait_for(lambda: Message.objects.filter(status="sent").count() == 2)
    for _ in range(2):
        scan_reminders.delay()
    expected = 2 + 2 + 2  # invitation, the 3-day reminder (due already), the nudge
    assert wait_for(lambda: Message.objects.filter(status="sent").count() == expected)
    time.sleep(1)
    assert Message.objects.count() == expected
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["member@example.vn", "secretary@example.vn"] * 3)
