"""chibo/pdf.py: the font configuration kept per thread (once per worker process), and what a document may
load."""

import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from pypdf import PdfReader

from chibo import pdf
from chibo.celery import app
from tests.conftest import use_queue, wait_for

ROOT = Path(__file__).resolve().parent.parent

PAGE = "<html lang='vi'><body><p>Biên bản {n}: Đảng bộ xã Tân Hưng</p>{extra}</body></html>"


def text(content):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_threads_render_at_once_each_with_its_own_fonts_and_again_with_the_same():
    results, errors = {}, []

    def work(n):
        try:
            first = pdf.render_html(PAGE.format(n=n, extra=""))
            fonts = pdf._page_style(False)[0]
            second = pdf.render_html(PAGE.format(n=n, extra=""))
            results[n] = (text(first), text(second), fonts, pdf._page_style(False)[0])
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for n, (first, second, fonts, again) in results.items():
        assert f"Biên bản {n}: Đảng bộ xã Tân Hưng" in first and first == second
        assert fonts is again  # kept for the thread
    assert len({id(fonts) for _f, _s, fonts, _a in results.values()}) == 3  # never shared between threads


def font_folders(folder):
    """The fonts WeasyPrint copied for each font configuration: one folder per configuration."""
    return sorted(folder.glob("weasyprint-*"))


def test_both_layouts_share_the_thread_s_one_font_configuration(tmp_path, monkeypatch):
    """Upright minutes and landscape reports rendered one after the other by the same worker: the fonts are
    configured (and copied) once."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    found, errors = [], []

    def work():  # a thread of its own: it starts without a configuration
        try:
            for n in range(4):
                found.append(text(pdf.render_html(PAGE.format(n=n, extra=""), landscape=n % 2 == 1)))
            found.append(pdf._page_style(False)[0] is pdf._page_style(True)[0])
            # Counted while the thread lives: once it has ended, its configuration may be collected at any
            # moment, and WeasyPrint then removes its folder.
            found.append(len(font_folders(tmp_path)))
        except Exception as exc:
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert errors == [] and found[4] is True
    assert all("Tân Hưng" in page for page in found[:4])
    assert found[5] == 1


def test_a_prefork_worker_configures_the_fonts_once_per_process(transactional_db, settings, tmp_path, cell,
                                                                  secretary):  # fmt: skip
    """A real `celery worker --pool=prefork --concurrency=2` renders six signed minutes: the fonts are
    configured once in each pool process that rendered (at most two configurations, not six), and their copies
    are gone once the worker has stopped."""
    from meetings import services
    from meetings.models import Meeting
    from members.models import Member
    from minutes import workflow
    from minutes.models import Minutes

    queue, temporary = f"chibo-pdf-{uuid.uuid4().hex}", tmp_path / "tmp"
    temporary.mkdir()
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": (f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
                         f"{database['PORT'] or 5432}/{database['NAME']}"),
        "REDIS_URL": settings.REDIS_URL, "MEDIA_ROOT": str(settings.MEDIA_ROOT), "TMPDIR": str(temporary),
        "CHIBO_VAR_DIR": str(tmp_path / "var"), "CHIBO_ENV_FILE": "/nonexistent", "SECRET_KEY": settings.SECRET_KEY,
        "CELERY_SINGLE_QUEUE": queue,
    }  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "chibo", "worker", "--pool=prefork", "--concurrency=2", "-Q", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    use_queue(app, queue)
    app.conf.task_always_eager = False
    try:
        chair = Member.objects.get(user=secretary)
        signed = []
        for days in range(6):
            meeting = services.create_meeting(Meeting(cell=cell, starts_at=timezone.now() - timedelta(days=days + 1),
                                                      place="Nhà văn hóa thôn Đông", chair=chair))  # fmt: skip
            services.record_attendance(meeting, {chair.pk: ("present", "")})
            minutes = workflow.start(meeting)
            workflow.approve(minutes, secretary)
            signed.append(workflow.sign(minutes, secretary).pk)  # queues its PDF
        ready = wait_for(lambda: Minutes.objects.filter(pk__in=signed, pdf_status="ready").count() == 6, seconds=120)
        assert ready, worker.stdout.read() if worker.poll() is not None else "the worker did not render them all"
        assert 1 <= len(font_folders(temporary)) <= 2
    finally:
        use_queue(app)
        worker.terminate()  # a warm shutdown: each pool process leaves through worker_process_shutdown
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert font_folders(temporary) == []


def test_a_configuration_whose_font_copies_were_removed_is_made_again():
    fonts = pdf._page_style(False)[0]
    shutil.rmtree(fonts._folder)  # a tmp cleaner on a long-running worker
    assert "Tân Hưng" in text(pdf.render_html(PAGE.format(n=1, extra="")))
    assert pdf._page_style(False)[0] is not fonts


def test_a_document_loads_no_local_file_and_nothing_from_the_network(tmp_path):
    """Were a template ever to let a user's text through as HTML, it could read nothing from the server."""
    css, svg = tmp_path / "secret.css", tmp_path / "secret.svg"
    css.write_text('p::after { content: "SECRET-FROM-CSS"; }')
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40">'
                   '<text x="0" y="20" font-family="Chibo Serif">SECRET-FROM-SVG</text></svg>')  # fmt: skip
    extra = (f'<link rel="stylesheet" href="{css.as_uri()}"><img src="{svg.as_uri()}">'
             '<img src="http://127.0.0.1:9/tracker.png">')  # fmt: skip
    content = pdf.render_html(PAGE.format(n=1, extra=extra))
    assert "SECRET-FROM" not in text(content)
    assert "Tân Hưng" in text(content)  # the shipped fonts still load
