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
    """Confirm a meeting; three days before it, run the reminder scan twice through the real worker (as when
    beat fires twice, or a task is delivered twice): each member gets the invitation and the reminder once."""
    import time_machine
    from django.utils import timezone

    from meetings import services
    from meetings.models import Meeting
    from notifications.models import Message
    from notifications.tasks import scan_reminders

    start = timezone.make_aware(timezone.datetime(2026, 12, 3, 19, 30))
    with time_machine.travel("2026-11-25 09:00 +0700"):
        meeting = services.create_meeting(Meeting(cell=cell, starts_at=start, place="Nhà văn hóa"))
        services.confirm(meeting)  # not inside a transaction here: the invitations are queued at once
        assert wait_for(lambda: Message.objects.filter(status="sent").count() == 2)
    with time_machine.travel("2026-11-30 07:30 +0700"):
        for _ in range(2):
            scan_reminders.delay()
        assert wait_for(lambda: Message.objects.filter(status="sent").count() == 4)
        time.sleep(1)
    assert sorted(Message.objects.values_list("kind", flat=True)) == ["invitation"] * 2 + ["reminder"] * 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["member@example.vn", "secretary@example.vn"] * 2)


def test_the_minutes_pdf_is_rendered_by_the_worker(celery_worker, cell, secretary, member):
    """Signing the minutes queues the PDF; the real worker renders it and stores it with its hash."""
    import hashlib
    import io
    import unicodedata
    from datetime import timedelta

    from django.utils import timezone
    from pypdf import PdfReader

    from meetings import services
    from meetings.models import Meeting
    from members.models import Member
    from minutes import workflow
    from minutes.models import Minutes

    chair = Member.objects.get(user=secretary)
    meeting = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() - timedelta(hours=3), place="Nhà văn hóa thôn Đông", chair=chair)
    )
    services.record_attendance(meeting, {m.pk: ("present", "") for m in Member.objects.filter(cell=cell)})
    record = workflow.start(meeting)
    workflow.approve(record, secretary)
    workflow.sign(record, secretary)
    ready = wait_for(lambda: Minutes.objects.get(pk=record.pk).pdf_status == "ready", seconds=60)
    assert ready, Minutes.objects.filter(pk=record.pk).values("pdf_status", "status").first()
    record.refresh_from_db()
    content = record.pdf.read()
    assert hashlib.sha256(content).hexdigest() == record.pdf_sha256
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = unicodedata.normalize("NFC", text)
    assert "BIÊN BẢN" in text and "Trần Văn Bí" in text


def test_a_call_queued_under_the_task_s_name_before_the_layout_change_still_runs(celery_worker, cell, secretary):
    """During an upgrade the broker may still hold calls made by the previous version, under the names the
    tasks had then ("meetings.tasks.…"): the worker runs them."""
    from datetime import timedelta

    from django.utils import timezone

    from meetings import services
    from meetings.models import Meeting
    from members.models import Member
    from minutes import workflow
    from minutes.models import Minutes

    meeting = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() - timedelta(hours=3), place="Nhà văn hóa thôn Đông")
    )
    services.record_attendance(meeting, {m.pk: ("present", "") for m in Member.objects.filter(cell=cell)})
    record = workflow.start(meeting)
    assert record.pdf_status == ""
    app.send_task("meetings.tasks.render_minutes_pdf", args=[record.pk])
    assert wait_for(lambda: Minutes.objects.get(pk=record.pk).pdf_status == "ready", seconds=60)
