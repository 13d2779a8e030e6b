"""Dashboards on paper and in spreadsheets: .xlsx and .csv tables, and the printable monthly report (PDF).

A table is a title, column labels and rows of values (`chibo.spreadsheets`); the same table becomes a sheet or
a CSV file, plain or for Vietnamese Excel.
"""

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo import filenames
from chibo.spreadsheets import EXCEL_VI, PLAIN, XLSX, Amount, Month, Percent, Table, csv_text, xlsx_bytes

from . import figures as dashboard
from .period import Period

# The export formats a dashboard offers: the workbook, the plain CSV, the CSV that Vietnamese Excel opens.
CSV_DIALECTS = {"csv": PLAIN, "csv-excel": EXCEL_VI}
FORMATS = ("xlsx", *CSV_DIALECTS)


def _rate(value):
    return None if value is None else Percent(value)


# (label, how to read the value from a row of figures)
FIGURE_COLUMNS = [
    (gettext_lazy("Cells"), lambda r: r["cells"]),
    (gettext_lazy("Regular meetings held (months)"), lambda r: r["regular_months"]),
    (gettext_lazy("Regular meetings expected"), lambda r: r["regular_expected"]),
    (gettext_lazy("Regular meetings held (%)"), lambda r: _rate(r["regular_rate"])),
    (gettext_lazy("Held on the planned day (%)"), lambda r: _rate(r["on_day_rate"])),
    (gettext_lazy("Quarters with a thematic meeting"), lambda r: r["thematic_covered"]),
    (gettext_lazy("Quarters expected"), lambda r: r["thematic_expected"]),
    (gettext_lazy("Thematic meetings held"), lambda r: r["thematic_held"]),
    (gettext_lazy("Attendance rate (%)"), lambda r: _rate(r["attendance_rate"])),
    (gettext_lazy("Present"), lambda r: r["attendance_present"]),
    (gettext_lazy("Expected to attend"), lambda r: r["attendance_base"]),
    (gettext_lazy("Absent with a reason"), lambda r: r["excused"]),
    (gettext_lazy("Unexcused absences"), lambda r: r["unexcused"]),
    (gettext_lazy("Minutes approved"), lambda r: r["minutes_approved"]),
    (gettext_lazy("Minutes due"), lambda r: r["minutes_due"]),
    (gettext_lazy("Days to approval (average)"), lambda r: r["minutes_delay"]),
    (gettext_lazy("Good"), lambda r: r["grade_good"]),
    (gettext_lazy("Fair"), lambda r: r["grade_fair"]),
    (gettext_lazy("Average"), lambda r: r["grade_average"]),
    (gettext_lazy("Poor"), lambda r: r["grade_poor"]),
    (gettext_lazy("Resolutions issued"), lambda r: r["resolutions_issued"]),
    (gettext_lazy("Tasks done on time"), lambda r: r["tasks_on_time"]),
    (gettext_lazy("Tasks done late"), lambda r: r["tasks_late"]),
    (gettext_lazy("Tasks not done"), lambda r: r["tasks_not_done"]),
    (gettext_lazy("Tasks overdue"), lambda r: r["tasks_overdue"]),
    (gettext_lazy("Members flagged for removal"), lambda r: r["flagged"]),
    (gettext_lazy("Members who rarely speak"), lambda r: r["rarely"]),
    (gettext_lazy("Cells without a required committee"), lambda r: r["committee_missing"]),
    (gettext_lazy("Cells with too few official members"), lambda r: r["too_small"]),
    (gettext_lazy("Cells that could become a party committee"), lambda r: r["party_committee_candidate"]),
    (gettext_lazy("Party dues collected (%)"), lambda r: _rate(r["dues_rate"])),
    (gettext_lazy("Party dues due (VND)"), lambda r: Amount(r["dues_due"])),
    (gettext_lazy("Party dues collected (VND)"), lambda r: Amount(r["dues_collected"])),
    (gettext_lazy("Members in arrears with dues"), lambda r: r["dues_in_arrears"]),
    (gettext_lazy("Dues arrears (VND)"), lambda r: Amount(r["dues_arrears"])),
    (gettext_lazy("Months whose dues report was not sent"), lambda r: r["dues_unreported"]),
]


def _figures(row):
    return [get(row) for _label, get in FIGURE_COLUMNS]


def _labels():
    return [str(label) for label, _get in FIGURE_COLUMNS]


def dashboard_tables(data, lists):
    """The whole dashboard: the summary by unit below, every cell, the trend, the action lists, flagged members."""
    unit = data["unit"]
    summary = Table(_("Summary"), [_("Unit"), *_labels()])
    summary.rows.append([str(unit), *_figures(data["total"])])
    for child in data["children"]:
        summary.rows.append([child["name"], *_figures(child)])
    tables = [summary, cells_table(dashboard.sort_rows(list(data["cells"].values()), "name"), _("Cells"))]
    trend = Table(_("Last 12 months"), [_("Month")] + [str(label) for _key, label, _unit in dashboard.CHARTS])
    for row in data["trend"]:
        trend.rows.append(
            [Month.of(row["month"])]
            + [_rate(row[key]) if unit == "%" else row[key] for key, _label, unit in dashboard.CHARTS]
        )
    tables.append(trend)
    weakest = Table(_("Weakest cells"), [_("Measure"), _("Rank"), _("Cell"), _("Under"), _("Value")])
    for item in data["action"]["weakest"]:
        for rank, row in enumerate(item["rows"], 1):
            value = row[item["figure"]]
            value = _rate(value) if item["figure"].endswith("_rate") else value
            weakest.rows.append([str(item["label"]), rank, row["name"], row["under"], value])
    tables.append(weakest)
    for key in dashboard.ACTION_LISTS:
        tables.append(cells_table(data["action"][key], str(lists[key])))
    tables.append(members_table(dashboard.member_list(unit, data["member_year"], "flagged"), _("Flagged members")))
    return tables


def cells_table(rows, title):
    table = Table(str(title), [_("Cell"), _("Under"), *_labels()[1:]])
    for row in rows:
        table.rows.append([row["name"], row["under"], *_figures(row)[1:]])
    return table


def members_table(rows, title):
    """The members of a queryset of `MemberYear` rows (with their member and cell), read a chunk at a time: a
    province's list holds tens of thousands, kept once, as the table's rows, not twice."""
    table = Table(
        str(title),
        [_("Member"), _("Cell"), _("Year"), _("Meetings convened"), _("Attended"), _("Spoke at"),
         _("Unexcused absences"), _("Months with an unexcused absence"), _("Months without party dues")],
    )  # fmt: skip
    for item in rows.iterator(chunk_size=2000):
        table.rows.append(
            [item.member.full_name, item.cell.name, item.year, item.convened, item.attended, item.spoke,
             item.unexcused, item.unexcused_months, item.dues_unpaid_months]
        )  # fmt: skip
    return table


def file_name(unit, period, what, month=None):
    when = f"{month:%Y-%m}" if month else (f"{period.start:%Y-%m}_{period.end:%Y-%m}")
    return filenames.export(unit, what, when)


def csv_response(table, filename, fmt="csv"):
    dialect = CSV_DIALECTS.get(fmt)
    if dialect is None:
        raise Http404
    response = HttpResponse(csv_text(table, dialect), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(tables, filename, title="", author="Chibo"):
    response = HttpResponse(xlsx_bytes(tables, title, author), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- the printable monthly report ------------------------------------------------------------------------


def report_pdf(unit, month, progress=None, today=None):
    """The committee's monthly report for `month` as PDF bytes; `progress(percent)` is told after each step.

    Steps: the month's figures, the year's figures so far, the layout (the longest for a large unit).
    A unit whose units below are cells lists every cell; a higher one lists its units below and the cells
    the action lists name.
    """
    from django.utils import translation

    from chibo import pdf

    today = today or timezone.localdate()
    progress = progress or (lambda percent: None)
    period = Period.of("month", month)
    year = Period("custom", month.replace(month=1), month)
    with translation.override("vi"):
        data = dashboard.build(unit, period, today)
        progress(30)
        year_total = dashboard.build(unit, year, today)["total"]
        progress(50)
        cells_below = not unit.is_cell and all(c["kind"] == unit.Kind.CELL for c in data["children"])
        context = {
            "doc": {"cell": unit},
            "day": today,
            "unit": unit,
            "month": month,
            "data": data,
            "year_total": year_total,
            "cells": dashboard.sort_rows(list(data["cells"].values()), "name") if cells_below else None,
            "flagged": dashboard.flagged_members(unit, month.year, limit=REPORT_MAX_MEMBERS),
            "max_members": REPORT_MAX_MEMBERS,
        }
        content = pdf.render("dashboards/pdf/report.html", context, landscape=True)
    progress(90)
    return content


REPORT_MAX_MEMBERS = 200
