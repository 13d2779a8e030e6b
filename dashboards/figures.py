"""Dashboards of a unit over a period: figures per cell from the summary tables, rolled up level by level.

Every figure is a sum over cells and months of `CellMonth` (and `MemberYear`, `CellStatus`), so the same
numbers roll up from cell to commune to province. A dashboard costs the same few queries whatever the
size of the unit: the units below it, the sums per cell for the period, the members' year per cell, the
twelve-month trend and the tasks that went overdue this month. The period is in period.py, the counting
in counting.py.
"""

import bisect
import heapq
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
from .counting import CELL_MONTH_FIELDS, add_months, flagged_q, is_flagged, month_of
from .models import CellMonth, CellYear, MemberYear
from .period import QUARTER_ENDS

WEAKEST = 10
PAGE_SIZE = 50
SUMMED = [f for f in CELL_MONTH_FIELDS if f not in ("regular_due_on", "quarter_thematic")]
COUNTS = [
    "cells", "regular_expected", "regular_months", "thematic_expected", "thematic_covered", "missed_months",
    "late_meeting", "tasks_overdue", "flagged", "rarely", "members", "committee_missing", "committee_required",
    "too_small", "party_committee_candidate",
    "dues_unreported", "dues_in_arrears", "dues_arrears",
]  # fmt: skip


# --- the figures -----------------------------------------------------------------------------------------


def raw_rows(queryset):
    """The queryset's rows as dicts, read straight from the cursor.

    At provincial scale a dashboard reads tens of thousands of sums; Django's per-value converters (an
    int() of what PostgreSQL already returns as an integer) cost more than the query itself.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return list(queryset)  # e.g. SQLite gives dates as text: its converters are needed
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def blank():
    return dict.fromkeys(SUMMED + COUNTS, 0)


def _pct(part, whole):
    return round(100 * part / whole, 1) if whole else None


def derive(row, count_visiting=None):
    """Rates from the sums (percentages rounded to one decimal; None when there is nothing to divide).

    Called for each of a province's thousands of cells: `count_visiting` can be read once by the caller.
    """
    if count_visiting is None:
        count_visiting = settings.ATTENDANCE_COUNT_VISITING
    base = row["base_core"] + (row["base_visiting"] if count_visiting else 0)
    present = row["present_core"] + (row["present_visiting"] if count_visiting else 0)
    graded = row["grade_good"] + row["grade_fair"] + row["grade_average"] + row["grade_poor"]
    approved = row["minutes_approved"]
    behind = row["tasks_late"] + row["tasks_not_done"] + row["tasks_overdue"]
    due = row["tasks_on_time"] + behind
    row["attendance_base"] = base
    row["attendance_present"] = present
    row["attendance_rate"] = _pct(present, base)
    row["regular_rate"] = _pct(row["regular_months"], row["regular_expected"])
    row["on_day_rate"] = _pct(row["regular_on_day"], row["regular_held"])
    row["thematic_rate"] = _pct(row["thematic_covered"], row["thematic_expected"])
    row["minutes_unapproved"] = row["minutes_due"] - approved
    row["minutes_rate"] = _pct(approved, row["minutes_due"])
    row["minutes_delay"] = round(row["minutes_delay_days"] / approved, 1) if approved else None
    row["graded"] = graded
    row["good_fair_rate"] = _pct(row["grade_good"] + row["grade_fair"], graded)
    row["tasks_due"] = due
    row["tasks_on_time_rate"] = _pct(row["tasks_on_time"], due)
    row["tasks_behind"] = behind
    # Party dues (§11): what the period's lines asked for that has come in, whatever was paid beyond a line's due.
    row["dues_collected"] = row["dues_due"] - row["dues_owed"]
    row["dues_rate"] = _pct(row["dues_collected"], row["dues_due"])
    return row


def cell_figures(unit, period, today, with_ancestors=False):
    """{cell id: figures} for every cell under (or being) `unit`, plus the units one level down.

    Returns (cells, children, ancestors): cells as {pk: {pk, name, path, under, figures…}}, children and
    ancestors (with `with_ancestors`, read in the same query) as lists of {pk, name, path, kind}. Three
    queries (two when the period is over).
    """
    this_month = month_of(today)
    subtree = Q(pk=unit.pk) if unit.is_cell else Q(path__startswith=unit.path)
    wanted = subtree & (Q(kind=OrgUnit.Kind.CELL) | Q(depth=unit.depth + 1))
    above = unit.ancestor_paths()[:-1] if with_ancestors else []
    units = (
        OrgUnit.objects.filter(wanted | Q(path__in=above) if above else wanted)
        .values_list(
            "pk",
            "name",
            "path",
            "kind",
            "depth",
            "status__first_month",
            "status__official",
            "status__own_members",
            "status__committee",
            "status__dues_in_arrears",
            "status__dues_arrears",
        )
        .order_by("path")
    )
    cells, children, names, ancestors = {}, [], {}, []
    cut = len(unit.path) + OrgUnit.SEGMENT_WIDTH + 1
    for pk, name, path, kind, depth, first, official, own_members, committee, in_arrears, arrears in units:
        if depth < unit.depth:
            ancestors.append({"pk": pk, "name": name, "path": path, "kind": kind})
            continue
        if depth == unit.depth + 1 and kind != OrgUnit.Kind.GROUP:  # a party group holds no meetings of its own
            children.append({"pk": pk, "name": name, "path": path, "kind": kind})
            names[path] = name
        if kind != OrgUnit.Kind.CELL:
            continue
        row = blank()
        # "under": the unit one level below the dashboard's that holds this cell (the cell itself one level down)
        row.update(
            pk=pk, name=name, path=path, first_month=first, under=names.get(path[:cut], "") if len(path) > cut else ""
        )
        row["cells"] = 1
        shape = structure.Structure(official or 0, own_members or 0, committee or 0)  # domain §8
        row["committee_required"] = int(shape.committee_required)
        row["committee_missing"] = int(shape.committee_missing)
        row["too_small"] = int(shape.too_small)
        row["party_committee_candidate"] = int(shape.party_committee_candidate)
        row["dues_in_arrears"], row["dues_arrears"] = in_arrears or 0, arrears or 0
        cells[pk] = row

    elapsed = [m for m in period.months if m < this_month]
    quarter_ends = [m for m in period.months if m.month in QUARTER_ENDS and m < this_month]
    found = {row["cell_id"]: row for row in period_sums(unit, period, this_month, today)}
    expected = {}  # by first month in Chibo: (months over, quarter ends over) since then in the period
    for pk, row in cells.items():
        sums_row = found.get(pk)
        first = row["first_month"]
        if first not in expected:
            expected[first] = (
                sum(1 for m in elapsed if first and m >= first),
                sum(1 for m in quarter_ends if first and m >= first),
            )
        expected_before, row["thematic_expected"] = expected[first]
        if sums_row:
            for key in SUMMED:
                row[key] = sums_row[key] or 0
            row["regular_months"] = sums_row["held_before"] + sums_row["held_now"]
            row["regular_expected"] = expected_before + sums_row["held_now"]
            row["missed_months"] = expected_before - sums_row["held_before"]
            row["thematic_covered"] = sums_row["covered_before"] + sums_row["covered_now"]
            row["thematic_expected"] += sums_row["covered_now"]
            row["late_meeting"] = sums_row["late_meeting"]
            row["tasks_overdue"] = sums_row["open_before"] or 0
            row["dues_unreported"] = sums_row["dues_unreported"]
            row["tasks_open"] -= row["tasks_overdue"]
        else:
            row["regular_expected"] = row["missed_months"] = expected_before

    if period.start <= this_month <= period.end:
        from resolutions.models import Resolution, Task

        overdue = (
            Task.objects.filter(
                deadline__gte=this_month,
                deadline__lt=today,
                status__in=[Task.Status.OPEN, Task.Status.IN_PROGRESS],
                **(
                    {"resolution__cell_id": unit.pk}
                    if unit.is_cell
                    else {"resolution__cell__path__startswith": unit.path}
                ),
            )
            .exclude(resolution__status=Resolution.Status.DRAFT)
            .values_list("resolution__cell_id")
            .annotate(n=Count("pk"))
        )
        for cell_id, n in overdue:
            if cell_id in cells:
                cells[cell_id]["tasks_overdue"] += n
                cells[cell_id]["tasks_open"] -= n
                cells[cell_id]["overdue_now"] = n  # for this month's point of the trend
    return cells, children, ancestors


# The two hot queries, written out once: Django compiles a query of thirty aggregates in a few milliseconds,
# more than PostgreSQL takes to run it for a commune. Portable SQL (PostgreSQL, and SQLite for `make run`).
SUMS = ", ".join(f"SUM(cm.{f}) AS {f}" for f in SUMMED)


def _hot(unit, select, where, group_by, params):
    if unit.is_cell:
        joins, scope, scope_params = "", "cm.cell_id = %s", [unit.pk]
    else:
        joins, scope, scope_params = (
            f" JOIN {OrgUnit._meta.db_table} u ON u.id = cm.cell_id",
            "u.path LIKE %s",
            [unit.path + "%"],
        )
    sql = (
        f"SELECT {select} FROM {CellMonth._meta.db_table} cm{joins} "
        f"WHERE {scope} AND cm.month >= %s AND cm.month <= %s GROUP BY {group_by}"
    )
    with connections[CellMonth.objects.db].cursor() as cursor:
        cursor.execute(sql, [*params, *scope_params, *where])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def period_sums(unit, period, this_month, today):
    """Per cell over the period: the sums, and the months and quarters counted before and in this month."""
    quarter_ends = [m.isoformat() for m in period.months if m.month in QUARTER_ENDS]
    is_quarter_end = f"cm.month IN ({', '.join(['%s'] * len(quarter_ends))})" if quarter_ends else "1 = 0"
    now = this_month.isoformat()
    select = (
        "cm.cell_id AS cell_id, "
        "COUNT(*) FILTER (WHERE cm.regular_held > 0 AND cm.month < %s) AS held_before, "
        "COUNT(*) FILTER (WHERE cm.regular_held > 0 AND cm.month = %s) AS held_now, "
        f"COUNT(*) FILTER (WHERE {is_quarter_end} AND cm.quarter_thematic > 0 AND cm.month < %s) AS covered_before, "
        f"COUNT(*) FILTER (WHERE {is_quarter_end} AND cm.quarter_thematic > 0 AND cm.month >= %s) AS covered_now, "
        "COUNT(*) FILTER (WHERE cm.regular_due_on < %s AND cm.regular_held = 0) AS late_meeting, "
        "SUM(cm.tasks_open) FILTER (WHERE cm.month < %s) AS open_before, "
        # A month over whose dues book has lines and whose report has not been sent (missing or a draft).
        "COUNT(*) FILTER (WHERE cm.dues_opened > 0 AND cm.dues_reported = 0 AND cm.month < %s) AS dues_unreported, "
        + SUMS
    )
    params = [now, now, *quarter_ends, now, *quarter_ends, now, today.isoformat(), now, now]
    return _hot(unit, select, [period.start.isoformat(), period.end.isoformat()], "cm.cell_id", params)


def member_figures(unit, year):
    """Members, members flagged for removal and members who rarely speak, per cell, for the year."""
    scope = Q(cell_id=unit.pk) if unit.is_cell else Q(cell__path__startswith=unit.path)
    rows = CellYear.objects.filter(scope, year=year).values("cell_id", "members", "flagged", "rarely")
    return {row["cell_id"]: row for row in raw_rows(rows)}


rarely_speaks = counting.rarely_q
is_rarely_speaking = counting.is_rarely_speaking


def trend(unit, end_month):
    """The last twelve months up to `end_month`, summed over the unit's cells: [{month, figures…}]."""
    start = add_months(end_month, -11)
    select = "cm.month AS month, COUNT(*) FILTER (WHERE cm.regular_held > 0) AS regular_months, " + SUMS
    rows = {}
    for row in _hot(unit, select, [start.isoformat(), end_month.isoformat()], "cm.month", []):
        month = row["month"]
        rows[date.fromisoformat(month) if isinstance(month, str) else month] = row  # SQLite gives text
    return [(add_months(start, i), rows.get(add_months(start, i))) for i in range(12)]


def figures_by_cell(unit, period, today, with_ancestors=False):
    """Each cell's figures for the period, with the members' year, derived: (cells, children, members).

    With `with_ancestors`, the units above come along as a fourth item."""
    cells, children, ancestors = cell_figures(unit, period, today, with_ancestors)
    if unit.is_cell:
        members = member_rows(unit, period.end.year)
        per_cell = {unit.pk: {
            "members": len(members),
            "flagged": sum(1 for m in members if m["flagged"]),
            "rarely": sum(1 for m in members if m["rarely"]),
        }}  # fmt: skip
    else:
        members = None
        per_cell = member_figures(unit, period.end.year)
    count_visiting = settings.ATTENDANCE_COUNT_VISITING
    for pk, row in cells.items():
        extra = per_cell.get(pk)
        if extra:
            row["members"], row["flagged"], row["rarely"] = extra["members"], extra["flagged"], extra["rarely"]
        derive(row, count_visiting)
    return (cells, children, members, ancestors) if with_ancestors else (cells, children, members)


def build(unit, period, today=None):
    """Everything a dashboard shows, and the units above (read along with the units below)."""
    today = today or timezone.localdate()
    cells, children, members, ancestors = figures_by_cell(unit, period, today, with_ancestors=True)

    rolled = {child["path"]: dict(blank(), **child) for child in children}
    cut = len(unit.path) + OrgUnit.SEGMENT_WIDTH + 1
    keys = SUMMED + COUNTS
    loose = []  # cells not under any unit one level down (the dashboard's own cell)
    for row in cells.values():
        child = rolled.get(row["path"][:cut])
        if child is None:
            loose.append(row)
            continue
        for key in keys:
            child[key] += row[key]
    total = blank()
    for row in [*rolled.values(), *loose]:  # every cell is under one unit one level down, or is the unit
        for key in keys:
            total[key] += row[key]
    derive(total)
    for child in rolled.values():
        derive(child)

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
        "action": action_lists(cells),
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
PAGE_FIGURES_VERSION = 2
# How many cells of each list asking for action the dashboard names (the list pages name them all).
SHOWN = 8
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
        data = build(unit, period, today)
        lists = [
            {"key": name, "rows": data["action"][name][:SHOWN], "count": len(data["action"][name])}
            for name in ACTION_LISTS
        ]
        data = {
            **{name: data[name] for name in ("total", "children", "trend", "members", "member_year", "ancestors")},
            "weakest": data["action"]["weakest"],
            "lists": lists,
            "flagged": None if unit.is_cell else flagged_members(unit, period.end.year, limit=WEAKEST),
            "today": today,
        }
        # Counted on a replica that may not have the change the generation is for yet: not kept (summaries.made_at).
        if seconds and not replica.may_miss(summaries.made_at(generation)):
            cache.set(key, data, seconds)
    return {**data, "unit": unit, "period": period}


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
    return list(member_list(unit, year, "flagged")[:limit])


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


def action_lists(cells):
    """The weakest cells on each measure, and the cells with a missed or overdue meeting or unapproved minutes."""
    weakest = []
    for key, label, figure, worse, needs in MEASURES:
        if worse == "low":  # a cell at 100 % is nobody's weakest
            rows = [r for r in cells.values() if r[needs] and r[figure] is not None and r[figure] < 100]
            rows = heapq.nsmallest(WEAKEST, rows, key=lambda r: (r[figure], r["name"]))
        else:
            rows = [r for r in cells.values() if r[needs] and r[figure]]
            rows = heapq.nsmallest(WEAKEST, rows, key=lambda r: (-r[figure], r["name"]))
        weakest.append({"key": key, "label": label, "figure": figure, "rows": rows})
    overdue = sorted(
        (r for r in cells.values() if r["missed_months"] > 0 or r["late_meeting"] > 0),
        key=lambda r: (-r["missed_months"], -r["late_meeting"], r["name"]),
    )
    unapproved = sorted(
        (r for r in cells.values() if r["minutes_unapproved"] > 0), key=lambda r: (-r["minutes_unapproved"], r["name"])
    )
    committee = sorted((r for r in cells.values() if r["committee_missing"]), key=lambda r: r["name"])
    too_small = sorted((r for r in cells.values() if r["too_small"]), key=lambda r: r["name"])
    party_committee = sorted((r for r in cells.values() if r["party_committee_candidate"]), key=lambda r: r["name"])
    return {"weakest": weakest, "overdue": overdue, "unapproved": unapproved, "committee": committee,
            "too_small": too_small, "party_committee": party_committee}  # fmt: skip


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
