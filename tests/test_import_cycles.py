"""No two of Chibo's modules import each other, directly or round a circle (scripts/import_cycles.py)."""

import subprocess
import sys

from tests.test_settings import BASE_DIR

SCRIPT = BASE_DIR / "scripts" / "import_cycles.py"


def check(root):
    return subprocess.run([sys.executable, str(SCRIPT), str(root)], capture_output=True, text=True)


def test_chibo_has_no_import_circle():
    result = check(BASE_DIR)
    assert result.returncode == 0, result.stdout
    assert "no import circle" in result.stdout


def test_a_circle_through_an_import_inside_a_function_is_found(tmp_path):
    package = tmp_path / "meetings"
    (package / "views").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "views" / "__init__.py").write_text("")
    (package / "workflow.py").write_text("def schedule():\n    from .tasks import render\n    render()\n")
    (package / "tasks.py").write_text("from meetings import workflow\n")
    (package / "views" / "pages.py").write_text("from ..workflow import schedule\nfrom ..tasks import *\n")
    result = check(tmp_path)
    assert result.returncode == 1
    assert "import circle: meetings.tasks ↔ meetings.workflow" in result.stdout
    assert "meetings.views.pages" not in result.stdout  # it imports both, but nothing imports it back
