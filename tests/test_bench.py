"""The benchmarks still run: tiny runs of bench/fanout.py and bench/pdf.py, as a person would start them, against
this test's database, printing their figures and a last line of JSON. (The figures themselves are in the
README: timing is the benchmark's business, not a test's.)"""

import json
import os
import subprocess
import sys
from pathlib import Path

from members.models import OrgUnit
from notifications.models import Message

ROOT = Path(__file__).resolve().parent.parent


def bench_env(settings, tmp_path, **extra):
    """The environment of a benchmark started on this test's database."""
    database = settings.DATABASES["default"]
    return {
        **os.environ,
        "DATABASE_URL": (f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
                         f"{database['PORT'] or 5432}/{database['NAME']}"),
        "REDIS_URL": settings.REDIS_URL, "CHIBO_VAR_DIR": str(tmp_path / "var"), "CHIBO_ENV_FILE": "/nonexistent",
        "SECRET_KEY": settings.SECRET_KEY, **extra,
    }  # fmt: skip


def test_the_fan_out_benchmark_runs_and_counts_from_the_rows(transactional_db, settings, tmp_path):
    env = bench_env(settings, tmp_path, MESSAGE_BATCH_SIZE="7")
    run = subprocess.run(
        [sys.executable, "bench/fanout.py", "--meetings", "5", "--members", "6", "--concurrency", "2",
         "--timeout", "120"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures["messages"] == 30 and figures["duplicates"] == 0 and figures["lost"] == 0
    assert figures["per_second"] > 0 and figures["floor_per_second"] > 0
    assert abs(figures["ratio"] - figures["per_second"] / figures["floor_per_second"]) < 0.01  # of the rounded figures
    assert any(line.startswith("Chibo: 30 of 30 invitations sent") for line in lines)
    assert "batches of 7" in run.stdout
    # It cleans up after itself.
    assert not OrgUnit.objects.filter(code__startswith="FANOUT").exists() and not Message.objects.exists()


def test_the_pdf_benchmark_runs_on_signed_minutes_and_an_issued_resolution(transactional_db, settings, tmp_path, cell,
                                                                           secretary, member):  # fmt: skip
    """Signed minutes with speakers and an issued resolution with tasks, made as a secretary makes them: the
    benchmark renders both through Chibo and through WeasyPrint alone, and counts the queries."""
    from datetime import date, timedelta

    from django.utils import timezone

    from meetings import services as meeting_services
    from meetings.models import Meeting
    from members.models import Member
    from minutes import workflow
    from minutes.models import Contribution, Vote
    from resolutions import services as resolution_services
    from resolutions.models import Resolution, Task

    people = list(Member.objects.filter(cell=cell))
    meeting = meeting_services.create_meeting(Meeting(cell=cell, starts_at=timezone.now() - timedelta(days=2),
                                                      place="Nhà văn hóa", chair=people[0]))  # fmt: skip
    meeting_services.record_attendance(meeting, {person.pk: ("present", "") for person in people})
    minutes = workflow.start(meeting)
    for order, person in enumerate(people):
        Contribution.objects.create(minutes=minutes, member=person, order=order, summary="Đồng ý với báo cáo.")
    vote = Vote.objects.create(minutes=minutes, subject="Nghị quyết tháng", votes_for=2, base=2, passed=True)
    workflow.approve(minutes, secretary)
    workflow.sign(minutes, secretary)
    draft = Resolution.objects.create(cell=cell, meeting=meeting, vote=vote, title="Nghị quyết tháng")
    resolution = resolution_services.issue(draft, render=False)
    Task.objects.create(resolution=resolution, responsible=people[1], deadline=date(2026, 12, 31), title="Làm đường")

    run = subprocess.run([sys.executable, "bench/pdf.py", "--repeat", "1"], cwd=ROOT,
                         env=bench_env(settings, tmp_path), capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    documents = figures["documents"]
    assert set(documents) == {"minutes_large", "resolution_large"}  # one cell: no typical one beside it
    assert documents["minutes_large"]["pk"] == minutes.pk and documents["resolution_large"]["pk"] == resolution.pk
    # Signed in Chibo: the minutes read their record and the addenda; the resolution its record and its tasks.
    assert documents["minutes_large"]["queries"] == 2 and documents["resolution_large"]["queries"] == 2
    for document in documents.values():
        assert document["pages"] >= 1 and document["chibo_median_ms"] > 0 and document["floor_median_ms"] > 0
        assert 0 < document["own_median_ms"] < document["chibo_median_ms"]
        assert document["ratio"] > 0
        assert abs(document["ratio_of_medians"] - document["chibo_median_ms"] / document["floor_median_ms"]) < 0.01
    assert figures["target"] == 1.2 and set(figures["pass"]) == set(documents)
    assert figures["first_render"]["first_ms"] > 0 and figures["first_render"]["fonts_ms"] > 0
    assert "First PDF in a fresh process" in run.stdout
