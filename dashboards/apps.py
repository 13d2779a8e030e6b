from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        from members import signals as member_signals

        from . import home, watch

        watch.connect()
        member_signals.home_page.connect(home.home_page, dispatch_uid="dashboards-home-page")
