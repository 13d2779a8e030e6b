"""What a cell, and the committees above it, should be told: months without a regular meeting, quarters
without a thematic meeting (domain §2) in the last twelve months, members with unexcused absences in 3 months
of a year (§3)."""

import calendar
from collections import defaultdict
from datetime import date, datetime

from django.conf import settings
from django.db.models import CharField, DateField, Min, Q, Value
from django.db.models.functions import ExtractMonth, ExtractYear, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.months import add_months
from members.models import Member

from .models import NOT_EXPECTED, Attendance, Meeting

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
    """{cell id: [warning, …]} for the last twelve months, in one query whatever the number of cells."""
    cell_ids = list(cell_ids)
    months = months_watched(today)
    this_month = months[-1]
    # Up to the end of the current quarter: a thematic meeting planned later in the quarter covers it.
    until = add_months(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), 3)
    month = TruncMonth("starts_at", output_field=DateField())
    covering = (
        Meeting.objects.filter(
            cell_id__in=cell_ids,
            # From the first month of the earliest quarter watched: its thematic meeting may predate the window.
            starts_at__gte=_aware(months[0].replace(month=3 * ((months[0].month - 1) // 3) + 1)),
            starts_at__lt=_aware(until),
            kind__in=[Meeting.Kind.REGULAR, Meeting.Kind.THEMATIC],
        )
        .annotate(month=month)
        .values_list("cell_id", "kind", "month", "status")
        .order_by()  # the meetings' own order would add its columns to the distinct rows, one per meeting
        .distinct()
    )
    # Each cell's first month in Chibo, in the same round trip: a row without a kind (every meeting has one).
    firsts = (
        Meeting.objects.filter(cell_id__in=cell_ids)
        .values("cell_id")
        .annotate(
            no_kind=Value(None, output_field=CharField()),
            first_month=TruncMonth(Min("starts_at"), output_field=DateField()),
            no_status=Value(None, output_field=CharField()),
        )
        .values_list("cell_id", "no_kind", "first_month", "no_status")
        .order_by()
    )
    regular, thematic, first = defaultdict(set), defaultdict(set), {}
    for cell_id, kind, month, status in covering.union(firsts, all=True):
        if kind is None:
            first[cell_id] = month
            continue
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


def _aware(day):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def quarter_end(year, quarter):
    month = 3 * quarter
    return date(year, month, calendar.monthrange(year, month)[1])


def cell_warnings(cell, today):
    return warnings_for_cells([cell.pk], today)[cell.pk]


def counted_absences():
    """The absences the removal rule counts (domain §3): unexcused, at a meeting of the whole cell, by a member
    expected there (exempt members, those away on temporary activity or on special duty are not)."""
    return (
        Q(status=Attendance.Status.UNEXCUSED) & ~Q(meeting__kind=Meeting.Kind.COMMITTEE) & ~Q(category__in=NOT_EXPECTED)
    )


def flagged(months):
    """{member id: [months]} of the members with counted absences in ≥ REMOVAL_MONTHS months of a year, from
    {member id: the months of the year with one}."""
    return {pk: sorted(ms) for pk, ms in months.items() if len(ms) >= settings.REMOVAL_MONTHS}


def removal_flags(members, year):
    """{member id: [months]} of members with an unexcused absence in ≥ REMOVAL_MONTHS months of `year`."""
    months = defaultdict(set)
    rows = (
        Attendance.objects.filter(counted_absences(), member__in=members)
        .annotate(year=ExtractYear("meeting__starts_at"), month=ExtractMonth("meeting__starts_at"))
        .filter(year=year)
        .values_list("member_id", "month")
        .distinct()
    )
    for member_id, month in rows:
        months[member_id].add(month)
    return flagged(months)


# What the members' pages show of the warnings (receivers of members/signals.py, connected in apps.py).


def unit_page(sender, cells, today, **kwargs):
    warnings = warnings_for_cells(cells, today)
    return {"cell_warnings": [(cells[pk], items) for pk, items in warnings.items() if items]}


def member_list_page(sender, cell, year, **kwargs):
    return {"removal_months": removal_flags(Member.objects.filter(cell=cell), year)}


def member_page(sender, member, year, **kwargs):
    return {"removal_months": removal_flags([member.pk], year).get(member.pk)}
