"""Dashboards of a unit over a period: figures per cell from the summary tables, rolled up level by level.

Every figure is a sum over cells and months of `CellMonth` (and `MemberYear`, `CellStatus`), so the same
numbers roll up from cell to commune to province. A dashboard costs the same few queries whatever the
size of the unit: the units below it, the sums per cell for the period, the members' year per cell, the
twelve-month trend and the tasks that went overdue this month. The period is in period.py, the counting
in counting.py.
"""

import bisect
import heapq
import operator
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db import connections
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chibo import replica
from meetings.models import Meeting
from members import structure
from members.models import Member, OrgUnit

from . import counting, summaries
from .counting import SUMMED, add_months, flagged_q, is_flagged, month_of
from .models import CellMonth, CellStatus, CellYear, CellYearToDate, MemberYear, UnitMonth
from .period import QUARTER_ENDS

WEAKEST = 10
PAGE_SIZE = 50
COUNTS = [
    "cells", "regular_expected", "regular_months", "thematic_expected", "thematic_covered", "missed_months",
    "late_meeting", "tasks_overdue", "flagged", "rarely", "members", "committee_missing", "committee_required",
    "too_small", "party_committee_candidate",
    "dues_unreported", "dues_in_arrears", "dues_arrears",
]  # fmt: skip


# --- the figures -----------------------------------------------------------------------------------------


def blank():
    return dict.fromkeys(SUMMED + COUNTS, 0)


def derive(row, count_visiting=None):
    """Rates from the sums (percentages rounded to one decimal; None when there is nothing to divide).

    Called for each of a province's thousands of cells: `count_visiting` can be read once by the caller, and
    each percentage is written out in place (a helper called fifteen times a row cost a province 5 ms).
    """
    if count_visiting is None:
        count_visiting = settings.ATTENDANCE_COUNT_VISITING
    base = row["base_core"] + (row["base_visiting"] if count_visiting else 0)
    present = row["present_core"] + (row["present_visiting"] if count_visiting else 0)
    good_fair = row["grade_good"] + row["grade_fair"]
    graded = good_fair + row["grade_average"] + row["grade_poor"]
    approved, minutes_due = row["minutes_approved"], row["minutes_due"]
    on_time = row["tasks_on_time"]
    behind = row["tasks_late"] + row["tasks_not_done"] + row["tasks_overdue"]
    due = on_time + behind
    expected, quarters, held = row["regular_expected"], row["thematic_expected"], row["regular_held"]
    # Party dues (§11): what the period's lines asked for that has come in, whatever was paid beyond a line's due.
    dues_due = row["dues_due"]
    collected = dues_due - row["dues_owed"]
    row["attendance_base"] = base
    row["attendance_present"] = present
    row["attendance_rate"] = round(100 * present / base, 1) if base else None
    row["regular_rate"] = round(100 * row["regular_months"] / expected, 1) if expected else None
    row["on_day_rate"] = round(100 * row["regular_on_day"] / held, 1) if held else None
    row["thematic_rate"] = round(100 * row["thematic_covered"] / quarters, 1) if quarters else None
    row["minutes_unapproved"] = minutes_due - approved
    row["minutes_rate"] = round(100 * approved / minutes_due, 1) if minutes_due else None
    row["minutes_delay"] = round(row["minutes_delay_days"] / approved, 1) if approved else None
    row["graded"] = graded
    row["good_fair_rate"] = round(100 * good_fair / graded, 1) if graded else None
    row["tasks_due"] = due
    row["tasks_on_time_rate"] = round(100 * on_time / due, 1) if due else None
    row["tasks_behind"] = behind
    row["dues_collected"] = collected
    row["dues_rate"] = round(100 * collected / dues_due, 1) if dues_due else None
    return row


def units_around(unit, with_ancestors=False):
    """The units one level down (but party groups: they hold no meetings of their own) and, with
    `with_ancestors`, the units above, in one query: (children, ancestors) as lists of {pk, name, path, kind}
    in the order of their paths."""
    wanted = Q(pk__in=[])
    if not unit.is_cell:
        wanted |= Q(path__startswith=unit.path, depth=unit.depth + 1) & ~Q(kind=OrgUnit.Kind.GROUP)
    if with_ancestors:
        wanted |= Q(path__in=unit.ancestor_paths()[:-1])
    children, ancestors = [], []
    if unit.is_cell and not (with_ancestors and unit.depth):
        return children, ancestors
    units = OrgUnit.objects.filter(wanted).values_list("pk", "name", "path", "kind", "depth").order_by("path")
    for pk, name, path, kind, depth in units:
        (ancestors if depth < unit.depth else children).append({"pk": pk, "name": name, "path": path, "kind": kind})
    return children, ancestors


# The leading columns of `cell_rows`, read by position; the rest, named as the figures they are, make the row.
CELL_ROW_FIGURES = [
    "pk", "path", "name", "dues_in_arrears", "dues_arrears", "members", "flagged", "rarely",
    "regular_months", "thematic_covered", "late_meeting", "dues_unreported", *SUMMED,
]  # fmt: skip
# What a cell's row has that a row of the units below, which sums cells, has not.
CELL_ONLY = {"first_month", "under", "overdue_now"}


class ToDate:
    """Sums over spans of months from the cells' years to date (`CellYearToDate`), as SQL: a span's sum is, for
    each year it touches, the row of its last month in that year less the row before its first month when that
    is not January. Each month read is one join, aliased `j0`, `j1`, … (`joins`, with `params`)."""

    def __init__(self):
        self.months = {}  # month → alias

    def _alias(self, month):
        return self.months.setdefault(month, f"j{len(self.months)}")

    def sum(self, field, first, last):
        """SQL of the sum of `field` over the months [first, last] ("0" when there are none)."""
        added, taken = [], []
        for year in range(first.year, last.year + 1) if first <= last else []:
            added.append(f"COALESCE({self._alias(min(last, date(year, 12, 1)))}.{field}, 0)")
            start = max(first, date(year, 1, 1))
            if start.month > 1:
                taken.append(f"COALESCE({self._alias(add_months(start, -1))}.{field}, 0)")
        return " - ".join([" + ".join(added), *taken]) if added else "0"

    def joins(self):
        table = CellYearToDate._meta.db_table
        return " ".join(
            f"LEFT JOIN {table} {alias} ON {alias}.cell_id = u.id AND {alias}.month = %s"
            for alias in self.months.values()
        )

    def params(self):
        return [month.isoformat() for month in self.months]


def _due_this_month(period, this_month, today, scope):
    """Per cell, the tasks whose deadline this month has passed and that are still open: (SQL, parameters),
    or (None, []) when this month is not in the period."""
    from resolutions.models import Resolution, Task

    if not period.start <= this_month <= period.end:
        return None, []
    sql = (
        f"SELECT r.cell_id, COUNT(*) AS n FROM {Task._meta.db_table} t "
        f"JOIN {Resolution._meta.db_table} r ON r.id = t.resolution_id {scope[0].format(table='r')} "
        f"WHERE {scope[1].format(table='r')} AND t.deadline >= %s AND t.deadline < %s AND t.status IN (%s, %s) "
        "AND r.status <> %s GROUP BY r.cell_id"
    )
    params = [*scope[2], this_month.isoformat(), today.isoformat(), Task.Status.OPEN, Task.Status.IN_PROGRESS,
              Resolution.Status.DRAFT]  # fmt: skip
    return sql, params


def cell_rows(unit, period, this_month, today):
    """Every cell under (or being) `unit`, in the order of their paths, with what the figures are made of, in
    one query: its roll today (`CellStatus`), its members' year (`CellYear`), its sums over the period from its
    years to date (`CellYearToDate`: a row or two a cell, whatever the length of the period), this month's row
    (`CellMonth`) for a meeting planned and not held, and its tasks overdue this month.

    Each row is (first month, official, own members, committee, regular meetings held before this month, held
    this month, quarters covered from this month on, tasks open before this month, tasks overdue this month,
    *CELL_ROW_FIGURES). Written out as SQL: Django compiles a query of thirty figures in a few
    milliseconds, more than PostgreSQL takes to run it for a commune. Portable SQL (PostgreSQL, and SQLite for
    `make run`).
    """
    if unit.is_cell:
        scope = ("", "{table}.cell_id = %s", [unit.pk])
    else:
        scope = (f"JOIN {OrgUnit._meta.db_table} c ON c.id = {{table}}.cell_id", "c.path LIKE %s", [unit.path + "%"])
    due, due_params = _due_this_month(period, this_month, today, scope)
    start, end = period.start, period.end
    before, now = add_months(this_month, -1), start <= this_month <= end
    to_date = ToDate()

    def over(field, first, last):
        return to_date.sum(field, first, last)

    # A month over counts a meeting planned and not held; this month, one planned before today.
    late_now = "CASE WHEN m.regular_due_on < %s AND m.regular_held = 0 THEN 1 ELSE 0 END" if now else "0"
    columns = [
        over("regular_months", start, min(end, before)),
        over("regular_months", this_month, this_month) if now else "0",
        over("quarters_covered", max(start, this_month), end),
        over("tasks_open", start, min(end, before)),
        "COALESCE(d.n, 0)" if due else "0",
        "u.id", "u.path", "u.name", "COALESCE(s.dues_in_arrears, 0)", "COALESCE(s.dues_arrears, 0)",
        "COALESCE(y.members, 0)", "COALESCE(y.flagged, 0)", "COALESCE(y.rarely, 0)",
        over("regular_months", start, min(end, this_month)),
        over("quarters_covered", start, end),
        f"{over('late_months', start, min(end, before))} + {late_now}",
        over("dues_unreported", start, min(end, before)),
        # Amounts of money are bigints: Python ints, like every other figure (a numeric, a Decimal, costs a
        # province 3 ms to read and add up).
        *(over(f, start, end) for f in SUMMED),
    ]  # fmt: skip
    sql = f"""
        SELECT s.first_month, s.official, s.own_members, s.committee, {", ".join(columns)}
          FROM {OrgUnit._meta.db_table} u
          LEFT JOIN {CellStatus._meta.db_table} s ON s.cell_id = u.id
          LEFT JOIN {CellYear._meta.db_table} y ON y.cell_id = u.id AND y.year = %s
          {to_date.joins()}
          {f"LEFT JOIN {CellMonth._meta.db_table} m ON m.cell_id = u.id AND m.month = %s" if now else ""}
          {f"LEFT JOIN ({due}) d ON d.cell_id = u.id" if due else ""}
         WHERE {"u.id = %s" if unit.is_cell else "u.path LIKE %s"} AND u.kind = %s
         ORDER BY u.path
    """
    params = [
        *([today.isoformat()] if now else []), period.end.year, *to_date.params(),
        *([this_month.isoformat()] if now else []), *due_params, *scope[2], OrgUnit.Kind.CELL,
    ]  # fmt: skip
    with connections[CellMonth.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def cell_figures(unit, period, today, with_ancestors=False):
    """{cell id: figures, derived} for every cell under (or being) `unit`, plus the units one level down.

    Returns (cells, children, ancestors): cells as {pk: {pk, name, path, under, figures…}} in the order of
    their paths, children and ancestors (with `with_ancestors`, read in the same query) as lists of {pk, name,
    path, kind}. Two queries. A province has thousands of cells: the loop
    below does only what the query cannot.
    """
    this_month = month_of(today)
    children, ancestors = units_around(unit, with_ancestors)
    names = {child["path"]: child["name"] for child in children}
    cut = len(unit.path) + OrgUnit.SEGMENT_WIDTH + 1
    elapsed = [m for m in period.months if m < this_month]
    quarter_ends = [m for m in period.months if m.month in QUARTER_ENDS and m < this_month]
    expected = {}  # by first month in Chibo: (months over, quarter ends over) since then in the period
    shapes = {}  # the structure's four flags by (official, own members, committee): a few hundred distinct ones
    count_visiting = settings.ATTENDANCE_COUNT_VISITING
    cells = {}
    for values in cell_rows(unit, period, this_month, today):
        first, official, own_members, committee, held_before, held_now, covered_now, open_before, overdue_now = values[
            :9
        ]
        row = dict(zip(CELL_ROW_FIGURES, values[9:], strict=True))
        if isinstance(first, str):
            first = date.fromisoformat(first)  # SQLite gives text
        if first not in expected:
            expected[first] = (
                sum(1 for m in elapsed if first and m >= first),
                sum(1 for m in quarter_ends if first and m >= first),
            )
        months_over, quarters_over = expected[first]
        counts = (official or 0, own_members or 0, committee or 0)
        flags = shapes.get(counts)
        if flags is None:
            shape = structure.Structure(*counts)  # domain §8
            flags = shapes[counts] = {
                "committee_required": int(shape.committee_required),
                "committee_missing": int(shape.committee_missing),
                "too_small": int(shape.too_small),
                "party_committee_candidate": int(shape.party_committee_candidate),
            }
        row.update(flags)
        path = row["path"]
        row["first_month"] = first
        # "under": the unit one level below the dashboard's that holds this cell (the cell itself one level down)
        row["under"] = names.get(path[:cut], "") if len(path) > cut else ""
        row["cells"] = 1
        row["regular_expected"] = months_over + held_now
        row["missed_months"] = months_over - held_before
        row["thematic_expected"] = quarters_over + covered_now
        row["tasks_overdue"] = open_before + overdue_now
        row["tasks_open"] -= open_before + overdue_now
        if overdue_now:  # tasks whose deadline this month has passed, for this month's point of the trend
            row["overdue_now"] = overdue_now
        cells[row["pk"]] = derive(row, count_visiting)
    return cells, children, ancestors


# The trend's query, written out as SQL like `cell_rows`.
SUMS = ", ".join(f"SUM(t.{f}) AS {f}" for f in SUMMED)


def trend(unit, end_month):
    """The last twelve months up to `end_month`, summed over the unit's cells: [(month, {figures…} or None)].

    A cell's months are its `CellMonth` rows; a unit's, the `UnitMonth` rows of every unit on its path (each
    holds the sums of the cells directly below it): a province sums its communes' rows, not its cells'."""
    start = add_months(end_month, -11)
    if unit.is_cell:
        select = "t.month, CASE WHEN t.regular_held > 0 THEN 1 ELSE 0 END AS regular_months, " + ", ".join(
            f"t.{f}" for f in SUMMED
        )
        source, scope, params = CellMonth._meta.db_table + " t", "t.cell_id = %s", [unit.pk]
        group_by = ""
    else:
        select = "t.month, SUM(t.regular_months) AS regular_months, " + SUMS
        source = f"{UnitMonth._meta.db_table} t JOIN {OrgUnit._meta.db_table} u ON u.id = t.unit_id"
        scope, params = "u.path LIKE %s", [unit.path + "%"]
        group_by = " GROUP BY t.month"
    sql = f"SELECT {select} FROM {source} WHERE {scope} AND t.month >= %s AND t.month <= %s{group_by}"
    names = ["month", "regular_months", *SUMMED]
    rows = {}
    with connections[CellMonth.objects.db].cursor() as cursor:
        cursor.execute(sql, [*params, start.isoformat(), end_month.isoformat()])
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            month = row["month"]
            rows[date.fromisoformat(month) if isinstance(month, str) else month] = row  # SQLite gives text
    return [(add_months(start, i), rows.get(add_months(start, i))) for i in range(12)]


rarely_speaks = counting.rarely_q
is_rarely_speaking = counting.is_rarely_speaking


def figures_by_cell(unit, period, today, with_ancestors=False):
    """Each cell's figures for the period, with the members' year, derived: (cells, children, members).

    With `with_ancestors`, the units above come along as a fourth item."""
    cells, children, ancestors = cell_figures(unit, period, today, with_ancestors)
    members = None
    if unit.is_cell:  # the cell's own members, listed on its page, counted from their rows
        members = member_rows(unit, period.end.year)
        for row in cells.values():
            row["members"] = len(members)
            row["flagged"] = sum(1 for m in members if m["flagged"])
            row["rarely"] = sum(1 for m in members if m["rarely"])
    return (cells, children, members, ancestors) if with_ancestors else (cells, children, members)


def build(unit, period, today=None, shown=None):
    """Everything a dashboard shows, and the units above (read along with the units below); the lists of cells
    asking for action whole, or their first `shown` (`action_lists`)."""
    today = today or timezone.localdate()
    cells, children, members, ancestors = figures_by_cell(unit, period, today, with_ancestors=True)

    # Rolled up column by column (the sums in C): a province's 3,000 cells × 58 figures, added one at a time,
    # cost 20 ms.
    keys = SUMMED + COUNTS
    figures_of = operator.itemgetter(*keys)
    cut = len(unit.path) + OrgUnit.SEGMENT_WIDTH + 1
    rolled = {}
    below = defaultdict(list)  # the cells' figures by the path of the unit one level down that holds them
    for child in children:
        cell = cells.get(child["pk"]) if child["kind"] == OrgUnit.Kind.CELL else None
        if cell is not None:  # a cell one level down: its own figures, already derived (most communes' children)
            rolled[child["path"]] = {key: value for key, value in cell.items() if key not in CELL_ONLY} | child
        else:
            rolled[child["path"]] = dict(blank(), **child)
            below[child["path"]] = []
    for row in cells.values():
        rows = below.get(row["path"][:cut])
        if rows is not None:
            rows.append(figures_of(row))
    for path, rows in below.items():
        if rows:
            rolled[path].update(zip(keys, map(sum, zip(*rows, strict=True)), strict=True))
        derive(rolled[path])
    total = blank()  # every cell: those under the units one level down and the dashboard's own cell
    if cells:
        total.update(zip(keys, map(sum, zip(*map(figures_of, cells.values()), strict=True)), strict=True))
    derive(total)

    months = trend(unit, min(period.end, month_of(today)))
    first_months = sorted(row["first_month"] for row in cells.values() if row["first_month"])
    series = []
    for month, row in months:
        row = dict(blank(), **(row or {}))
        expected = bisect.bisect_right(first_months, month)  # cells in Chibo by that month
        if month < month_of(today):
            row["regular_expected"] = expected
            # A task still open after its deadline's month is overdue.
            row["tasks_overdue"], row["tasks_open"] = row["tasks_open"], 0
        else:
            row["regular_expected"] = row["regular_months"]
            if month == month_of(today):  # tasks whose deadline this month has passed
                overdue_now = sum(r.get("overdue_now", 0) for r in cells.values())
                row["tasks_overdue"], row["tasks_open"] = overdue_now, row["tasks_open"] - overdue_now
        derive(row)
        series.append({"month": month, **row})
    return {
        "unit": unit,
        "period": period,
        "today": today,
        "total": total,
        "children": sorted(rolled.values(), key=lambda r: r["name"]),
        "cells": cells,
        "action": action_lists(cells, shown),
        "trend": series,
        "members": members,
        "member_year": period.end.year,
        "ancestors": sorted(ancestors, key=lambda r: len(r["path"])),
    }


# The settings the figures depend on, part of the key of kept figures; and the shape of what is kept (a
# deploy that changes it changes the number).
FIGURE_SETTINGS = ["ATTENDANCE_COUNT_VISITING", "COMMITTEE_REQUIRED_OFFICIAL", "CELL_MIN_OFFICIAL",
                   "PARTY_COMMITTEE_MEMBERS", "REMOVAL_MONTHS", "RARELY_SPEAKS_MIN_ATTENDED",
                   "RARELY_SPEAKS_PERCENT"]  # fmt: skip
PAGE_FIGURES_VERSION = 3
# How many cells of each list asking for action the dashboard names (the list pages name them all), and what it
# shows of them.
SHOWN = 8
LIST_KEYS = ("pk", "name", "under", "missed_months", "late_meeting", "minutes_unapproved")
# The columns of the table of units below a dashboard's unit: (figure, shown as a percentage?).
CHILD_COLUMNS = [
    ("cells", False), ("regular_rate", True), ("thematic_rate", True), ("attendance_rate", True),
    ("unexcused", False), ("minutes_rate", True), ("good_fair_rate", True), ("tasks_on_time_rate", True),
    ("flagged", False), ("dues_rate", True),
]  # fmt: skip
CHILD_KEYS = ("pk", "name", *(key for key, _is_rate in CHILD_COLUMNS))
ACTION_LISTS = ("overdue", "unapproved", "committee", "too_small", "party_committee")
# The cell lists' names, on the dashboards, their exports and the committees' home page.
LISTS = {
    "all": _("All cells"),
    "overdue": _("Cells with a missed or overdue meeting"),
    "unapproved": _("Cells with minutes not yet approved"),
    "committee": _("Cells without the committee they need"),
    "too_small": _("Cells with too few official members"),
    "party_committee": _("Cells that could become a party committee"),
}


def page_figures(unit, period, today=None):
    """What a dashboard page shows: `build`'s figures without the per-cell rows, the action lists cut to
    SHOWN, and the flagged members; kept in the cache (DASHBOARD_CACHE_SECONDS) until the summary rows of a
    cell below the unit change (`summaries.forget_figures`), the tree changes or the day ends."""
    from django.core.cache import cache

    today = today or timezone.localdate()
    seconds = settings.DASHBOARD_CACHE_SECONDS
    generation = summaries.generation(unit) if seconds else "-"
    key = ":".join(
        map(str, ["dashboard", PAGE_FIGURES_VERSION, unit.pk, generation,
                  period.kind, period.start, period.end, today, *[getattr(settings, name) for name in FIGURE_SETTINGS]])
    )  # fmt: skip
    data = cache.get(key) if seconds else None
    if data is None:
        data = build(unit, period, today, shown=SHOWN)
        # Each row keeps only what the page shows of it: a commune's 300 rows of 80 figures, kept and read back
        # at every request, cost more than the page's template.
        lists = [
            {"key": name, "rows": [_only(row, LIST_KEYS) for row in data["action"][name]],
             "count": data["action"]["counts"][name]}
            for name in ACTION_LISTS
        ]  # fmt: skip
        weakest = [
            {**item, "rows": [_only(row, ("pk", "name", item["figure"])) for row in item["rows"]]}
            for item in data["action"]["weakest"]
        ]
        data = {
            **{name: data[name] for name in ("total", "members", "member_year", "ancestors")},
            "children": [_only(row, CHILD_KEYS) for row in data["children"]],
            "trend": [_only(row, ("month", *(key for key, _label, _unit in CHARTS))) for row in data["trend"]],
            "weakest": weakest,
            "lists": lists,
            "flagged": None if unit.is_cell else flagged_members(unit, period.end.year, limit=WEAKEST),
            "today": today,
        }
        # Counted on a replica that may not have the change the generation is for yet: not kept (summaries.made_at).
        if seconds and not replica.may_miss(summaries.made_at(generation)):
            cache.set(key, data, seconds)
    return {**data, "unit": unit, "period": period}


def _only(row, keys):
    return {key: row[key] for key in keys}


def cell_list(unit, period, show="all", sort="name", today=None):
    """The cells below the unit with their figures: all of them, or those one of the action lists names."""
    cells, _children, _members = figures_by_cell(unit, period, today or timezone.localdate())
    if show == "all":
        return sort_rows(list(cells.values()), sort)
    rows = action_lists(cells)[show]
    return sort_rows(rows, sort) if sort != "name" else rows


def member_list(unit, year, show="flagged"):
    """Members of the cells below the unit, flagged for removal or rarely speaking, worst first."""
    scope = Q(cell_id=unit.pk) if unit.is_cell else Q(cell__path__startswith=unit.path)
    rows = MemberYear.objects.filter(scope, year=year).select_related("member", "cell")
    if show == "rarely":
        return rows.filter(rarely_speaks()).order_by("spoke", "-attended", "member__sort_key", "pk")
    return rows.filter(flagged_q()).order_by(
        "-unexcused_months", "-dues_unpaid_months", "-unexcused", "member__sort_key", "pk"
    )


def flagged_members(unit, year, limit):
    """The first of the members flagged for removal, with what the dashboard shows of them (kept with its
    figures: a member's whole record is not)."""
    shown = ["unexcused_months", "dues_unpaid_months", "unexcused", "member__full_name", "cell__name"]
    return list(member_list(unit, year, "flagged").only(*shown)[:limit])


# What the trend charts draw: (figure, label, unit of the axis).
CHARTS = [
    ("regular_rate", _("Cells that held their regular meeting"), "%"),
    ("attendance_rate", _("Attendance rate"), "%"),
    ("unexcused", _("Unexcused absences"), ""),
    ("thematic_held", _("Thematic meetings held"), ""),
    ("minutes_rate", _("Minutes approved"), "%"),
    ("good_fair_rate", _("Meetings graded Good or Fair"), "%"),
    ("tasks_on_time_rate", _("Tasks done on time"), "%"),
    ("resolutions_issued", _("Resolutions issued"), ""),
]


def chart_data(series):
    """The trend as Chart.js wants it: labels (MM/YYYY) and one list of values per chart."""
    return {
        "labels": [f"{row['month']:%m/%Y}" for row in series],
        "charts": [
            {"key": key, "label": str(label), "unit": unit, "values": [row[key] for row in series]}
            for key, label, unit in CHARTS
        ],
    }


# (key, label, figure, what is worse: "low" or "high", what must be there for the figure to mean anything)
MEASURES = [
    ("regular", _("Regular meetings held"), "regular_rate", "low", "regular_expected"),
    ("thematic", _("Quarters with a thematic meeting"), "thematic_rate", "low", "thematic_expected"),
    ("attendance", _("Attendance rate"), "attendance_rate", "low", "attendance_base"),
    ("unexcused", _("Unexcused absences"), "unexcused", "high", "attendance_base"),
    ("minutes", _("Minutes approved"), "minutes_rate", "low", "minutes_due"),
    ("quality", _("Meetings graded Good or Fair"), "good_fair_rate", "low", "graded"),
    ("tasks", _("Tasks late, not done or overdue"), "tasks_behind", "high", "tasks_due"),
    ("flagged", _("Members flagged for removal"), "flagged", "high", "members"),
    ("dues", _("Party dues collected"), "dues_rate", "low", "dues_due"),
]
MEASURE_KEYS = {m[0] for m in MEASURES}


def action_lists(cells, shown=None):
    """The weakest cells on each measure, and the cells with a missed or overdue meeting or unapproved minutes,
    without enough committee or official members, or that could become a party committee: all of them, or the
    first `shown` of each list; "counts" says how many each list has."""
    weakest = []
    for key, label, figure, worse, needs in MEASURES:
        # Only the cells as weak as the tenth weakest figure or weaker need the sort by name.
        if worse == "low":  # a cell at 100 % is nobody's weakest
            rows = [r for r in cells.values() if r[needs] and (value := r[figure]) is not None and value < 100]
            order = 1
            if len(rows) > WEAKEST:
                cutoff = heapq.nsmallest(WEAKEST, map(operator.itemgetter(figure), rows))[-1]
                rows = [r for r in rows if r[figure] <= cutoff]
        else:
            rows = [r for r in cells.values() if r[needs] and r[figure]]
            order = -1
            if len(rows) > WEAKEST:
                cutoff = heapq.nlargest(WEAKEST, map(operator.itemgetter(figure), rows))[-1]
                rows = [r for r in rows if r[figure] >= cutoff]
        rows = sorted(rows, key=lambda r: (order * r[figure], r["name"]))[:WEAKEST]
        weakest.append({"key": key, "label": label, "figure": figure, "rows": rows})
    lists = {
        "overdue": (
            [r for r in cells.values() if r["missed_months"] > 0 or r["late_meeting"] > 0],
            lambda r: (-r["missed_months"], -r["late_meeting"], r["name"]),
        ),
        "unapproved": (
            [r for r in cells.values() if r["minutes_unapproved"] > 0],
            lambda r: (-r["minutes_unapproved"], r["name"]),
        ),
        "committee": ([r for r in cells.values() if r["committee_missing"]], operator.itemgetter("name")),
        "too_small": ([r for r in cells.values() if r["too_small"]], operator.itemgetter("name")),
        "party_committee": (
            [r for r in cells.values() if r["party_committee_candidate"]],
            operator.itemgetter("name"),
        ),
    }
    # The first `shown` of a list are the first of it sorted (heapq.nsmallest is that, without sorting
    # a province's 2,000 cells to show eight).
    return {
        "weakest": weakest,
        "counts": {name: len(rows) for name, (rows, _key) in lists.items()},
        **{
            name: sorted(rows, key=key) if shown is None else heapq.nsmallest(shown, rows, key=key)
            for name, (rows, key) in lists.items()
        },
    }


def member_rows(cell, year):
    """A cell's members in the year, with their figures: flagged first, then who rarely speaks."""
    rows = []
    for item in MemberYear.objects.filter(cell=cell, year=year).select_related("member"):
        row = {
            "member": item.member,
            "attended": item.attended,
            "convened": item.convened,
            "spoke": item.spoke,
            "unexcused": item.unexcused,
            "unexcused_months": item.unexcused_months,
            "dues_unpaid_months": item.dues_unpaid_months,
        }
        row["flagged"] = is_flagged(row)
        row["rarely"] = is_rarely_speaking(row)
        rows.append(row)
    rows.sort(key=lambda r: (not r["flagged"], not r["rarely"], r["member"].sort_key))
    return rows


def cell_meetings(cell, period):
    """The cell's meetings in the period with their attendance and minutes: one query."""
    from .counting import CORE, NOT_EXPECTED, PRESENT, aware

    counted = list(CORE) + (["visiting"] if settings.ATTENDANCE_COUNT_VISITING else [])
    return (
        Meeting.objects.filter(
            cell=cell, starts_at__gte=aware(period.start), starts_at__lt=aware(add_months(period.end, 1))
        )
        .exclude(kind=Meeting.Kind.COMMITTEE)
        .select_related("minutes")
        .annotate(
            base=Count("attendances", filter=Q(attendances__category__in=counted)),
            present=Count("attendances", filter=Q(attendances__category__in=counted, attendances__status__in=PRESENT)),
            unexcused=Count(
                "attendances", filter=Q(attendances__status="unexcused") & ~Q(attendances__category__in=NOT_EXPECTED)
            ),
        )
        .order_by("starts_at")
    )


def sort_rows(rows, key):
    """Rows sorted by a measure (weakest first) or by name."""
    for measure, _label, figure, worse, _needs in MEASURES:
        if key == measure:
            missing = [r for r in rows if r[figure] is None]
            present = [r for r in rows if r[figure] is not None]
            present.sort(key=lambda r: (r[figure] if worse == "low" else -r[figure], r["name"]))
            return present + missing
    return sorted(rows, key=lambda r: r["name"])


def members_in(unit):
    return Member.objects.in_subtree(unit).on_roll()
