import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")

app = Celery("chibo")
# Every Celery option lives in chibo/settings.py under the CELERY_ prefix.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The names tasks had before the layout change moved them out of meetings/ (issue 12). Calls queued under an
# old name (in the broker during an upgrade, or kept as `DeferredTask` rows) run the task under its new name.
RENAMED_TASKS = {
    "meetings.tasks.scan_reminders": "notifications.tasks.scan_reminders",
    "meetings.tasks.deliver_message": "notifications.tasks.deliver_message",
    "meetings.tasks.render_minutes_pdf": "minutes.tasks.render_minutes_pdf",
    "meetings.tasks.refresh_cell_rolls": "dashboards.tasks.refresh_cell_rolls",
    "meetings.tasks.build_dashboard_report": "dashboards.tasks.build_dashboard_report",
}


@signals.import_modules.connect(weak=False)
def answer_to_old_names(sender, **kwargs):
    """Once the task modules are imported (this receiver comes after autodiscovery's), old names resolve too."""
    for old, new in RENAMED_TASKS.items():
        if new in sender.tasks:
            sender.tasks[old] = sender.tasks[new]
