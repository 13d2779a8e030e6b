"""Counting the dashboards' figures from the source: a cell's months, a member's year, a cell's roll and year,
by the domain's rules (§3, §7). The summary tables hold what these count (summaries.py keeps them equal).
May import: members, meetings, minutes, resolutions, dues."""

from collections import defaultdict
from datetime import date, datetime

from django.conf import settings
from django.db.models import Case, Count, DateField, F, Max, Min, Q, Sum, When
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils import timezone

from chibo.months import add_months
from meetings.models import NOT_EXPECTED, Attendance, Meeting, MeetingChange
from members import structure
from members.models import Member, OrgUnit
from minutes.models import Contribution, Minutes

from .models import CellMonth, CellYearToDate, MemberYear, MonthSums

# The attendance rate's base but for visiting members, a setting (domain §3; `meetings.models.counted_categories`).
CORE = [Attendance.Category.OFFICIAL, Attendance.Category.PROBATIONARY, Attendance.Category.PROSECUTED]
PRESENT = [Attendance.Status.PRESENT, Attendance.Status.LATE]
COUNTED_KINDS = [Meeting.Kind.REGULAR, Meeting.Kind.THEMATIC]
GRADE_FIELDS = {"good": "grade_good", "fair": "grade_fair", "average": "grade_average", "poor": "grade_poor"}
CELL_MONTH_FIELDS = [
    f.name for f in CellMonth._meta.get_fields() if f.concrete and f.name not in ("id", "cell", "month")
]
# The fields that add up across cells and months, and those of a cell's year to date (`CellYearToDate`).
SUMMED = [f.name for f in MonthSums._meta.get_fields()]
TO_DATE_FIELDS = [
    f.name for f in CellYearToDate._meta.get_fields() if f.concrete and f.name not in ("id", "cell", "month")
]
UNIT_MONTH_FIELDS = [*SUMMED, "regular_months"]
MEMBER_YEAR_ZERO = {
    "attended": 0, "convened": 0, "spoke": 0, "unexcused": 0, "unexcused_months": 0, "dues_unpaid_months": 0,
}  # fmt: skip
MEMBER_YEAR_FIELDS = ["cell_id", *MEMBER_YEAR_ZERO]
DUES_FIELDS = [f for f in CELL_MONTH_FIELDS if f.startswith("dues_")]
STATUS_FIELDS = ["first_month", "on_roll", "official", "own_members", "committee", "dues_in_arrears", "dues_arrears"]
CELL_YEAR_FIELDS = ["members", "flagged", "rarely"]


def month_of(value):
    """The first day of the month of a date or an aware datetime (Vietnam's calendar)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return value.replace(day=1)


def quarter_start(month):
    return date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)


def aware(day):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def count_cell_months(cell_ids=None, start=None, end=None):
    """{(cell id, month): {field: value}} for months in [start, end) (whole quarters), from the source.

    `cell_ids` None means every cell. Only months with something to count appear.
    """
    if start is not None:
        start, end = quarter_start(start), add_months(quarter_start(add_months(end, -1)), 3)
    rows = defaultdict(lambda: dict.fromkeys(CELL_MONTH_FIELDS, 0) | {"regular_due_on": None})

    def within(queryset, cell_field, time_field, is_date=False):
        if cell_ids is not None:
            queryset = queryset.filter(**{f"{cell_field}__in": cell_ids})
        if start is not None:
            bounds = (start, end) if is_date else (aware(start), aware(end))
            queryset = queryset.filter(**{f"{time_field}__gte": bounds[0], f"{time_field}__lt": bounds[1]})
        return queryset

    month = TruncMonth("starts_at", output_field=DateField())
    meetings = within(Meeting.objects.filter(kind__in=COUNTED_KINDS), "cell_id", "starts_at")
    meetings = meetings.exclude(status=Meeting.Status.CANCELLED).annotate(month=month)
    for cell_id, m, kind, status, n, first in meetings.values_list("cell_id", "month", "kind", "status").annotate(
        n=Count("pk"), first=Min("starts_at")
    ):
        row = rows[cell_id, m]
        if status == Meeting.Status.HELD:
            if kind == Meeting.Kind.REGULAR:
                row["regular_held"] += n
                row["regular_on_day"] += n  # less those moved to another day, below
            else:
                row["thematic_held"] += n
            row["minutes_due"] += n
        elif kind == Meeting.Kind.REGULAR and status in (Meeting.Status.PLANNED, Meeting.Status.CONFIRMED):
            day = timezone.localtime(first).date()
            row["regular_due_on"] = min(row["regular_due_on"] or day, day)

    # "On the planned day": the day it had when first moved (a move keeps the day it came from) is the day it
    # was held. A new time on the same day is no move away from the plan.
    planned = {}
    moves = within(
        MeetingChange.objects.filter(
            action="moved", meeting__kind=Meeting.Kind.REGULAR, meeting__status=Meeting.Status.HELD
        ),
        "meeting__cell_id",
        "meeting__starts_at",
    )
    for meeting_id, cell_id, starts_at, detail in moves.order_by("at", "pk").values_list(
        "meeting_id", "meeting__cell_id", "meeting__starts_at", "detail"
    ):
        if meeting_id not in planned:
            planned[meeting_id] = (cell_id, starts_at, (detail or {}).get("previous"))
    for cell_id, starts_at, previous in planned.values():
        try:
            day = timezone.localtime(datetime.fromisoformat(previous)).date()
        except (TypeError, ValueError):
            day = None  # an old record without the previous time: counted as moved
        if day != timezone.localtime(starts_at).date():
            rows[cell_id, month_of(starts_at)]["regular_on_day"] -= 1

    attendance = within(
        Attendance.objects.filter(meeting__status=Meeting.Status.HELD).exclude(meeting__kind=Meeting.Kind.COMMITTEE),
        "meeting__cell_id",
        "meeting__starts_at",
    )
    visiting = Attendance.Category.VISITING
    for row in (
        attendance.annotate(month=TruncMonth("meeting__starts_at", output_field=DateField()))
        .values("meeting__cell_id", "month")
        .annotate(
            base_core=Count("pk", filter=Q(category__in=CORE)),
            present_core=Count("pk", filter=Q(category__in=CORE, status__in=PRESENT)),
            base_visiting=Count("pk", filter=Q(category=visiting)),
            present_visiting=Count("pk", filter=Q(category=visiting, status__in=PRESENT)),
            # Exempt members and those away on temporary activity are not expected: their absence is no absence.
            excused=Count("pk", filter=Q(status=Attendance.Status.EXCUSED) & ~Q(category__in=NOT_EXPECTED)),
            unexcused=Count("pk", filter=Q(status=Attendance.Status.UNEXCUSED) & ~Q(category__in=NOT_EXPECTED)),
        )
    ):
        target = rows[row.pop("meeting__cell_id"), row.pop("month")]
        target.update(row)

    minutes = within(
        Minutes.objects.filter(
            meeting__status=Meeting.Status.HELD,
            meeting__kind__in=COUNTED_KINDS,
            status__in=[Minutes.Status.APPROVED, Minutes.Status.LOCKED],
        ),
        "meeting__cell_id",
        "meeting__starts_at",
    )
    for cell_id, starts_at, approved_at, grade in minutes.values_list(
        "meeting__cell_id", "meeting__starts_at", "approved_at", "quality_grade"
    ):
        row = rows[cell_id, month_of(starts_at)]
        row["minutes_approved"] += 1
        if approved_at:
            delay = (timezone.localtime(approved_at).date() - timezone.localtime(starts_at).date()).days
            row["minutes_delay_days"] += max(delay, 0)
        if grade in GRADE_FIELDS:
            row[GRADE_FIELDS[grade]] += 1

    from resolutions.models import Resolution, Task

    issued = within(Resolution.objects.exclude(status=Resolution.Status.DRAFT), "cell_id", "issued_on", True)
    for cell_id, issued_on in issued.exclude(issued_on=None).values_list("cell_id", "issued_on"):
        rows[cell_id, month_of(issued_on)]["resolutions_issued"] += 1
    tasks = within(
        Task.objects.exclude(resolution__status=Resolution.Status.DRAFT), "resolution__cell_id", "deadline", True
    )
    for cell_id, deadline, status, completed_on in tasks.values_list(
        "resolution__cell_id", "deadline", "status", "completed_on"
    ):
        row = rows[cell_id, month_of(deadline)]
        if status == Task.Status.DONE:
            row["tasks_late" if completed_on and completed_on > deadline else "tasks_on_time"] += 1
        elif status == Task.Status.NOT_DONE:
            row["tasks_not_done"] += 1
        else:
            row["tasks_open"] += 1

    count_dues_months(rows, within)

    quarters = defaultdict(int)
    for (cell_id, m), row in rows.items():
        quarters[cell_id, quarter_start(m)] += row["thematic_held"]
    for (cell_id, q), n in list(quarters.items()):
        if n:  # every month of a quarter with a thematic meeting says so, even a month with nothing else
            for i in range(3):
                rows[cell_id, add_months(q, i)]["quarter_thematic"] = n
    return {key: value for key, value in rows.items() if any(value.values())}


def to_date_from(cell_months):
    """{(cell id, month): {field: value}} of `CellYearToDate` from {(cell id, month): {field: value}} of
    `CellMonth`: for every month of each year a cell has a row in, its months from January to that one."""
    by_year = defaultdict(dict)
    for (cell_id, month), row in cell_months.items():
        by_year[cell_id, month.year][month.month] = row
    rows = {}
    for (cell_id, year), months in by_year.items():
        running = dict.fromkeys(TO_DATE_FIELDS, 0)
        for number in range(1, 13):
            row = months.get(number)
            if row:
                for field in SUMMED:
                    running[field] += row[field]
                held = row["regular_held"] > 0
                running["regular_months"] += held
                running["quarters_covered"] += number % 3 == 0 and row["quarter_thematic"] > 0
                running["late_months"] += row["regular_due_on"] is not None and not held
                running["dues_unreported"] += row["dues_opened"] > 0 and row["dues_reported"] == 0
            rows[cell_id, date(year, number, 1)] = dict(running)
    return rows


def unit_months_from(cell_months, parents, rows=None):
    """{(unit id, month): {field: value}} of `UnitMonth` from {(cell id, month): {field: value}} of `CellMonth`
    and {cell id: the unit directly above it}: each unit's cells summed month by month. With `rows`, the sums
    are added to those (a rebuild adds its chunks of cells up)."""
    rows = defaultdict(lambda: dict.fromkeys(UNIT_MONTH_FIELDS, 0), rows or {})
    for (cell_id, month), row in cell_months.items():
        unit_id = parents.get(cell_id)
        if unit_id is None:
            continue
        target = rows[unit_id, month]
        for field in SUMMED:
            target[field] += row[field]
        target["regular_months"] += row["regular_held"] > 0
    return dict(rows)


def _owed():
    """What a line of the dues book still owes (never below nothing: a line paid beyond its due owes 0)."""
    return Case(When(due__gt=F("paid"), then=F("due") - F("paid")), default=0)


def count_dues_months(rows, within):
    """The dues book's lines of each cell's month (by the book they are in), and whether its report was sent."""
    from dues.models import DuesEntry, DuesReport

    lines = within(DuesEntry.objects.all(), "cell_id", "month", True)
    for row in lines.values("cell_id", "month").annotate(
        dues_members=Count("pk", filter=Q(due__gt=0)),
        dues_due=Sum("due"),
        dues_paid=Sum("paid"),
        dues_owed=Sum(_owed()),
        dues_unpaid=Count("pk", filter=Q(paid__lt=F("due"))),
    ):
        target = rows[row.pop("cell_id"), row.pop("month")]
        target.update({key: value or 0 for key, value in row.items()}, dues_opened=1)
    reports = within(DuesReport.objects.exclude(status=DuesReport.Status.DRAFT), "cell_id", "month", True)
    for cell_id, month in reports.values_list("cell_id", "month"):
        rows[cell_id, month]["dues_reported"] = 1


def count_dues_status(rows, cell_ids, today):
    """Per cell today: members owing dues for a month before this one in the cell's book, and how much."""
    from dues.models import DuesEntry

    lines = DuesEntry.objects.filter(month__lt=month_of(today), paid__lt=F("due"))
    if cell_ids is not None:
        lines = lines.filter(cell_id__in=rows)
    for cell_id, members, owed in lines.values_list("cell_id").annotate(
        members=Count("member_id", distinct=True), owed=Sum(_owed())
    ):
        if cell_id in rows:
            rows[cell_id]["dues_in_arrears"], rows[cell_id]["dues_arrears"] = members, owed or 0


def count_member_years(member_ids=None, years=None, today=None):
    """{(member id, year): {field: value}} from attendance and contributions at the cells' meetings, and the
    months of unpaid party dues in the cells' dues books."""
    attendance = Attendance.objects.filter(meeting__status=Meeting.Status.HELD).exclude(
        meeting__kind=Meeting.Kind.COMMITTEE
    )
    spoken = Contribution.objects.filter(minutes__meeting__status=Meeting.Status.HELD).exclude(
        minutes__meeting__kind=Meeting.Kind.COMMITTEE
    )
    if member_ids is not None:
        attendance = attendance.filter(member_id__in=member_ids)
        spoken = spoken.filter(member_id__in=member_ids)
    if years is not None:
        attendance = attendance.filter(meeting__starts_at__year__in=sorted(years))
        spoken = spoken.filter(minutes__meeting__starts_at__year__in=sorted(years))
    year = ExtractYear("meeting__starts_at")
    not_counted = NOT_EXPECTED
    rows = {}
    latest = {}
    for member_id, y, cell_id, attended, convened, unexcused, last in (
        attendance.annotate(year=year)
        .values_list("member_id", "year", "meeting__cell_id")
        .annotate(
            attended=Count("pk", filter=Q(status__in=PRESENT)),
            convened=Count("pk", filter=~Q(category__in=not_counted)),
            unexcused=Count("pk", filter=Q(status=Attendance.Status.UNEXCUSED) & ~Q(category__in=not_counted)),
            last=Max("meeting__starts_at"),
        )
    ):
        row = rows.setdefault((member_id, y), {"cell_id": cell_id, **MEMBER_YEAR_ZERO})
        row["attended"] += attended
        row["convened"] += convened
        row["unexcused"] += unexcused
        if last < latest.get((member_id, y), last):
            continue  # the year belongs to the cell of the latest meeting
        latest[member_id, y], row["cell_id"] = last, cell_id
    months = defaultdict(set)
    unexcused = attendance.filter(status=Attendance.Status.UNEXCUSED).exclude(category__in=not_counted)
    for member_id, starts_at in unexcused.values_list("member_id", "meeting__starts_at"):
        local = timezone.localtime(starts_at)
        months[member_id, local.year].add(local.month)
    for key, ms in months.items():
        if key in rows:
            rows[key]["unexcused_months"] = len(ms)
    for member_id, y, n in (
        spoken.annotate(year=ExtractYear("minutes__meeting__starts_at"))
        .values_list("member_id", "year")
        .annotate(n=Count("minutes", distinct=True))
    ):
        if (member_id, y) in rows:
            rows[member_id, y]["spoke"] = n
    # Unpaid dues count toward removal like unexcused absences; a member whose year has no meeting yet (or
    # who missed them all unmarked) still has a year if their dues are unpaid.
    from dues.services import unpaid_month_counts

    dues_years = years if years is not None else {y for _member, y in rows} | {timezone.localdate().year}
    for key, (cell_id, count) in unpaid_month_counts(member_ids, dues_years, today or timezone.localdate()).items():
        rows.setdefault(key, {"cell_id": cell_id, **MEMBER_YEAR_ZERO})["dues_unpaid_months"] = count
    return rows


def count_cell_status(cell_ids=None, today=None):
    """{cell id: {field: value}}: the roll, official members, committee members, first month in Chibo."""
    today = today or timezone.localdate()
    cells = OrgUnit.objects.cells()
    if cell_ids is not None:
        cells = cells.filter(pk__in=cell_ids)
    rows = {
        pk: {
            "first_month": None,
            "on_roll": 0,
            "official": 0,
            "own_members": 0,
            "committee": 0,
            "dues_in_arrears": 0,
            "dues_arrears": 0,
        }
        for pk in cells.values_list("pk", flat=True)
    }
    members = Member.objects.on_roll().filter(cell_id__in=rows) if cell_ids is not None else Member.objects.on_roll()
    # The cell's structure is counted as its own pages count it (domain §8).
    for row in members.values("cell_id").annotate(on_roll=Count("pk"), **structure.counts(today)):
        if row["cell_id"] in rows:
            rows[row.pop("cell_id")].update(row)
    meetings = Meeting.objects.filter(cell_id__in=rows) if cell_ids is not None else Meeting.objects.all()
    for cell_id, first in meetings.values_list("cell_id").annotate(first=Min("starts_at")):
        if cell_id in rows:
            rows[cell_id]["first_month"] = month_of(first)
    count_dues_status(rows, cell_ids, today)
    return rows


def flagged_q():
    """A member's year with an unexcused absence, or unpaid dues, in REMOVAL_MONTHS months or more (domain §3)."""
    return Q(unexcused_months__gte=settings.REMOVAL_MONTHS) | Q(dues_unpaid_months__gte=settings.REMOVAL_MONTHS)


def rarely_q():
    """Attended enough meetings, and spoke at fewer than RARELY_SPEAKS_PERCENT of them."""
    return Q(attended__gte=settings.RARELY_SPEAKS_MIN_ATTENDED) & Q(
        spoke__lt=F("attended") * settings.RARELY_SPEAKS_PERCENT / 100.0
    )


def is_flagged(row):
    return max(row["unexcused_months"], row["dues_unpaid_months"]) >= settings.REMOVAL_MONTHS


def is_rarely_speaking(row):
    return (
        row["attended"] >= settings.RARELY_SPEAKS_MIN_ATTENDED
        and row["spoke"] < row["attended"] * settings.RARELY_SPEAKS_PERCENT / 100.0
    )


def cell_years_from(member_years):
    """{(cell id, year): {members, flagged, rarely}} from {(member id, year): figures} (for `check`)."""
    rows = defaultdict(lambda: dict.fromkeys(CELL_YEAR_FIELDS, 0))
    for (_member_id, year), row in member_years.items():
        target = rows[row["cell_id"], year]
        target["members"] += 1
        target["flagged"] += is_flagged(row)
        target["rarely"] += is_rarely_speaking(row)
    return dict(rows)


def count_cell_years(member_years=None, cell_ids=None, years=None):
    """{(cell id, year): {members, flagged, rarely}} summed from the stored `MemberYear` rows."""
    queryset = member_years if member_years is not None else MemberYear.objects.all()
    if cell_ids is not None:
        queryset = queryset.filter(cell_id__in=cell_ids)
    if years is not None:
        queryset = queryset.filter(year__in=years)
    return {
        (row.pop("cell_id"), row.pop("year")): row
        for row in queryset.values("cell_id", "year").annotate(
            members=Count("pk"), flagged=Count("pk", filter=flagged_q()), rarely=Count("pk", filter=rarely_q())
        )
    }
