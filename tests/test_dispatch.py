"""Workflows name the task they schedule; a process that has imported no task module still finds it."""

import sys

from tests.test_settings import clean_env, run

FIND = """
import django
django.setup()
import sys
from chibo import dispatch
# a web process imports no task module by itself
assert "meetings.tasks" not in sys.modules and "notifications.tasks" not in sys.modules
for name in ["notifications.tasks.deliver_message", "meetings.tasks.render_minutes_pdf",
             "resolutions.tasks.render_resolution_pdf", "members.tasks.send_account_invitation"]:
    print(dispatch.resolve(name).name)
"""


def test_a_task_named_by_a_workflow_is_found_in_a_fresh_process(tmp_path):
    env = clean_env(tmp_path, DJANGO_SETTINGS_MODULE="chibo.settings")
    printed = run([sys.executable, "-c", FIND], env).split()
    assert printed == [
        "notifications.tasks.deliver_message",
        "meetings.tasks.render_minutes_pdf",
        "resolutions.tasks.render_resolution_pdf",
        "members.tasks.send_account_invitation",
    ]
