"""Tasks through a real Celery worker and the real Redis broker, as in production."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse

from chibo.celery import app


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A worker thread on a queue of this test's own, so parallel test processes never share one."""
    queue = f"test-{uuid.uuid4().hex}"
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue]) as worker:
        yield worker
    app.conf.task_default_queue = "celery"


def wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


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
