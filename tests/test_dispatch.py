"""Workflows name the task they schedule; a process that has imported no task module still finds it."""

import sys

from tests.test_settings import clean_env, run

FIND = """
import django
django.setup()
import sys
from chibo import dispatch
# a web process imports no task module by itself
assert "minutes.tasks" not in sys.modules and "notifications.tasks" not in sys.modules
for name in ["notifications.tasks.deliver_message", "minutes.tasks.render_minutes_pdf",
             "resolutions.tasks.render_resolution_pdf", "members.tasks.send_account_invitation"]:
    print(dispatch.resolve(name).name)
"""


def test_a_task_named_by_a_workflow_is_found_in_a_fresh_process(tmp_path):
    env = clean_env(tmp_path, DJANGO_SETTINGS_MODULE="chibo.settings")
    printed = run([sys.executable, "-c", FIND], env).split()
    assert printed == [
        "notifications.tasks.deliver_message",
        "minutes.tasks.render_minutes_pdf",
        "resolutions.tasks.render_resolution_pdf",
        "members.tasks.send_account_invitation",
    ]


OLD_NAMES = """
import django
django.setup()
from chibo import dispatch
from chibo.celery import RENAMED_TASKS
for old, new in RENAMED_TASKS.items():
    print(old, dispatch.resolve(old).name)
"""


def test_a_call_kept_under_a_task_s_name_before_the_layout_change_finds_the_task(tmp_path):
    """A `DeferredTask` row written before the upgrade names the task as it was called then."""
    env = clean_env(tmp_path, DJANGO_SETTINGS_MODULE="chibo.settings")
    printed = dict(line.split() for line in run([sys.executable, "-c", OLD_NAMES], env).splitlines())
    assert printed == {
        "meetings.tasks.scan_reminders": "notifications.tasks.scan_reminders",
        "meetings.tasks.deliver_message": "notifications.tasks.deliver_message",
        "meetings.tasks.render_minutes_pdf": "minutes.tasks.render_minutes_pdf",
        "meetings.tasks.refresh_cell_rolls": "dashboards.tasks.refresh_cell_rolls",
        "meetings.tasks.build_dashboard_report": "dashboards.tasks.build_dashboard_report",
    }
