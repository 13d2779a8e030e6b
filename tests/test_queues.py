"""Celery queues by kind (messages, pdf, reports, default): each kind has its worker, so a slow PDF or report
never delays a message. Routing is in settings (CELERY_TASK_ROUTES); docker-compose.yml runs a worker per queue
(tests/test_settings.py checks that every queue routed to has one)."""

import uuid
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from chibo.celery import app
from meetings import services
from meetings.models import Meeting
from notifications.models import Message
from tests.conftest import use_queue, wait_for

KINDS = {
    "notifications.tasks.deliver_messages": "messages",
    "notifications.tasks.deliver_message": "messages",
    "notifications.tasks.send_phone_code": "messages",
    "notifications.tasks.send_phone_changed": "messages",
    "members.tasks.send_account_invitation": "messages",
    "members.tasks.send_password_reset": "messages",
    "members.tasks.send_email_changed": "messages",
    "members.tasks.send_phone_changed_email": "messages",
    "members.tasks.send_login_email_link": "messages",
    "members.tasks.send_login_email_changed": "messages",
    "minutes.tasks.render_minutes_pdf": "pdf",
    "resolutions.tasks.render_resolution_pdf": "pdf",
    "meetings.tasks.render_invitation_sheet": "pdf",
    "dashboards.tasks.build_dashboard_report": "reports",
    "notifications.tasks.prune_messages": "reports",
    "notifications.tasks.scan_reminders": "default",
    "dashboards.tasks.refresh_cell_rolls": "default",
    "chibo.tasks.redispatch_deferred": "default",
}


def test_every_task_goes_to_the_queue_of_its_kind():
    use_queue(app)
    app.loader.import_default_modules()
    assert set(KINDS) <= set(app.tasks)  # every task of Chibo's is named here
    chibo_tasks = {name for name in app.tasks if not name.startswith("celery.") and "." in name}
    unlisted = {name for name in chibo_tasks if name not in KINDS and not name.startswith(("bench.", "tests."))}
    assert {name for name in unlisted if app.tasks[name].__module__ == name.rsplit(".", 1)[0]} == set()
    for name, kind in KINDS.items():
        assert app.amqp.router.route({}, name)["queue"].name == kind, name


@pytest.mark.django_db(transaction=True)
def test_a_message_goes_out_while_the_pdf_worker_is_busy_or_down(cell, make_member, provider, settings):
    """Only the messages' worker runs: the invitations go out, the PDF waits on its own queue untouched."""
    settings.NOTIFY_CHANNELS = ["sms"]
    prefix = f"chibo-test-{uuid.uuid4().hex}"
    routes = {
        pattern: {"queue": f"{prefix}-{route['queue']}"} for pattern, route in settings.CELERY_TASK_ROUTES.items()
    }
    use_queue(app)
    app.conf.task_default_queue = f"{prefix}-default"
    app.conf.task_routes = routes
    for cached in ("default_queue", "queues", "router"):
        app.amqp.__dict__.pop(cached, None)
    app.amqp.flush_routes()
    app.conf.task_always_eager = False
    try:
        for n in range(3):
            make_member(cell, f"Đảng viên Hàng {n}", phone=f"+8491200000{n}")
        meeting = services.create_meeting(
            Meeting(cell=cell, starts_at=timezone.now() + timedelta(days=5), place="Nhà văn hóa")
        )
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, queues=[f"{prefix}-messages"]):
            app.send_task("minutes.tasks.render_minutes_pdf", args=[10**9])  # a PDF nobody renders now
            services.confirm(meeting)  # the invitations, queued after the PDF
            assert wait_for(lambda: len(provider.sms_sent) == 3, seconds=30), provider.sms_sent
        assert set(Message.objects.filter(meeting=meeting).values_list("status", flat=True)) == {"sent"}
        with app.connection_for_write() as connection:
            waiting = connection.default_channel.client.llen(f"{prefix}-pdf")
        assert waiting == 1  # the PDF is still on its queue, for the PDF worker
    finally:
        with app.connection_for_write() as connection:
            for kind in settings.CELERY_QUEUES_BY_KIND:
                connection.default_channel.client.delete(f"{prefix}-{kind}")
        use_queue(app)
        app.conf.task_always_eager = True
