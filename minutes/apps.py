from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MinutesConfig(AppConfig):
    name = "minutes"
    verbose_name = _("Minutes")

    def ready(self):
        from meetings import signals as meeting_signals

        from . import home, workflow

        workflow.connect()
        meeting_signals.month_path_counts.connect(home.month_path_counts, dispatch_uid="minutes-month-path-counts")
        meeting_signals.month_path.connect(home.month_path, dispatch_uid="minutes-month-path")
        meeting_signals.page_extras.connect(home.meeting_page, dispatch_uid="minutes-meeting-page")
