"""The summary tables behind the dashboards, and how they stay equal to the source.

`CellMonth` (a cell's month), `MemberYear` (a member's year) and `CellStatus` (a cell's roll today) are
counted from meetings, attendance, minutes, contributions, resolutions, tasks and members by the `count_*`
functions below. The same functions rebuild the tables (`manage.py summaries --rebuild`), check them
(`--check`), and refresh the rows a change touches:

- signals note what changed (ids only, no query) in a batch;
- in a request, `SummaryMiddleware` refreshes the batch once the view's transaction has committed;
  elsewhere (workers, commands, the shell) the refresh runs when the transaction commits;
- a refresh locks the cells concerned, counts again from the source and rewrites their rows, so two
  refreshes of the same cell never interleave and the later one always sees both changes.

Bulk loaders (`seed_demo`, `seed_scale`) switch the signals off with `paused()` and rebuild at the end.
"""

import functools
import logging
import threading
import uuid
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, DateField, F, Max, Min, Q
from django.db.models.functions import ExtractYear, TruncMonth
from django.db.models.signals import post_delete, post_init, post_save, pre_delete
from django.utils import timezone

from chibo import bulk
from meetings.models import Attendance, Meeting, MeetingChange
from members.access import COMMITTEE_POSITIONS
from members.models import Member, OrgUnit
from members.signals import members_imported
from minutes.models import Contribution, Minutes

from .models import CellMonth, CellStatus, CellYear, MemberYear

CORE = [Attendance.Category.OFFICIAL, Attendance.Category.PROBATIONARY]
PRESENT = [Attendance.Status.PRESENT, Attendance.Status.LATE]
NOT_EXPECTED = [Attendance.Category.EXEMPT, Attendance.Category.AWAY]
COUNTED_KINDS = [Meeting.Kind.REGULAR, Meeting.Kind.THEMATIC]
GRADE_FIELDS = {"good": "grade_good", "fair": "grade_fair", "average": "grade_average", "poor": "grade_poor"}
CELL_MONTH_FIELDS = [
    f.name for f in CellMonth._meta.get_fields() if f.concrete and f.name not in ("id", "cell", "month")
]
MEMBER_YEAR_FIELDS = ["cell_id", "attended", "convened", "spoke", "unexcused", "unexcused_months"]
STATUS_FIELDS = ["first_month", "on_roll", "official", "committee"]
CELL_YEAR_FIELDS = ["members", "flagged", "rarely"]


# --- dates ---------------------------------------------------------------------------------------------


def month_of(value):
    """The first day of the month of a date or an aware datetime (Vietnam's calendar)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return value.replace(day=1)


def add_months(month, n):
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def quarter_start(month):
    return date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)


def aware(day):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


# --- counting from the source ----------------------------------------------------------------------------


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

    quarters = defaultdict(int)
    for (cell_id, m), row in rows.items():
        quarters[cell_id, quarter_start(m)] += row["thematic_held"]
    for (cell_id, q), n in list(quarters.items()):
        if n:  # every month of a quarter with a thematic meeting says so, even a month with nothing else
            for i in range(3):
                rows[cell_id, add_months(q, i)]["quarter_thematic"] = n
    return {key: value for key, value in rows.items() if any(value.values())}


def count_member_years(member_ids=None, years=None):
    """{(member id, year): {field: value}} from attendance and contributions at the cells' meetings."""
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
    not_counted = [Attendance.Category.EXEMPT, Attendance.Category.AWAY]
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
        row = rows.setdefault(
            (member_id, y),
            {"cell_id": cell_id, "attended": 0, "convened": 0, "spoke": 0, "unexcused": 0, "unexcused_months": 0},
        )
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
    return rows


def count_cell_status(cell_ids=None, today=None):
    """{cell id: {field: value}}: the roll, official members, committee members, first month in Chibo."""
    today = today or timezone.localdate()
    cells = OrgUnit.objects.cells()
    if cell_ids is not None:
        cells = cells.filter(pk__in=cell_ids)
    rows = {
        pk: {"first_month": None, "on_roll": 0, "official": 0, "committee": 0}
        for pk in cells.values_list("pk", flat=True)
    }
    members = Member.objects.on_roll().filter(cell_id__in=rows) if cell_ids is not None else Member.objects.on_roll()
    for row in members.values("cell_id").annotate(
        on_roll=Count("pk"),
        # Members here on temporary activity belong to their own cell's count (domain §8).
        official=Count("pk", filter=Q(official_on__lte=today) & ~Q(status=Member.Status.VISITING)),
        committee=Count("pk", filter=Q(status=Member.Status.ACTIVE, position__in=COMMITTEE_POSITIONS)),
    ):
        if row["cell_id"] in rows:
            rows[row.pop("cell_id")].update(row)
    meetings = Meeting.objects.filter(cell_id__in=rows) if cell_ids is not None else Meeting.objects.all()
    for cell_id, first in meetings.values_list("cell_id").annotate(first=Min("starts_at")):
        if cell_id in rows:
            rows[cell_id]["first_month"] = month_of(first)
    return rows


def flagged_q():
    """A member's year with an unexcused absence in REMOVAL_MONTHS months or more (domain §3)."""
    return Q(unexcused_months__gte=settings.REMOVAL_MONTHS)


def rarely_q():
    """Attended enough meetings, and spoke at fewer than RARELY_SPEAKS_PERCENT of them."""
    return Q(attended__gte=settings.RARELY_SPEAKS_MIN_ATTENDED) & Q(
        spoke__lt=F("attended") * settings.RARELY_SPEAKS_PERCENT / 100.0
    )


def is_flagged(row):
    return row["unexcused_months"] >= settings.REMOVAL_MONTHS


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


# --- rebuilding and checking ------------------------------------------------------------------------------


def rebuild(chunk=500):
    """Rewrite every summary row from the source, cell by cell in chunks. Returns the row counts."""
    cells = list(OrgUnit.objects.cells().values_list("pk", flat=True))
    written = {"cell_months": 0, "member_years": 0, "cells": 0, "cell_years": 0}
    with transaction.atomic():
        CellMonth.objects.all().delete()
        MemberYear.objects.all().delete()
        CellStatus.objects.all().delete()
        CellYear.objects.all().delete()
        for i in range(0, len(cells), chunk):
            part = cells[i : i + chunk]
            written["cell_months"] += _write_cell_months(count_cell_months(part))
            written["cells"] += _write_status(count_cell_status(part))
            members = list(Member.objects.filter(cell_id__in=part).values_list("pk", flat=True))
            written["member_years"] += _write_member_years(count_member_years(members))
        # Last: a member's year can be under a cell of another chunk (a transfer during the year).
        written["cell_years"] = _write_cell_years(count_cell_years())
        transaction.on_commit(forget_figures)
    return written


def refresh_status(chunk=2000):
    """Rewrite every cell's `CellStatus` (the roll, official members, committee) as of today."""
    cells = list(OrgUnit.objects.cells().values_list("pk", flat=True))
    for i in range(0, len(cells), chunk):
        part = cells[i : i + chunk]
        with transaction.atomic():
            CellStatus.objects.filter(cell_id__in=part).delete()
            _write_status(count_cell_status(part))
    transaction.on_commit(forget_figures)
    return len(cells)


def check():
    """Differences between the stored rows and a fresh count: [(table, key, field, stored, counted)]."""
    problems = []
    stored = {
        (r.pop("cell_id"), r.pop("month")): r for r in CellMonth.objects.values("cell_id", "month", *CELL_MONTH_FIELDS)
    }
    problems += _compare("cell_months", stored, count_cell_months(), CELL_MONTH_FIELDS)
    stored = {
        (r.pop("member_id"), r.pop("year")): r
        for r in MemberYear.objects.values("member_id", "year", *MEMBER_YEAR_FIELDS)
    }
    member_years = count_member_years()
    problems += _compare("member_years", stored, member_years, MEMBER_YEAR_FIELDS)
    stored = {r.pop("cell_id"): r for r in CellStatus.objects.values("cell_id", *STATUS_FIELDS)}
    problems += _compare("cells", stored, count_cell_status(), STATUS_FIELDS)
    stored = {
        (r.pop("cell_id"), r.pop("year")): r for r in CellYear.objects.values("cell_id", "year", *CELL_YEAR_FIELDS)
    }
    problems += _compare("cell_years", stored, cell_years_from(member_years), CELL_YEAR_FIELDS)
    return problems


def _compare(table, stored, counted, fields):
    problems = []
    empty = dict.fromkeys(fields, 0)
    for key in sorted(set(stored) | set(counted), key=str):
        have, want = stored.get(key, empty), counted.get(key, empty)
        for field in fields:
            if (have.get(field) or 0) != (want.get(field) or 0):
                problems.append((table, key, field, have.get(field), want.get(field)))
    return problems


def _write(model, key_fields, fields, rows, upsert=False):
    """Insert `rows` ({key: values}); with `upsert`, a row another refresh wrote meanwhile is overwritten."""
    options = {"update_conflicts": True, "unique_fields": key_fields, "update_fields": fields} if upsert else {}
    names = [f"{name}_id" if name in ("cell", "member") else name for name in key_fields]
    objects = [
        model(**dict(zip(names, key if isinstance(key, tuple) else (key,), strict=True)), **values)
        for key, values in rows.items()
    ]
    model.objects.bulk_create(objects, batch_size=2000, **options)
    return len(rows)


def _write_cell_months(rows, upsert=False):
    return _write(CellMonth, ["cell", "month"], CELL_MONTH_FIELDS, rows, upsert)


def _write_member_years(rows, upsert=False):
    return _write(MemberYear, ["member", "year"], MEMBER_YEAR_FIELDS, rows, upsert)


def _write_cell_years(rows, upsert=False):
    return _write(CellYear, ["cell", "year"], CELL_YEAR_FIELDS, rows, upsert)


def _write_status(rows, upsert=False):
    return _write(CellStatus, ["cell"], STATUS_FIELDS, rows, upsert)


# --- refreshing what a change touched --------------------------------------------------------------------


class Batch:
    """What changed, as ids; resolved to summary rows and refreshed by `flush`."""

    def __init__(self):
        self.cell_months = set()  # (cell id, month)
        self.member_years = set()  # (member id, year)
        self.cells = set()  # cell ids whose status to count again
        self.meetings = set()  # meeting ids: their cell and month, and their attendees' years
        self.attendees = set()  # (member id, meeting id)
        self.speakers = set()  # (member id, minutes id)
        self.tasks = set()  # (task id, the deadline it had when loaded)
        self.resolutions = set()
        self.members = set()  # member ids whose record changed: the cells their years are counted under

    def __bool__(self):
        return any(vars(self).values())


_local = threading.local()


def _batch():
    batch = getattr(_local, "request_batch", None)
    if batch is not None:
        return batch
    if bulk.is_loading():
        return None
    # Outside a request: changes gather in one pending batch, and every change asks for a flush on commit
    # (`_scheduled`, once the change's keys are in). The first flush takes the whole batch; the others find it
    # empty. (A rolled-back change leaves its keys behind: they are only counted again at the next flush.)
    batch = getattr(_local, "pending", None)
    if batch is None:
        batch = _local.pending = Batch()
    return batch


def _scheduled(handler):
    """The signal handler, then a flush on commit for what it noted (at once when no transaction is open)."""

    @functools.wraps(handler)
    def receiver(*args, **kwargs):
        handler(*args, **kwargs)
        if getattr(_local, "request_batch", None) is None and getattr(_local, "pending", None):
            transaction.on_commit(_flush_pending)

    return receiver


def _flush_pending():
    batch, _local.pending = getattr(_local, "pending", None), None
    if batch:
        flush(batch)


# Bulk loading: no refreshes (rebuild afterwards).
paused = bulk.loading


@contextmanager
def collecting():
    """Collect a request's changes and refresh them at the end (see SummaryMiddleware)."""
    previous = getattr(_local, "request_batch", None)
    _local.request_batch = batch = Batch()
    try:
        yield batch
    finally:
        _local.request_batch = previous
    try:
        flush(batch)
    except Exception:  # the user's change is saved: a refresh that failed must not turn it into an error
        logging.getLogger(__name__).exception("refreshing the dashboards' summary rows failed; run `summaries`")


class SummaryMiddleware:
    """Refresh the summary rows a request changed, once its transaction has committed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with collecting():
            return self.get_response(request)


def flush(batch):
    if not batch or bulk.is_loading():
        return
    with transaction.atomic():
        _resolve(batch)
        # One lock per cell, in a fixed order: refreshes of the same cell run one after the other. A member's
        # year can span two cells (a transfer, a stay elsewhere): its rows are upserted, never a conflict.
        cells = sorted({c for c, _m in batch.cell_months} | batch.cells)
        locked = OrgUnit.objects.select_for_update().filter(pk__in=cells).order_by("pk")
        existing = set(locked.values_list("pk", flat=True))
        if batch.cell_months:
            _refresh_cell_months({(c, m) for c, m in batch.cell_months if c in existing})
        if batch.member_years:
            cells = [*cells, *_refresh_member_years(batch.member_years)]
        if batch.members:  # a name shown in the lists of the cells the member's years are under
            cells = [*cells, *MemberYear.objects.filter(member_id__in=batch.members).values_list("cell_id", flat=True)]
        status_cells = (batch.cells | {c for c, _m in batch.cell_months}) & existing
        if status_cells:
            rows = count_cell_status(status_cells)
            CellStatus.objects.filter(cell_id__in=status_cells).exclude(cell_id__in=rows).delete()
            _write_status(rows, upsert=True)
        paths = list(OrgUnit.objects.filter(pk__in=cells).values_list("path", flat=True))
        # Once these rows are committed, the figures kept for the dashboards above these cells are stale.
        transaction.on_commit(lambda: forget_figures(paths))


# --- the dashboards' figures kept between requests -----------------------------------------------------------
# A dashboard's figures are kept in the cache under a generation of its unit. Every refresh of a cell's rows
# moves the generation of the cell and of every unit above it (their ids are the segments of its path), so the
# next request counts again; a change of the tree, a nightly recount or a rebuild moves the generation of all.

ALL = "all"


def generation_key(unit_pk):
    return f"dashboard-generation:{unit_pk}"


def generation(unit):
    """The unit's generation and everyone's, as one string (one cache round trip).

    A generation is a random token, not a counter: a token the cache lost is replaced by a new one, so
    figures kept under the old one are never served again."""
    keys = [generation_key(unit.pk), generation_key(ALL)]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key)
    return f"{found[keys[0]]}.{found[keys[1]]}"


def forget_figures(paths=None):
    """The kept figures of the units on these paths are stale (None: of every unit)."""
    if paths is None:
        pks = [ALL]
    else:
        pks = {int(segment) for path in paths for segment in path.strip("/").split("/") if segment}
    cache.set_many({generation_key(pk): uuid.uuid4().hex for pk in pks}, None)


def _tree_changed(sender, **kwargs):
    transaction.on_commit(forget_figures)  # names, moves, new units: rare, so everything is counted again


def _resolve(batch):
    """Turn changed meetings, attendance, contributions, tasks and resolutions into summary keys."""
    from resolutions.models import Task

    meeting_ids = set(batch.meetings) | {m for _member, m in batch.attendees}
    speakers = set(batch.speakers)
    if speakers:
        by_minutes = dict(Minutes.objects.filter(pk__in={m for _member, m in speakers}).values_list("pk", "meeting_id"))
        meeting_ids |= set(by_minutes.values())
    when = {}
    if meeting_ids:
        for pk, cell_id, starts_at in Meeting.objects.filter(pk__in=meeting_ids).values_list(
            "pk", "cell_id", "starts_at"
        ):
            when[pk] = (cell_id, month_of(starts_at))
    for pk in batch.meetings:
        if pk in when:
            batch.cell_months.add(when[pk])
    if batch.meetings:
        # A meeting's status, kind, cell or time changes its attendees' years too.
        for member_id, meeting_id in Attendance.objects.filter(meeting_id__in=batch.meetings).values_list(
            "member_id", "meeting_id"
        ):
            if meeting_id in when:
                batch.member_years.add((member_id, when[meeting_id][1].year))
    for member_id, meeting_id in batch.attendees:
        if meeting_id in when:
            batch.cell_months.add(when[meeting_id])
            batch.member_years.add((member_id, when[meeting_id][1].year))
    for member_id, minutes_id in speakers:
        meeting_id = by_minutes.get(minutes_id)
        if meeting_id in when:
            batch.cell_months.add(when[meeting_id])
            batch.member_years.add((member_id, when[meeting_id][1].year))
    if batch.tasks or batch.resolutions:
        earlier = defaultdict(set)
        for pk, deadline in batch.tasks:
            if deadline:
                earlier[pk].add(deadline)
        tasks = Task.objects.filter(
            Q(pk__in=earlier.keys() | {pk for pk, _d in batch.tasks}) | Q(resolution_id__in=batch.resolutions)
        )
        for pk, cell_id, deadline in tasks.values_list("pk", "resolution__cell_id", "deadline"):
            for day in {deadline} | earlier[pk]:
                batch.cell_months.add((cell_id, month_of(day)))
    batch.meetings, batch.attendees, batch.speakers, batch.tasks, batch.resolutions = set(), set(), set(), set(), set()


def _refresh_cell_months(keys):
    if not keys:
        return
    by_cell = defaultdict(set)
    for cell_id, month in keys:
        by_cell[cell_id].add(month)
    for cell_id, months in by_cell.items():
        start = quarter_start(min(months))
        end = add_months(quarter_start(max(months)), 3)
        rows = count_cell_months([cell_id], start, end)
        stale = CellMonth.objects.filter(cell_id=cell_id, month__gte=start, month__lt=end)
        stale.exclude(month__in=[month for _cell, month in rows]).delete()
        _write_cell_months(rows, upsert=True)


def _refresh_member_years(keys):
    """Count these members' years again, and their cells' years; returns those cells (before and after)."""
    touched = set()
    by_year = defaultdict(set)
    for member_id, year in keys:
        by_year[year].add(member_id)
    for year, members in by_year.items():
        existing = set(Member.objects.filter(pk__in=members).values_list("pk", flat=True))
        rows = {key: value for key, value in count_member_years(members, [year]).items() if key[0] in existing}
        stale = MemberYear.objects.filter(member_id__in=members, year=year)
        # The cells whose year changes: where these members' years were counted, and where they are now.
        cells = set(stale.values_list("cell_id", flat=True)) | {row["cell_id"] for row in rows.values()}
        stale.exclude(member_id__in=[member_id for member_id, _year in rows]).delete()
        _write_member_years(rows, upsert=True)
        counted = count_cell_years(cell_ids=cells, years=[year])
        CellYear.objects.filter(cell_id__in=cells, year=year).exclude(
            cell_id__in=[cell_id for cell_id, _year in counted]
        ).delete()
        _write_cell_years(counted, upsert=True)
        touched |= cells
    return touched


# --- signals: note what changed ---------------------------------------------------------------------------

# The values a summary row is keyed by, kept as loaded: a change of them refreshes the old row and the new.
REMEMBERED = {
    "Meeting": ("cell_id", "starts_at"),
    "Member": ("cell_id",),
    "Task": ("deadline",),
    "Resolution": ("cell_id", "issued_on"),
    "Attendance": ("member_id", "meeting_id"),
    "Contribution": ("member_id", "minutes_id"),
}


def _remember(sender, instance, **kwargs):
    # Read from __dict__: a deferred field is absent there, and reading it would cost a query per instance.
    instance._summary_key = tuple(instance.__dict__.get(name) for name in REMEMBERED[sender.__name__])


def _loaded(instance):
    return getattr(instance, "_summary_key", None) or ()


def _meeting_changed(sender, instance, **kwargs):
    batch = _batch()
    if batch is None:
        return
    batch.cells.add(instance.cell_id)
    batch.meetings.add(instance.pk)
    old_cell, old_start = _loaded(instance) or (None, None)
    for cell_id, starts_at in [(instance.cell_id, instance.starts_at), (old_cell, old_start)]:
        if cell_id and starts_at:
            batch.cells.add(cell_id)
            batch.cell_months.add((cell_id, month_of(starts_at)))
    if old_start and instance.starts_at and month_of(old_start).year != month_of(instance.starts_at).year:
        # Moved to another year: the attendees' former year is counted again too (the new one in _resolve).
        for member_id in Attendance.objects.filter(meeting_id=instance.pk).values_list("member_id", flat=True):
            batch.member_years.add((member_id, month_of(old_start).year))


def _meeting_deleting(sender, instance, **kwargs):
    batch = _batch()
    if batch is None:
        return
    month = month_of(instance.starts_at)
    batch.cells.add(instance.cell_id)
    batch.cell_months.add((instance.cell_id, month))
    for member_id in instance.attendances.values_list("member_id", flat=True):
        batch.member_years.add((member_id, month.year))
    for member_id in Contribution.objects.filter(minutes__meeting=instance).values_list("member_id", flat=True):
        batch.member_years.add((member_id, month.year))


def _attendance_changed(sender, instance, **kwargs):
    batch = _batch()
    if batch is not None:
        batch.attendees.add((instance.member_id, instance.meeting_id))
        old = _loaded(instance)
        if len(old) == 2 and all(old) and old != (instance.member_id, instance.meeting_id):
            batch.attendees.add(old)


def _minutes_changed(sender, instance, **kwargs):
    batch = _batch()
    if batch is not None:
        batch.meetings.add(instance.meeting_id)


def _minutes_deleting(sender, instance, **kwargs):
    """The contributions go with the minutes: their speakers' years, while they can still be read."""
    batch = _batch()
    if batch is None:
        return
    meeting = Meeting.objects.filter(pk=instance.meeting_id).values_list("starts_at", flat=True).first()
    if meeting:
        for member_id in instance.contributions.values_list("member_id", flat=True):
            batch.member_years.add((member_id, month_of(meeting).year))


def _contribution_changed(sender, instance, **kwargs):
    batch = _batch()
    if batch is not None:
        batch.speakers.add((instance.member_id, instance.minutes_id))
        old = _loaded(instance)
        if len(old) == 2 and all(old) and old != (instance.member_id, instance.minutes_id):
            batch.speakers.add(old)


def _meeting_change_logged(sender, instance, created, **kwargs):
    if created and instance.action == "moved":
        batch = _batch()
        if batch is not None:
            batch.meetings.add(instance.meeting_id)


def _resolution_changed(sender, instance, **kwargs):
    batch = _batch()
    if batch is None:
        return
    for cell_id, issued_on in [(instance.cell_id, instance.issued_on), _loaded(instance) or (None, None)]:
        if cell_id and issued_on:
            batch.cell_months.add((cell_id, month_of(issued_on)))
    batch.resolutions.add(instance.pk)


def _task_changed(sender, instance, **kwargs):
    batch = _batch()
    if batch is None:
        return
    old = _loaded(instance)
    batch.tasks.add((instance.pk, old[0] if old else None))


def _task_deleting(sender, instance, **kwargs):
    batch = _batch()
    if batch is not None and instance.deadline:
        cell_id = type(instance).objects.filter(pk=instance.pk).values_list("resolution__cell_id", flat=True).first()
        if cell_id:
            batch.cell_months.add((cell_id, month_of(instance.deadline)))


def _member_changed(sender, instance, **kwargs):
    batch = _batch()
    if batch is None:
        return
    batch.cells.add(instance.cell_id)
    batch.members.add(instance.pk)
    old = _loaded(instance)
    if old and old[0]:
        batch.cells.add(old[0])


def _members_imported(sender, cells, **kwargs):
    touch_cells(cells)


def touch_cells(cell_ids):
    """For writes that send no signal (bulk imports): count these cells' rolls again."""
    batch = _batch()
    if batch is not None:
        batch.cells.update(cell_ids)
        if getattr(_local, "request_batch", None) is None:
            transaction.on_commit(_flush_pending)


def connect():
    from resolutions.models import Resolution, Task

    for model in (Meeting, Member, Task, Resolution, Attendance, Contribution):
        post_init.connect(_remember, sender=model, dispatch_uid=f"summary-remember-{model.__name__}")
    post_save.connect(_scheduled(_meeting_changed), sender=Meeting, dispatch_uid="summary-meeting", weak=False)
    pre_delete.connect(_scheduled(_meeting_deleting), sender=Meeting, dispatch_uid="summary-meeting-delete", weak=False)
    post_delete.connect(
        _scheduled(_meeting_changed), sender=Meeting, dispatch_uid="summary-meeting-deleted", weak=False
    )
    pre_delete.connect(_scheduled(_minutes_deleting), sender=Minutes, dispatch_uid="summary-minutes-delete", weak=False)
    for model, handler in [
        (Attendance, _attendance_changed),
        (Minutes, _minutes_changed),
        (Contribution, _contribution_changed),
        (Resolution, _resolution_changed),
        (Member, _member_changed),
    ]:
        post_save.connect(_scheduled(handler), sender=model, dispatch_uid=f"summary-{model.__name__}", weak=False)
        post_delete.connect(
            _scheduled(handler), sender=model, dispatch_uid=f"summary-{model.__name__}-deleted", weak=False
        )
    post_save.connect(
        _scheduled(_meeting_change_logged), sender=MeetingChange, dispatch_uid="summary-moved", weak=False
    )
    members_imported.connect(_members_imported, dispatch_uid="summary-members-imported")
    post_save.connect(_tree_changed, sender=OrgUnit, dispatch_uid="summary-tree")
    post_delete.connect(_tree_changed, sender=OrgUnit, dispatch_uid="summary-tree-deleted")
    post_save.connect(_scheduled(_task_changed), sender=Task, dispatch_uid="summary-task", weak=False)
    pre_delete.connect(_scheduled(_task_deleting), sender=Task, dispatch_uid="summary-task-delete", weak=False)
    # Last, after every handler above has read them: the loaded values become the saved ones.
    for model in (Meeting, Member, Task, Resolution, Attendance, Contribution):
        post_save.connect(_remember, sender=model, dispatch_uid=f"summary-saved-{model.__name__}")


def settings_for_rates():
    """Whether members here on temporary activity count in the attendance base (domain §3, a setting)."""
    return settings.ATTENDANCE_COUNT_VISITING
