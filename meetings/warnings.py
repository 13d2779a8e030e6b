"""What a cell, and the committees above it, should be told: months without a regular meeting, quarters
without a thematic meeting (domain §2), members with unexcused absences in 3 months of a year (§3)."""

import calendar
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db.models import Min
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member

from .models import NOT_EXPECTED, Attendance, Meeting

COVERING = {
    "past": {Meeting.Status.HELD, Meeting.Status.CONFIRMED},
    "future": {Meeting.Status.HELD, Meeting.Status.CONFIRMED, Meeting.Status.PLANNED},
}
QUARTER_ENDING_DAYS = 30  # warn about the current quarter from this many days before its end


def warnings_for_cells(cell_ids, today):
    """{cell id: [warning, …]} for the current year, in two queries whatever the number of cells."""
    cell_ids = list(cell_ids)
    rows = (
        Meeting.objects.filter(
            cell_id__in=cell_ids, starts_at__year=today.year, kind__in=[Meeting.Kind.REGULAR, Meeting.Kind.THEMATIC]
        )
        .annotate(month=ExtractMonth("starts_at"))
        .values_list("cell_id", "kind", "month", "status")
        .distinct()
    )
    regular, thematic = defaultdict(set), defaultdict(set)
    for cell_id, kind, month, status in rows:
        when = "past" if month < today.month else "future"
        if status not in COVERING[when]:
            continue
        (regular if kind == Meeting.Kind.REGULAR else thematic)[cell_id].add(month)
    first = dict(
        Meeting.objects.filter(cell_id__in=cell_ids)
        .values("cell_id")
        .annotate(first=Min("starts_at"))
        .values_list("cell_id", "first")
    )
    result = {}
    for cell_id in cell_ids:
        # Before a cell's first meeting in Chibo there is nothing to judge by.
        start = first.get(cell_id)
        start = timezone.localtime(start) if start else None
        start_month = 1 if start and start.year < today.year else (start.month if start else today.month)
        warnings = []
        for month in range(start_month, today.month + 1):
            if month not in regular[cell_id]:
                if month < today.month:
                    warnings.append(_("No regular meeting was held in %(month)02d/%(year)s.")
                                    % {"month": month, "year": today.year})  # fmt: skip
                else:
                    warnings.append(_("No regular meeting is planned for this month."))
        for quarter in range(1, 5):
            end = quarter_end(today.year, quarter)
            ended, ending = end < today, 0 <= (end - today).days <= QUARTER_ENDING_DAYS
            months = {3 * quarter - 2, 3 * quarter - 1, 3 * quarter}
            if 3 * quarter < start_month or not (ended or ending) or months & thematic[cell_id]:
                continue
            if ended:
                warnings.append(_("Quarter %(quarter)s of %(year)s passed without a thematic meeting.")
                                % {"quarter": quarter, "year": today.year})  # fmt: skip
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


def removal_flags(members, year):
    """{member id: [months]} of members with an unexcused absence in ≥ REMOVAL_MONTHS months of `year`."""
    months = defaultdict(set)
    rows = (
        Attendance.objects.filter(member__in=members, status=Attendance.Status.UNEXCUSED)
        .exclude(meeting__kind=Meeting.Kind.COMMITTEE)
        # Exempt members, those away on temporary activity or on special duty are not expected: no absence.
        .exclude(category__in=NOT_EXPECTED)
        .annotate(year=ExtractYear("meeting__starts_at"), month=ExtractMonth("meeting__starts_at"))
        .filter(year=year)
        .values_list("member_id", "month")
        .distinct()
    )
    for member_id, month in rows:
        months[member_id].add(month)
    return {pk: sorted(ms) for pk, ms in months.items() if len(ms) >= settings.REMOVAL_MONTHS}


# What the members' pages show of the warnings (receivers of members/signals.py, connected in apps.py).


def unit_page(sender, cells, today, **kwargs):
    warnings = warnings_for_cells(cells, today)
    return {"cell_warnings": [(cells[pk], items) for pk, items in warnings.items() if items]}


def member_list_page(sender, cell, year, **kwargs):
    return {"removal_months": removal_flags(Member.objects.filter(cell=cell), year)}


def member_page(sender, member, year, **kwargs):
    return {"removal_months": removal_flags([member.pk], year).get(member.pk)}
