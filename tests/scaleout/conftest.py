"""Scale-out on PostgreSQL's own engines, each run for real: a streaming replica, PgBouncer in transaction mode.

Each check runs a pytest of its own (an inner file, not named test_*.py) against the real service, started by
scripts/with_services.py (the streaming pair) or by the test (PgBouncer). Without them the checks are skipped
with what to install, except under CI (CI=true), where that fails.
"""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def missing(message):
    """Skipped on a developer's machine; a failure under CI, which must run every check."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def with_database(url, name):
    """The same server, another database."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def run_inner(check, env, *options, passed, timeout=300):
    """`python -m pytest tests/scaleout/<check>` with this environment added: all `passed` of its tests pass
    (a failure fails the test with everything the inner run printed). Its output, ending with its time."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *options, f"tests/scaleout/{check}"],
        env={**os.environ, **env}, cwd=BASE_DIR, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # All of them passed: none failed, skipped or deselected.
    assert re.search(rf"^{passed} passed(, \d+ warnings?)? in [\d.]+s", output, re.M), output
    return output
