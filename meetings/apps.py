from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        from members import signals

        from . import home, warnings

        signals.unit_page.connect(warnings.unit_page, dispatch_uid="meetings-unit-page")
        signals.member_list_page.connect(warnings.member_list_page, dispatch_uid="meetings-member-list")
        signals.member_page.connect(warnings.member_page, dispatch_uid="meetings-member-page")
        signals.home_page.connect(home.home_page, dispatch_uid="meetings-home-page")
