"""The fan-out benchmark still runs: a tiny run of bench/fanout.py, as a person would start it, against this
test's database, printing its figures and a last line of JSON. (The figures themselves are in the README:
timing is the benchmark's business, not a test's.)"""

import json
import os
import subprocess
import sys
from pathlib import Path

from members.models import OrgUnit
from notifications.models import Message

ROOT = Path(__file__).resolve().parent.parent


def test_the_fan_out_benchmark_runs_and_counts_from_the_rows(transactional_db, settings, tmp_path):
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": (f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
                         f"{database['PORT'] or 5432}/{database['NAME']}"),
        "REDIS_URL": settings.REDIS_URL, "CHIBO_VAR_DIR": str(tmp_path / "var"), "CHIBO_ENV_FILE": "/nonexistent",
        "SECRET_KEY": settings.SECRET_KEY, "MESSAGE_BATCH_SIZE": "7",
    }  # fmt: skip
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
