"""What a cell, and the committees above it, should be told: months without a regular meeting, quarters
without a thematic meeting (domain §2) in the last twelve months, members with unexcused absences in 3 months
of a year (§3)."""

import calendar
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo import sql
from chibo.months import add_months, month_of, months_between
from members.models import Member

from .models import NOT_EXPECTED, Attendance, Meeting, month_bounds

COVERING = {
    "past": {Meeting.Status.HELD, Meeting.Status.CONFIRMED},
    "future": {Meeting.Status.HELD, Meeting.Status.CONFIRMED, Meeting.Status.PLANNED},
}
QUARTER_ENDING_DAYS = 30  # warn about the current quarter from this many days before its end


def months_watched(today):
    """The months the warnings look at: this month and the eleven before it. Every month and quarter stays
    in view for a year, whatever the calendar year: a December without a meeting is still flagged in
    January, as a January without one is in December (domain §2)."""
    this_month = today.replace(day=1)
    return [add_months(this_month, n) for n in range(-11, 1)]


def warnings_for_cells(cell_ids, today):
    """{cell id: [warning, …]} for the last twelve months, in one query whatever the number of cells.

    Written out as SQL: Django took ten times longer to build and compile the query than PostgreSQL to run it
    for a cell (issue 17). The months are numbered windows joined to the meetings, so that no time zone
    arithmetic is asked of the database (portable: PostgreSQL, and SQLite for `make run`)."""
    cell_ids = list(cell_ids)
    if not cell_ids:
        return {}
    months = months_watched(today)
    this_month = months[-1]
    # From the first month of the earliest quarter watched (its thematic meeting may predate the window) up to
    # the end of the current quarter (a thematic meeting planned later in the quarter covers it).
    first_quarter = date(months[0].year, 3 * ((months[0].month - 1) // 3) + 1, 1)
    until = add_months(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), 3)
    windows = [add_months(first_quarter, n) for n in range(months_between(first_quarter, until))]
    meetings = Meeting._meta.db_table
    cells = ", ".join(["%s"] * len(cell_ids))
    window_sql = " UNION ALL ".join(["SELECT %s AS n, %s AS since, %s AS until"] * len(windows))
    bounds = [month_bounds(month.year, month.month) for month in windows]
    window_params = [param for n, (start, end) in enumerate(bounds) for param in (n, start, end)]
    since, before = bounds[0][0], bounds[-1][1]
    # The kinds and statuses of meetings in each month watched (the first meeting of each, unused: a NULL
    # there would be typed apart from the second part's); then, in rows without a kind (every meeting has one),
    # each cell's first meeting in Chibo.
    found = sql.rows(
        f"SELECT m.cell_id, m.kind, w.n, m.status, MIN(m.starts_at) FROM {meetings} m"
        f" JOIN ({window_sql}) w ON m.starts_at >= w.since AND m.starts_at < w.until"
        f" WHERE m.cell_id IN ({cells}) AND m.kind IN (%s, %s) AND m.starts_at >= %s AND m.starts_at < %s"
        " GROUP BY m.cell_id, m.kind, w.n, m.status"
        f" UNION ALL SELECT m.cell_id, NULL, NULL, NULL, MIN(m.starts_at) FROM {meetings} m"
        f" WHERE m.cell_id IN ({cells}) GROUP BY m.cell_id",
        [*window_params, *cell_ids, Meeting.Kind.REGULAR, Meeting.Kind.THEMATIC, since, before, *cell_ids],
        Meeting.objects.db,
    )
    starts_at = sql.as_read(Meeting._meta.get_field("starts_at"), Meeting.objects.db)
    regular, thematic, first = defaultdict(set), defaultdict(set), {}
    for cell_id, kind, n, status, first_meeting in found:
        if kind is None:
            first[cell_id] = month_of(timezone.localtime(starts_at(first_meeting)))
            continue
        month = windows[n]
        when = "past" if month < this_month else "future"
        if status not in COVERING[when]:
            continue
        (regular if kind == Meeting.Kind.REGULAR else thematic)[cell_id].add(month)
    quarters = sorted({(m.year, (m.month - 1) // 3 + 1) for m in months})
    result = {}
    for cell_id in cell_ids:
        # Before a cell's first meeting in Chibo there is nothing to judge by.
        start = first.get(cell_id, this_month)
        warnings = []
        for month in months:
            if month < start or month in regular[cell_id]:
                continue
            if month < this_month:
                warnings.append(_("No regular meeting was held in %(month)02d/%(year)s.")
                                % {"month": month.month, "year": month.year})  # fmt: skip
            else:
                warnings.append(_("No regular meeting is planned for this month."))
        for year, quarter in quarters:
            end = quarter_end(year, quarter)
            ended, ending = end < today, 0 <= (end - today).days <= QUARTER_ENDING_DAYS
            in_quarter = {date(year, 3 * quarter - 2 + i, 1) for i in range(3)}
            if end < start or not (ended or ending) or in_quarter & thematic[cell_id]:
                continue
            if ended:
                warnings.append(_("Quarter %(quarter)s of %(year)s passed without a thematic meeting.")
                                % {"quarter": quarter, "year": year})  # fmt: skip
            else:
                warnings.append(_("Quarter %(quarter)s is ending and no thematic meeting is planned.")
                                % {"quarter": quarter})  # fmt: skip
        result[cell_id] = warnings
    return result


def quarter_end(year, quarter):
    month = 3 * quarter
    return date(year, month, calendar.monthrange(year, month)[1])


def cell_warnings(cell, today):
    return warnings_for_cells([cell.pk], today)[cell.pk]


def month_windows(year):
    """The months of `year` as SQL rows (month, since, until) to join meetings to, with their parameters: the
    months are Vietnam's, and no time zone arithmetic is asked of the database (portable, as above)."""
    bounds = [month_bounds(year, month) for month in range(1, 13)]
    params = [param for month, (since, until) in enumerate(bounds, 1) for param in (month, since, until)]
    return " UNION ALL ".join(["SELECT %s AS month, %s AS since, %s AS until"] * len(bounds)), params


def counted_absence(attendance="a", meeting="m"):
    """The absences the removal rule counts (domain §3): unexcused, at a meeting of the whole cell, by a member
    expected there (exempt members, those away on temporary activity or on special duty are not). An SQL
    condition over an attendance row and its meeting (their aliases), with its parameters."""
    not_expected = ", ".join(["%s"] * len(NOT_EXPECTED))
    return (
        f"{attendance}.status = %s AND {meeting}.kind <> %s AND {attendance}.category NOT IN ({not_expected})",
        [Attendance.Status.UNEXCUSED, Meeting.Kind.COMMITTEE, *NOT_EXPECTED],
    )


def flagged(months):
    """{member id: [months]} of the members with counted absences in ≥ REMOVAL_MONTHS months of a year, from
    {member id: the months of the year with one}."""
    return {pk: sorted(ms) for pk, ms in months.items() if len(ms) >= settings.REMOVAL_MONTHS}


def removal_flags(member_ids, year):
    """{member id: [months]} of the members (their ids) with a counted absence in ≥ REMOVAL_MONTHS months of
    `year`."""
    member_ids = list(member_ids)
    if not member_ids:
        return {}
    return _removal_flags(", ".join(["%s"] * len(member_ids)), member_ids, year)


def cell_removal_flags(cell_id, year):
    """`removal_flags` of the members of the cell (any status)."""
    return _removal_flags(f"SELECT id FROM {Member._meta.db_table} WHERE cell_id = %s", [cell_id], year)


def _removal_flags(members_sql, members_params, year):
    # Written out as SQL: Django took longer to build and compile the query than the database to run it
    # (issue 17). The index on (member, status) finds the members' unexcused absences, of every year; their
    # meetings say which are counted, and in which month of the year.
    windows, window_params = month_windows(year)
    counted, counted_params = counted_absence()
    found = sql.rows(
        f"SELECT DISTINCT a.member_id, w.month FROM {Attendance._meta.db_table} a"
        f" JOIN {Meeting._meta.db_table} m ON m.id = a.meeting_id"
        f" JOIN ({windows}) w ON m.starts_at >= w.since AND m.starts_at < w.until"
        f" WHERE a.member_id IN ({members_sql}) AND {counted} AND m.starts_at >= %s AND m.starts_at < %s",
        [*window_params, *members_params, *counted_params, window_params[1], window_params[-1]],
        Attendance.objects.db,
    )
    months = defaultdict(set)
    for member_id, month in found:
        months[member_id].add(month)
    return flagged(months)


# What the members' pages show of the warnings (receivers of members/signals.py, connected in apps.py).


def unit_page(sender, cells, today, **kwargs):
    warnings = warnings_for_cells(cells, today)
    return {"cell_warnings": [(cells[pk], items) for pk, items in warnings.items() if items]}


def member_list_page(sender, cell, year, **kwargs):
    return {"removal_months": cell_removal_flags(cell.pk, year)}


def member_page(sender, member, year, **kwargs):
    return {"removal_months": removal_flags([member.pk], year).get(member.pk)}
