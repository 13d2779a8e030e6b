"""The dashboards' work in the workers: the nightly recount of the rolls and the monthly report PDF."""

import logging
from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

log = logging.getLogger(__name__)


@shared_task
def refresh_cell_rolls():
    """Count every cell's roll again (official members change with the calendar, without any write), and the
    dues book's last two months (the dues services open a month's lines in bulk, which sends no signal)."""
    from . import summaries
    from .counting import add_months, month_of

    this_month = month_of(timezone.localdate())
    summaries.refresh_dues_months([add_months(this_month, -1), this_month])
    summaries.refresh_dues_member_years()
    return summaries.refresh_status()


# A report claimed by a worker that died is taken up again after this long.
REPORT_CLAIM_TIMEOUT = timedelta(minutes=10)


@shared_task(acks_late=True)
def build_dashboard_report(report_id):
    """Build a committee's monthly report (PDF), telling its progress on the way.

    The conditional UPDATE claims the report, so a task delivered twice builds it once; a claim older than
    REPORT_CLAIM_TIMEOUT (a worker that died) can be taken again.
    """
    from django.core.files.base import ContentFile

    from chibo import replica

    from . import reports
    from .models import DashboardReport

    now = timezone.now()
    claimed = (
        DashboardReport.objects.filter(pk=report_id)
        .filter(
            Q(status=DashboardReport.Status.PENDING)
            | Q(status=DashboardReport.Status.RUNNING, started_at__lt=now - REPORT_CLAIM_TIMEOUT)
        )
        .update(status=DashboardReport.Status.RUNNING, started_at=now, progress=5)
    )
    if not claimed:
        return "not claimed"
    report = DashboardReport.objects.select_related("unit__parent").get(pk=report_id)

    def progress(percent):
        DashboardReport.objects.filter(pk=report_id).update(progress=percent)

    try:
        # The figures from the replica, if any; the report's row (just written) and its progress on the primary.
        with replica.reads():
            content = reports.report_pdf(report.unit, report.month, progress)
    except Exception:  # WeasyPrint or a template: shown as failed, logged for the operator
        log.exception("dashboard report %s failed", report_id)
        DashboardReport.objects.filter(pk=report_id).update(
            status=DashboardReport.Status.FAILED, finished_at=timezone.now()
        )
        return "failed"
    report.file.save(f"bao-cao-{report.month:%Y-%m}.pdf", ContentFile(content), save=False)
    DashboardReport.objects.filter(pk=report_id).update(
        file=report.file.name, status=DashboardReport.Status.READY, progress=100, finished_at=timezone.now()
    )
    return "ready"
