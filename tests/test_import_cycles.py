"""No two of Chibo's modules import each other, directly or round a circle, and the apps import each other in
the README's direction (scripts/import_cycles.py)."""

import subprocess
import sys

from tests.test_settings import BASE_DIR

SCRIPT = BASE_DIR / "scripts" / "import_cycles.py"


def check(root):
    return subprocess.run([sys.executable, str(SCRIPT), str(root)], capture_output=True, text=True)


def test_chibo_has_no_import_circle():
    result = check(BASE_DIR)
    assert result.returncode == 0, result.stdout
    assert "no import circle" in result.stdout and "every import runs the right way" in result.stdout


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


def test_an_import_against_the_direction_is_found(tmp_path):
    for app in ["members", "meetings", "notifications", "chibo"]:
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
    (tmp_path / "meetings" / "models.py").write_text("")
    (tmp_path / "meetings" / "views.py").write_text("from members import models\n")
    (tmp_path / "members" / "models.py").write_text("")
    (tmp_path / "members" / "views.py").write_text("def page():\n    from meetings.models import Meeting\n")
    (tmp_path / "notifications" / "due.py").write_text("from meetings import models, views\n")
    (tmp_path / "chibo" / "pdf.py").write_text("import members.models\n")
    (tmp_path / "chibo" / "urls.py").write_text("from meetings import views\nfrom members import views\n")
    result = check(tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "wrong direction: chibo.pdf imports members.models (chibo's helpers import no app)",
        "wrong direction: members.views imports meetings.models (members comes before meetings)",
        "wrong direction: notifications.due imports meetings.views (views and URLs are for chibo/urls.py alone)",
    ]
