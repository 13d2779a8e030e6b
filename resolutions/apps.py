from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResolutionsConfig(AppConfig):
    name = "resolutions"
    verbose_name = _("Resolutions")

    def ready(self):
        from meetings import signals as meeting_signals
        from members import signals as member_signals
        from minutes import signals as minutes_signals

        from . import evidence, home, review

        member_signals.member_page.connect(evidence.member_page, dispatch_uid="resolutions-member-page")
        meeting_signals.page_extras.connect(review.meeting_page, dispatch_uid="resolutions-meeting-page")
        minutes_signals.sections_drafted.connect(review.carry_into_minutes, dispatch_uid="resolutions-review")
        member_signals.home_page.connect(home.home_page, dispatch_uid="resolutions-home-page")
        meeting_signals.month_path_counts.connect(home.month_path_counts, dispatch_uid="resolutions-month-path-counts")
        meeting_signals.month_path.connect(home.month_path, dispatch_uid="resolutions-month-path")
