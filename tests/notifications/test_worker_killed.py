"""A real Celery worker killed (kill -9) in the middle of sending 120 invitations by SMS, then another started:
every member gets their invitation once, none is lost. The SMS provider is a real HTTP server in this process;
the workers are processes of their own, on a queue of this test's own, against this test's database."""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from chibo.celery import app
from meetings import services
from meetings.models import Meeting
from notifications.models import Delivery, Message
from notifications.tasks import scan_reminders
from tests.conftest import use_queue, wait_for

ROOT = Path(__file__).resolve().parent.parent.parent
MEMBERS = 120


@pytest.fixture
def workers(transactional_db, settings, tmp_path, provider):
    queue = f"chibo-killed-{uuid.uuid4().hex}"
    database = settings.DATABASES["default"]
    env = {
        "PATH": os.environ["PATH"], "HOME": str(tmp_path),
        "DATABASE_URL": (f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
                         f"{database['PORT'] or 5432}/{database['NAME']}"),
        "REDIS_URL": settings.REDIS_URL, "CHIBO_VAR_DIR": str(tmp_path / "var"), "CHIBO_ENV_FILE": "/nonexistent",
        "SECRET_KEY": settings.SECRET_KEY, "SITE_URL": settings.SITE_URL, "EMAIL_URL": "consolemail://",
        "NOTIFY_CHANNELS": "sms", "SMS_API_URL": settings.SMS_API_URL, "SMS_API_KEY": "key",
        "SMS_SECRET_KEY": "secret", "MESSAGE_CLAIM_TIMEOUT_SECONDS": "3", "BROKER_VISIBILITY_TIMEOUT": "5",
        "PROVIDER_TIMEOUT_SECONDS": "5", "CELERY_SINGLE_QUEUE": queue,
    }  # fmt: skip
    started = []

    def start():
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "chibo", "worker", "--pool=prefork", "--concurrency=4", "-Q",
             queue, "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        started.append(process)
        return process

    settings.NOTIFY_CHANNELS = ["sms"]
    settings.MESSAGE_CLAIM_TIMEOUT_SECONDS = 3
    use_queue(app, queue)
    app.conf.task_always_eager = False
    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        use_queue(app)


def test_a_worker_killed_mid_fan_out_loses_nothing_and_sends_nothing_twice(workers, provider, cell, make_member):
    phones = [f"+8491300{n:04d}" for n in range(MEMBERS)]
    for n, phone in enumerate(phones):
        make_member(cell, f"Đảng viên {n}", phone=phone)
    provider.sms_delay = 0.05
    meeting = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() + timedelta(days=5), place="Nhà văn hóa")
    )
    first = workers()
    services.confirm(meeting)  # commits: the invitations go to the broker, the worker starts on them
    assert wait_for(lambda: len(provider.sms_sent) >= 30, seconds=60), len(provider.sms_sent)
    os.killpg(first.pid, signal.SIGKILL)  # the worker and its pool, mid-call for some of them
    first.wait(timeout=20)
    at_kill = len(provider.sms_sent)
    assert at_kill < MEMBERS
    invitations = Message.objects.filter(kind=Message.Kind.INVITATION, member__phone__in=phones)

    workers()
    time.sleep(3.5)  # the claims of the dead worker run out

    def finished():
        scan_reminders()  # as beat does: sends again what waits, or was claimed by the dead worker
        return invitations.filter(status=Message.Status.SENT).count() == MEMBERS

    assert wait_for(finished, seconds=90), list(invitations.exclude(status="sent").values_list("status", flat=True))
    sent_to = sorted("+" + phone for phone, _text in provider.sms_sent)
    assert sent_to == sorted(phones)  # every member once: none lost, none twice
    assert Delivery.objects.filter(message__in=invitations, status=Delivery.Status.ACCEPTED).count() == MEMBERS
    assert at_kill >= 30
