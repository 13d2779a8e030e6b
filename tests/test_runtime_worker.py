"""A real Celery worker started from a virtualenv with the runtime requirements alone (`make test` builds it in
.venv-runtime from requirements.txt): what production installs must render a PDF and send an e-mail. The
suite's own virtualenv has the test tools on top, which can hide a dependency requirements.txt lacks."""

import os
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from chibo.celery import app
from tests.conftest import use_queue, wait_for

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_PYTHON = os.environ.get("CHIBO_RUNTIME_PYTHON", "")


@pytest.fixture
def runtime_worker(transactional_db, settings, tmp_path):
    """`celery worker` as a process of its own, from the runtime virtualenv, on a queue of this test's own,
    against this test's database and the real Redis; e-mails are written to files."""
    if not RUNTIME_PYTHON:
        if os.environ.get("CI"):
            pytest.fail("CHIBO_RUNTIME_PYTHON is not set: run the suite with `make test`.")
        pytest.skip("needs the runtime-only virtualenv: run `make test`")
    python = Path(RUNTIME_PYTHON)
    assert python.is_file(), f"{python} is missing: `make test` builds it"
    # Nothing beyond requirements.txt is installed there: the test tools are absent.
    probe = subprocess.run([python, "-c", "import pytest"], capture_output=True)
    assert probe.returncode != 0, "the runtime virtualenv must not contain the test tools"

    queue = f"chibo-runtime-{uuid.uuid4().hex}"
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    database = settings.DATABASES["default"]
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:{database['PORT'] or 5432}"
            f"/{database['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"filemail:///{outbox}",  # an absolute path: filemail:////tmp/…
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CHIBO_VAR_DIR": str(tmp_path / "var"),
        "CHIBO_ENV_FILE": "/nonexistent",
        "SECRET_KEY": "runtime-worker-test",
        "SITE_URL": settings.SITE_URL,
        "CELERY_SINGLE_QUEUE": queue,  # what the worker itself sends stays on the test's queue
    }
    process = subprocess.Popen(
        [python, "-m", "celery", "-A", "chibo", "worker", "--pool=solo", "--concurrency=1", "-Q", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    use_queue(app, queue)
    app.conf.task_always_eager = False
    try:
        yield outbox, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        use_queue(app)


def log_of(process):
    process.terminate()
    return process.communicate(timeout=20)[0][-4000:]


def test_a_worker_from_the_runtime_requirements_alone_renders_the_minutes_and_sends_mail(
    runtime_worker, cell, secretary, make_member
):
    from meetings import services
    from meetings.models import Meeting
    from members import services as member_services
    from members.models import Member
    from minutes import workflow
    from minutes.models import Minutes

    outbox, process = runtime_worker
    chair = Member.objects.get(user=secretary)
    meeting = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() - timedelta(hours=3), place="Nhà văn hóa thôn Đông", chair=chair)
    )
    services.record_attendance(meeting, {m.pk: ("present", "") for m in Member.objects.filter(cell=cell)})
    record = workflow.start(meeting)
    workflow.approve(record, secretary)
    workflow.sign(record, secretary)

    invitee = make_member(cell, "Đinh Thị Thợ", email="tho@example.vn")
    member_services.invite_account(invitee)

    rendered = wait_for(lambda: Minutes.objects.get(pk=record.pk).pdf_status == "ready", seconds=90)
    assert rendered, log_of(process)
    record.refresh_from_db()
    assert record.pdf.read().startswith(b"%PDF-")

    assert wait_for(lambda: any(outbox.iterdir()), seconds=30), log_of(process)
    (mail,) = list(outbox.iterdir())
    text = mail.read_text()
    assert "To: tho@example.vn" in text
    assert f"{settings.SITE_URL}/accounts/invitation/" in text
