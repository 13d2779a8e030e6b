"""Redis away: saved changes stay saved and answer normally, the work they queue is kept in the database and
sent once the broker is back, and pages that use the cache are served without it.

"Away" is real here: the broker and the cache point at a loopback port where nothing listens, as when the
Redis server has stopped; "back" is the real Redis with a real worker."""

import logging
import socket
from contextlib import contextmanager
from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from chibo.celery import app
from chibo.models import DeferredTask
from chibo.tasks import redispatch_deferred
from dashboards.models import DashboardReport
from meetings import services
from meetings.models import Meeting
from members.models import Member
from notifications.models import Message
from tests.conftest import wait_for


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _forget_connections():
    # The app keeps its broker connections in pools: drop them so that the next send connects anew.
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_away():
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    app.conf.task_always_eager = False
    _forget_connections()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        _forget_connections()


def test_a_meeting_confirmed_while_the_broker_is_away_is_saved_and_its_invitations_go_once_it_is_back(
    celery_worker, client, secretary, cell, member, make_member, caplog, settings
):
    settings.MESSAGE_BATCH_SIZE = 20
    for n in range(40):
        make_member(cell, f"Đảng viên {n}")
    meeting = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() + timedelta(days=5), place="Nhà văn hóa")
    )
    client.force_login(secretary)
    with broker_away(), caplog.at_level(logging.WARNING, logger="chibo.dispatch"):
        response = client.post(reverse("meetings:confirm", args=[meeting.pk]), follow=True)
    assert response.status_code == 200
    assert "Đã chốt lịch, giấy mời đang được gửi." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONFIRMED
    invitations = Message.objects.filter(kind=Message.Kind.INVITATION)
    assert invitations.count() == 42 and mail.outbox == []
    # Three batches (20, 20, 2) kept, with every message in one of them.
    kept = [row.args[0] for row in DeferredTask.objects.order_by("pk")]
    assert [len(ids) for ids in kept] == [20, 20, 2]
    assert sorted(pk for ids in kept for pk in ids) == sorted(invitations.values_list("pk", flat=True))
    # One refused connection deferred every batch: the request did not knock three times.
    assert [r.getMessage() for r in caplog.records if "deferred" in r.getMessage()] == [
        caplog.records[-1].getMessage()
    ] and "3 notifications.tasks.deliver_messages call(s) deferred" in caplog.records[-1].getMessage()

    # The broker is back: beat's next redispatch sends them, and the worker delivers each once.
    assert redispatch_deferred() == 3
    assert DeferredTask.objects.count() == 0
    # Two members have an e-mail address; the others' rows say so (the SMS and Zalo channels come later).
    handled = lambda: not invitations.filter(status__in=[Message.Status.PENDING, Message.Status.SENDING]).exists()  # noqa: E731
    assert wait_for(handled, seconds=60), list(invitations.values_list("status", "last_error"))
    assert invitations.filter(status=Message.Status.SENT).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["member@example.vn", "secretary@example.vn"]


def test_a_request_knocks_on_a_broker_that_is_away_at_most_twice(transactional_db, cell, secretary, member, settings):
    """A broker that takes the connection and drops it (a Redis going down): the confirmation of a meeting
    tries it twice at once, then keeps the work; kombu's own default retried for 6 s per request."""
    import threading

    settings.MESSAGE_BATCH_SIZE = 1  # two tasks, for two members

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []

    def accept_and_drop():
        server.settimeout(10)
        try:
            while True:
                conn = server.accept()[0]
                accepted.append(conn)
                conn.close()
        except OSError:
            return

    threading.Thread(target=accept_and_drop, daemon=True).start()
    meeting = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() + timedelta(days=5), place="Nhà văn hóa")
    )
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = f"redis://127.0.0.1:{server.getsockname()[1]}/0", False
    _forget_connections()
    try:
        services.confirm(meeting, by=secretary)
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        _forget_connections()
        server.close()
    assert DeferredTask.objects.count() == 2
    assert 1 <= len(accepted) <= 2


def test_a_redispatch_while_the_broker_is_still_away_keeps_every_row(
    transactional_db, cell, secretary, member, settings
):
    settings.MESSAGE_BATCH_SIZE = 1  # two tasks, for two members
    meeting = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() + timedelta(days=5), place="Nhà văn hóa")
    )
    with broker_away():
        services.confirm(meeting, by=secretary)
        assert DeferredTask.objects.count() == 2
        assert redispatch_deferred() == 0
    assert list(DeferredTask.objects.values_list("attempts", flat=True)) == [1, 0]


def test_a_row_celery_refuses_never_holds_up_the_rows_behind_it(celery_worker, settings, cell, secretary, member):
    """A deployment renamed a task, or changed its arguments, while rows waited: those rows are counted and
    left aside after DEFERRED_MAX_ATTEMPTS; the invitations before and after them go out."""
    settings.MESSAGE_BATCH_SIZE = 1  # two tasks, for two members
    meeting = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() + timedelta(days=5), place="Nhà văn hóa")
    )
    with broker_away():
        services.confirm(meeting, by=secretary)
    first, second = (row.args for row in DeferredTask.objects.order_by("pk"))
    DeferredTask.objects.all().delete()
    task = "notifications.tasks.deliver_messages"
    DeferredTask.objects.create(task=task, args=first)
    DeferredTask.objects.create(task="notifications.tasks.no_such_task", args=first)
    DeferredTask.objects.create(task=task, args=[1, 2, 3])  # deliver_messages takes one argument
    DeferredTask.objects.create(task=task, args=second)

    assert redispatch_deferred() == 2
    sent = lambda: Message.objects.filter(status=Message.Status.SENT).count() == 2  # noqa: E731
    assert wait_for(sent, seconds=60)
    assert sorted(DeferredTask.objects.values_list("task", "attempts")) == [
        (task, 1),
        ("notifications.tasks.no_such_task", 1),
    ]
    settings.DEFERRED_MAX_ATTEMPTS = 2
    assert redispatch_deferred() == 0
    assert set(DeferredTask.objects.values_list("attempts", flat=True)) == {2}
    assert redispatch_deferred() == 0  # left aside: no longer tried
    assert set(DeferredTask.objects.values_list("attempts", flat=True)) == {2}


def test_a_report_asked_for_while_the_broker_is_away_is_built_once_it_is_back(
    celery_worker, client, commune_viewer, commune, cell
):
    client.force_login(commune_viewer)
    month = timezone.localdate().replace(day=1) - timedelta(days=1)
    with broker_away():
        response = client.post(
            reverse("meetings:report_request", args=[commune.pk]), {"month": month.strftime("%m/%Y")}
        )
    assert response.status_code == 302
    report = DashboardReport.objects.get()
    assert report.status == DashboardReport.Status.PENDING
    assert redispatch_deferred() == 1
    assert wait_for(lambda: DashboardReport.objects.get().status == DashboardReport.Status.READY, seconds=60)


def test_a_resolution_issued_while_the_broker_is_away_gets_its_pdf_once_it_is_back(
    celery_worker, client, secretary, cell, member
):
    from minutes import workflow
    from minutes.models import Vote
    from resolutions.models import Resolution

    meeting = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() - timedelta(days=2), place="Nhà văn hóa")
    )
    services.record_attendance(meeting, {m.pk: ("present", "") for m in Member.objects.filter(cell=cell)})
    vote = Vote.objects.create(
        minutes=workflow.start(meeting), subject="Nghị quyết tháng", votes_for=2, base=2, passed=True
    )
    resolution = Resolution.objects.create(cell=cell, meeting=meeting, vote=vote, title="Nghị quyết tháng")
    client.force_login(secretary)
    with broker_away():
        response = client.post(reverse("resolutions:issue", args=[resolution.pk]), {"confirm": "1"})
    assert response.status_code == 302
    resolution.refresh_from_db()
    assert resolution.status == Resolution.Status.ISSUED and resolution.pdf_status == "pending"
    assert redispatch_deferred() == 1
    assert wait_for(lambda: Resolution.objects.get(pk=resolution.pk).pdf_status == "ready", seconds=60)


def test_the_dashboard_is_served_while_the_cache_is_away(client, settings, commune_viewer, commune, cell, secretary):
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{closed_port()}/0"}}
    client.force_login(commune_viewer)
    for _ in range(2):  # the second view would be served from the cache, if there were one
        response = client.get(reverse("meetings:dashboard", args=[commune.pk]))
        assert response.status_code == 200
        assert cell.name in response.content.decode()


def test_a_cache_host_that_never_answers_is_asked_once_then_left_alone_for_a_while(settings):
    """A host that takes connections and never answers (a hung Redis, a firewall that drops packets): the
    first cache call waits for its time-out, the next ones in the following seconds do not knock again."""
    import threading

    from django.core.cache import cache

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []

    def accept():
        server.settimeout(10)
        try:
            while True:
                accepted.append(server.accept()[0])
        except OSError:
            return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": f"redis://127.0.0.1:{server.getsockname()[1]}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    try:
        assert cache.get("figures") is None
        first = len(accepted)
        assert first >= 1
        for _ in range(10):
            assert cache.get("figures") is None and cache.add("lock", 1) is False
        assert len(accepted) == first
    finally:
        server.close()
        for conn in accepted:
            conn.close()


def test_sms_and_zalo_invitations_confirmed_while_the_broker_is_away_each_go_once_when_it_is_back(
    celery_worker, provider, settings, secretary, cell, member, make_member
):
    """The members have phones, no e-mail: nothing is lost while Redis is away, and once it is back every member
    gets their invitation once, by Zalo or (no Zalo on the number) by SMS."""
    for n in range(30):
        make_member(cell, f"Đảng viên {n}", phone=f"+8491200{n:04d}")
        if n % 3 == 0:
            provider.script[f"8491200{n:04d}"] = "no_zalo"
    meeting = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() + timedelta(days=5), place="Nhà văn hóa")
    )
    with broker_away():
        services.confirm(meeting)
    invitations = Message.objects.filter(kind=Message.Kind.INVITATION, member__phone__startswith="+8491200")
    assert invitations.count() == 30 and DeferredTask.objects.count() == 1  # one batch of 32 invitations
    assert provider.requests == []
    assert redispatch_deferred() == 1
    handled = lambda: not invitations.filter(status__in=[Message.Status.PENDING, Message.Status.SENDING]).exists()  # noqa: E731
    assert wait_for(handled, seconds=60), list(invitations.values_list("status", "last_error"))
    reached = [phone for phone, _template, _data in provider.zalo_sent] + [phone for phone, _text in provider.sms_sent]
    assert sorted(reached) == sorted(f"8491200{n:04d}" for n in range(30))  # each once, none twice
    assert len(provider.sms_sent) == 10
