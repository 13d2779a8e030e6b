"""Dashboards for higher committees (and a cell's own committee): figures, lists, exports, monthly reports.

The pages and exports read from the replica when there is one (chibo/replica.py); the report's request, its
progress and its file from the primary, which has them first."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chibo import dispatch, filenames, replica
from meetings.documents import serve
from members import access
from members.models import OrgUnit

from . import costs, reports
from . import figures as dashboard
from .counting import add_months, month_of
from .figures import LISTS
from .models import DashboardReport
from .period import PeriodForm

__all__ = [
    "dashboard_cells",
    "dashboard_export",
    "dashboard_members",
    "dashboard_view",
    "report_file",
    "report_request",
    "report_status",
]

# What the meetings table of a cell's dashboard shows of a meeting and its minutes (a locked minutes' frozen
# copy, its text and the rest are left in the database).
MEETING_COLUMNS = ("title", "kind", "starts_at", "status", "minutes__status", "minutes__quality_grade")

MEMBER_LISTS = {
    "flagged": gettext_lazy("Members flagged for removal"),
    "rarely": gettext_lazy("Members who rarely speak"),
}


def _unit_or_404(request, pk):
    """The unit if this user sees it (404 otherwise) and may see its figures (403 otherwise)."""
    user_access = access.for_user(request.user)
    # Their own cell and the units of their roles came with their access: those they see, without a query.
    loaded = [grant.unit for grant in user_access.grants] + ([user_access.member.cell] if user_access.member else [])
    unit = next((unit for unit in loaded if unit.pk == pk), None)
    if unit is None:
        unit = get_object_or_404(OrgUnit.objects.visible_to(user_access), pk=pk)
    if unit.kind == OrgUnit.Kind.GROUP:
        raise Http404  # a party group has no meetings of its own
    access.require(user_access.can_view_dashboard(unit))
    return unit


def _ancestors(request, unit, rows=None):
    """The units above `unit` that this user sees, from the top (the breadcrumb). `rows`: already read."""
    if rows is None:
        rows = unit.ancestors().values("pk", "name", "path", "kind")
    user_access = access.for_user(request.user)
    return [r for r in rows if r["kind"] != OrgUnit.Kind.GROUP and user_access.sees_path(r["path"])]


def _choice(request, name, allowed, default):
    """A list or sort order named in the query, if it is one of `allowed`; anything else is the default."""
    value = request.GET.get(name)
    return value if value in allowed else default


def _period(request):
    form = PeriodForm(request.GET or None)
    return form, form.period_or_default(timezone.localdate())


def _context(request, unit, form, period, **extra):
    if "ancestors" not in extra:
        extra["ancestors"] = _ancestors(request, unit)
    return {
        "unit": unit,
        "form": form,
        "period": period,
        "query": urlencode(period.query()),
        "removal_months": settings.REMOVAL_MONTHS,  # which of the two removal rules a flagged member meets
        **extra,
    }


@login_required
@replica.reads
def dashboard_view(request, pk):
    unit = _unit_or_404(request, pk)
    form, period = _period(request)
    data = dashboard.page_figures(unit, period)
    meetings = list(dashboard.cell_meetings(unit, period).only(*MEETING_COLUMNS)) if unit.is_cell else None
    recent = list(DashboardReport.objects.filter(unit=unit).order_by("-requested_at", "-pk")[:3])
    context = _context(
        request,
        unit,
        form,
        period,
        data=data,
        meetings=meetings,
        flagged=data["flagged"],
        measures=dashboard.MEASURES,
        lists=LISTS,
        chart=dashboard.chart_data(data["trend"]),
        ancestors=_ancestors(request, unit, data["ancestors"]),
        reports=recent,
        costs=costs.sending_costs(unit, period.start, period.end),
        this_month=month_of(data["today"]),
        # A committee reviews the month just over at the start of the next.
        report_month=add_months(month_of(data["today"]), -1),
    )
    return render(request, "dashboards/dashboard.html", context)


@login_required
@replica.reads
def dashboard_cells(request, pk):
    """Every cell below the unit, sortable by each measure, or only those a list asks action for."""
    unit = _unit_or_404(request, pk)
    form, period = _period(request)
    show = _choice(request, "show", LISTS, "all")
    sort = _choice(request, "sort", dashboard.MEASURE_KEYS, "name")
    rows = dashboard.cell_list(unit, period, show, sort)
    page = Paginator(rows, dashboard.PAGE_SIZE).get_page(request.GET.get("page"))
    context = _context(
        request, unit, form, period, page=page, show=show, sort=sort, lists=LISTS, measures=dashboard.MEASURES,
        subtitle=LISTS[show], extra_query=[("show", show), ("sort", sort)],
    )  # fmt: skip
    return render(request, "dashboards/dashboard_cells.html", context)


@login_required
@replica.reads
def dashboard_members(request, pk):
    """Members flagged for removal (domain §3) or who rarely speak, in every cell below the unit."""
    unit = _unit_or_404(request, pk)
    form, period = _period(request)
    show = _choice(request, "show", MEMBER_LISTS, "flagged")
    rows = dashboard.member_list(unit, period.end.year, show)
    page = Paginator(rows, dashboard.PAGE_SIZE).get_page(request.GET.get("page"))
    context = _context(
        request, unit, form, period, page=page, show=show, member_lists=MEMBER_LISTS,
        subtitle=MEMBER_LISTS[show], extra_query=[("show", show)],
    )  # fmt: skip
    return render(request, "dashboards/dashboard_members.html", context)


@login_required
@replica.reads
def dashboard_export(request, pk, what, fmt):
    """The dashboard, a list of cells or a list of members, as .xlsx, plain .csv or .csv for Vietnamese Excel."""
    if what not in ("dashboard", "cells", "members") or fmt not in reports.FORMATS:
        raise Http404
    unit = _unit_or_404(request, pk)
    _form, period = _period(request)
    if what == "cells":
        show = _choice(request, "show", LISTS, "all")
        sort = _choice(request, "sort", dashboard.MEASURE_KEYS, "name")
        table = reports.cells_table(dashboard.cell_list(unit, period, show, sort), str(LISTS[show]))
        tables = [table]
    elif what == "members":
        show = _choice(request, "show", MEMBER_LISTS, "flagged")
        tables = [reports.members_table(dashboard.member_list(unit, period.end.year, show), str(MEMBER_LISTS[show]))]
    else:
        tables = reports.dashboard_tables(dashboard.build(unit, period), LISTS)
    name = reports.file_name(unit, period, what)
    if fmt == "xlsx":
        title = f"{unit} · {period.label} · {tables[0].title if what != 'dashboard' else _('Dashboard')}"
        return reports.xlsx_response(tables, f"{name}.xlsx", title=title, author=unit)
    # A CSV holds one table: the first (the summary by unit, on the dashboard).
    suffix = "-excel" if fmt == "csv-excel" else ""
    return reports.csv_response(tables[0], f"{name}{suffix}.csv", fmt)


@require_POST
@login_required
def report_request(request, pk):
    """Queue the printable monthly report of the unit; a worker builds it while the page shows progress."""
    unit = _unit_or_404(request, pk)
    form = PeriodForm(request.POST)
    month = form.cleaned_data.get("month") if form.is_valid() else None
    if month is None:
        messages.error(request, _("Choose the month of the report."))
        return redirect("meetings:dashboard", pk=unit.pk)
    if month > month_of(timezone.localdate()):
        messages.error(request, _("A report can only cover a month that has begun."))
        return redirect("meetings:dashboard", pk=unit.pk)
    report = DashboardReport.objects.create(unit=unit, month=month, requested_by=request.user)
    from .tasks import build_dashboard_report

    dispatch.send_after_commit(build_dashboard_report, report.pk)
    return redirect(reverse("meetings:dashboard", args=[unit.pk]) + f"?report={report.pk}#report")


def _report_or_404(request, pk):
    report = get_object_or_404(DashboardReport.objects.select_related("unit"), pk=pk)
    report.unit = _unit_or_404(request, report.unit_id)
    return report


@login_required
def report_status(request, pk):
    report = _report_or_404(request, pk)
    return JsonResponse(
        {
            "status": report.status,
            "label": report.get_status_display(),
            "progress": report.progress,
            "url": reverse("meetings:report_file", args=[report.pk]) if report.status == report.Status.READY else "",
        }
    )


@login_required
def report_file(request, pk):
    report = _report_or_404(request, pk)
    if report.status != report.Status.READY:
        raise Http404
    return serve(report.file, filename=filenames.monthly_report(report.unit, report.month), as_attachment=True)
