"""The summary tables behind the dashboards, and how they stay equal to the source.

`CellMonth` (a cell's month), `MemberYear` (a member's year) and `CellStatus` (a cell's roll today) are
counted from meetings, attendance, minutes, contributions, resolutions, tasks and members by the `count_*`
functions of counting.py. The same functions rebuild the tables (`manage.py summaries --rebuild`), check them
(`--check`), and refresh the rows a change touches:

- signals note what changed (ids only, no query) in a batch (watch.py);
- in a request, `SummaryMiddleware` refreshes the batch once the view's transaction has committed;
  elsewhere (workers, commands, the shell) the refresh runs when the transaction commits;
- a refresh locks the cells concerned, counts again from the source and rewrites their rows, so two
  refreshes of the same cell never interleave and the later one always sees both changes.

Bulk loaders (`seed_demo`, `seed_scale`) switch the signals off with `paused()` and rebuild at the end.
"""

import functools
import logging
import threading
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from chibo import bulk
from meetings.models import Attendance, Meeting
from members.models import Member, OrgUnit
from minutes.models import Minutes

from .counting import (
    CELL_MONTH_FIELDS,
    CELL_YEAR_FIELDS,
    DUES_FIELDS,
    MEMBER_YEAR_FIELDS,
    STATUS_FIELDS,
    SUMMED,
    TO_DATE_FIELDS,
    UNIT_MONTH_FIELDS,
    add_months,
    cell_years_from,
    count_cell_months,
    count_cell_status,
    count_cell_years,
    count_dues_months,
    count_member_years,
    month_of,
    quarter_start,
    to_date_from,
    unit_months_from,
)
from .models import CellMonth, CellStatus, CellYear, CellYearToDate, MemberYear, UnitMonth


def rebuild(chunk=500):
    """Rewrite every summary row from the source, cell by cell in chunks. Returns the row counts."""
    parents = dict(OrgUnit.objects.cells().values_list("pk", "parent_id"))
    cells = list(parents)
    unit_months = {}
    written = {"cell_months": 0, "member_years": 0, "cells": 0, "cell_years": 0, "cell_years_to_date": 0}
    with transaction.atomic():
        _read_chunks_through_indexes()
        UnitMonth.objects.all().delete()
        CellMonth.objects.all().delete()
        CellYearToDate.objects.all().delete()
        MemberYear.objects.all().delete()
        CellStatus.objects.all().delete()
        CellYear.objects.all().delete()
        for i in range(0, len(cells), chunk):
            part = cells[i : i + chunk]
            months = count_cell_months(part)
            written["cell_months"] += _write_cell_months(months)
            unit_months = unit_months_from(months, parents, unit_months)  # a unit's cells may span chunks
            written["cell_years_to_date"] += _write_to_date(to_date_from(months))
            written["cells"] += _write_status(count_cell_status(part))
            members = list(Member.objects.filter(cell_id__in=part).values_list("pk", flat=True))
            written["member_years"] += _write_member_years(count_member_years(members))
        # Last: a member's year can be under a cell of another chunk (a transfer during the year).
        written["cell_years"] = _write_cell_years(count_cell_years())
        written["unit_months"] = _write_unit_months(unit_months)
        transaction.on_commit(forget_figures)
    return written


SUMMARY_MODELS = [CellMonth, CellYearToDate, UnitMonth, MemberYear, CellYear, CellStatus]


def vacuum_analyze():
    """After a rebuild (outside its transaction): every summary row was rewritten, so the tables hold as many
    dead rows as live ones and statistics of rows that are gone until autovacuum comes by; the dashboards'
    plans need fresh ones at once. `seed_scale` does the same after its own rebuild."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in SUMMARY_MODELS:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _read_chunks_through_indexes():
    """For the rest of the transaction, tell PostgreSQL that a page read at random costs little more than one
    read in order (the data in memory or on SSD): a chunk of 500 cells is a small share of the attendance and
    meetings of a big data set, best read through their indexes. At the default cost the planner read the
    whole attendance table once per chunk, so the rebuild grew with the square of the data: 21 s a chunk on 10 ×
    the provincial data against 2.2 s on it, for a tenth of the cells' share (docs/scaling.md). Only here:
    the dashboards' own queries over a province are faster with the default."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL random_page_cost = 1.1")


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


def refresh_dues_member_years(today=None):
    """The members' years whose months of unpaid dues may have changed without a write: a month just over
    starts to count. Those with a line unpaid in the months over this year, and those counted with some."""
    from dues.services import removal_entries

    today = today or timezone.localdate()
    # This year's, and the year of the month just over (on 1 January, December starts to count).
    years = {today.year, (today.replace(day=1) - timedelta(days=1)).year}
    unpaid = removal_entries(today).filter(month__year__in=years).values_list("member_id", "month__year")
    keys = set(unpaid)
    keys |= set(MemberYear.objects.filter(dues_unpaid_months__gt=0).values_list("member_id", "year"))
    with transaction.atomic():
        cells = _refresh_member_years(keys)
    if cells:
        transaction.on_commit(forget_figures)
    return len(keys)


def refresh_dues_months(months, chunk=500):
    """Count the dues book's months again in every cell (its months are opened in bulk, without a signal:
    the nightly recount catches the lines opened since). Returns the rows written.

    The cells are taken `chunk` at a time, each chunk locked as a refresh locks its cells while their months and
    their years to date are rewritten: a refresh of a cell waits for one chunk, not for the whole province."""
    months = sorted(set(months))
    rows = defaultdict(lambda: dict.fromkeys(DUES_FIELDS, 0))

    def within(queryset, cell_field, time_field, is_date=False):
        return queryset.filter(**{f"{time_field}__in": months})

    count_dues_months(rows, within)
    stale = CellMonth.objects.filter(month__in=months).exclude(**dict.fromkeys(DUES_FIELDS, 0))
    cells = sorted(set(stale.values_list("cell_id", flat=True)) | {cell_id for cell_id, _month in rows})
    written = 0
    for i in range(0, len(cells), chunk):
        with transaction.atomic():
            locked = OrgUnit.objects.select_for_update().filter(pk__in=cells[i : i + chunk]).order_by("pk")
            parents = dict(locked.values_list("pk", "parent_id"))
            part = set(parents)
            stale.filter(cell_id__in=part).update(**dict.fromkeys(DUES_FIELDS, 0))
            part_rows = {key: value for key, value in rows.items() if key[0] in part}
            written += _write(CellMonth, ["cell", "month"], DUES_FIELDS, part_rows, upsert=True)
            _refresh_to_date(part, {month.year for month in months})
            _refresh_unit_months(dict.fromkeys(parents.values(), months))
    transaction.on_commit(forget_figures)
    return written


def check():
    """Differences between the stored rows and a fresh count: [(table, key, field, stored, counted)]."""
    problems = []
    stored = {
        (r.pop("cell_id"), r.pop("month")): r for r in CellMonth.objects.values("cell_id", "month", *CELL_MONTH_FIELDS)
    }
    counted = count_cell_months()
    problems += _compare("cell_months", stored, counted, CELL_MONTH_FIELDS)
    stored = {
        (r.pop("cell_id"), r.pop("month")): r
        for r in CellYearToDate.objects.values("cell_id", "month", *TO_DATE_FIELDS)
    }
    problems += _compare("cell_years_to_date", stored, to_date_from(counted), TO_DATE_FIELDS)
    stored = {
        (r.pop("unit_id"), r.pop("month")): r for r in UnitMonth.objects.values("unit_id", "month", *UNIT_MONTH_FIELDS)
    }
    parents = dict(OrgUnit.objects.cells().exclude(parent=None).values_list("pk", "parent_id"))
    problems += _compare("unit_months", stored, unit_months_from(counted, parents), UNIT_MONTH_FIELDS)
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
    names = [f"{name}_id" if name in ("cell", "member", "unit") else name for name in key_fields]
    objects = [
        model(**dict(zip(names, key if isinstance(key, tuple) else (key,), strict=True)), **values)
        for key, values in rows.items()
    ]
    model.objects.bulk_create(objects, batch_size=2000, **options)
    return len(rows)


def _write_cell_months(rows, upsert=False):
    return _write(CellMonth, ["cell", "month"], CELL_MONTH_FIELDS, rows, upsert)


def _write_to_date(rows, upsert=False):
    return _write(CellYearToDate, ["cell", "month"], TO_DATE_FIELDS, rows, upsert)


def _write_member_years(rows, upsert=False):
    return _write(MemberYear, ["member", "year"], MEMBER_YEAR_FIELDS, rows, upsert)


def _write_cell_years(rows, upsert=False):
    return _write(CellYear, ["cell", "year"], CELL_YEAR_FIELDS, rows, upsert)


def _write_unit_months(rows, upsert=False):
    return _write(UnitMonth, ["unit", "month"], UNIT_MONTH_FIELDS, rows, upsert)


def _write_status(rows, upsert=False):
    return _write(CellStatus, ["cell"], STATUS_FIELDS, rows, upsert)


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
        self.dues_entries = set()  # lines of the dues book paid or corrected: their cell's month
        self.dues_members = set()  # (member id, from month): a basis or exemption that changes their lines

    def __bool__(self):
        return any(vars(self).values())


_local = threading.local()


def batch_in_progress():
    batch = getattr(_local, "request_batch", None)
    if batch is not None:
        return batch
    if bulk.is_loading():
        return None
    # Outside a request: changes gather in one pending batch, and every change asks for a flush on commit
    # (`flushed_on_commit`, once the change's keys are in). The first flush takes the whole batch; the others find it
    # empty. (A rolled-back change leaves its keys behind: they are only counted again at the next flush.)
    batch = getattr(_local, "pending", None)
    if batch is None:
        batch = _local.pending = Batch()
    return batch


def flushed_on_commit(handler):
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
        parents = dict(locked.values_list("pk", "parent_id"))
        existing = set(parents)
        spans = {}
        if batch.cell_months:
            spans = _refresh_cell_months({(c, m) for c, m in batch.cell_months if c in existing})
        if batch.member_years:
            cells = [*cells, *_refresh_member_years(batch.member_years)]
        if batch.members:  # a name shown in the lists of the cells the member's years are under
            cells = [*cells, *MemberYear.objects.filter(member_id__in=batch.members).values_list("cell_id", flat=True)]
        status_cells = (batch.cells | {c for c, _m in batch.cell_months}) & existing
        if status_cells:
            rows = count_cell_status(status_cells)
            CellStatus.objects.filter(cell_id__in=status_cells).exclude(cell_id__in=rows).delete()
            _write_status(rows, upsert=True)
        # Last, as it waits for other refreshes under the same unit: the unit's sums of its cells' months.
        units = defaultdict(set)
        for cell_id, months in spans.items():
            units[parents[cell_id]].update(months)
        _refresh_unit_months(units)
        paths = list(OrgUnit.objects.filter(pk__in=cells).values_list("path", flat=True))
        # Once these rows are committed, the figures kept for the dashboards above these cells are stale.
        transaction.on_commit(lambda: forget_figures(paths))


# A dashboard's figures are kept in the cache under a generation of its unit. Every refresh of a cell's rows
# moves the generation of the cell and of every unit above it (their ids are the segments of its path), so the
# next request counts again; a change of the tree, a nightly recount or a rebuild moves the generation of all.

ALL = "all"


def generation_key(unit_pk):
    return f"dashboard-generation:{unit_pk}"


def generation(unit):
    """The unit's generation and everyone's, as one string (one cache round trip).

    A generation is a random token, not a counter: a token the cache lost is replaced by a new one, so
    figures kept under the old one are never served again. It begins with the time it was made (`made_at`)."""
    keys = [generation_key(unit.pk), generation_key(ALL)]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, _token(), None)
            found[key] = cache.get(key)
    return f"{found[keys[0]]}.{found[keys[1]]}"


def _token():
    return f"{time.time_ns() // 1_000_000}-{uuid.uuid4().hex}"  # milliseconds: no "." (it joins two tokens)


def made_at(generation):
    """When the younger of a generation's two tokens was made (time.time()); 0 for tokens without a time.

    Figures counted on the read replica right after a change (a new generation) may miss it: the replica
    replays the primary's changes a little later. Those figures are not kept (dashboards/figures.py,
    `replica.may_miss`), or they would be served under the new generation until the next change; the user who
    made the change is pinned to the primary and counts from there. Once the replica has had its time, what it
    counts is kept as usual."""
    times = []
    for token in generation.split("."):
        try:
            times.append(int(token.split("-")[0]) / 1000)
        except ValueError:  # a token from before tokens carried their time
            times.append(0.0)
    return max(times)


def forget_figures(paths=None):
    """The kept figures of the units on these paths are stale (None: of every unit)."""
    if paths is None:
        pks = [ALL]
    else:
        pks = {int(segment) for path in paths for segment in path.strip("/").split("/") if segment}
    cache.set_many({generation_key(pk): _token() for pk in pks}, None)


def tree_changed(sender, instance=None, **kwargs):
    """A unit saved or deleted: the figures of every unit are counted again (names, moves, new units are rare),
    and the months of the unit above it summed again (a cell placed below it, or gone)."""
    if instance is not None and instance.parent_id:
        refresh_unit_months([instance.parent_id])
    transaction.on_commit(forget_figures)


def unit_left(sender, unit, old_parent_id, **kwargs):
    """A unit placed below another: the months of its cells are no longer summed under the old one."""
    if unit.is_cell:
        refresh_unit_months([old_parent_id])


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
    _resolve_dues(batch)
    batch.meetings, batch.attendees, batch.speakers, batch.tasks, batch.resolutions = set(), set(), set(), set(), set()


def _resolve_dues(batch):
    """Lines of the dues book changed through their payments, exemptions or bases: their cells' months."""
    if not (batch.dues_entries or batch.dues_members):
        return
    from dues.models import DuesEntry

    lines = Q(pk__in=batch.dues_entries)
    for member_id, since in batch.dues_members:
        lines |= Q(member_id=member_id, month__gte=since)
    for cell_id, member_id, month in DuesEntry.objects.filter(lines).values_list("cell_id", "member_id", "month"):
        batch.cell_months.add((cell_id, month))
        batch.member_years.add((member_id, month.year))  # unpaid months count toward removal
    batch.dues_entries, batch.dues_members = set(), set()


def _refresh_cell_months(keys):
    """Count these cells' months again (whole quarters) and their years to date; returns the months rewritten,
    {cell id: [month, …]}."""
    if not keys:
        return {}
    by_cell = defaultdict(set)
    for cell_id, month in keys:
        by_cell[cell_id].add(month)
    years = set()
    spans = {}
    for cell_id, months in by_cell.items():
        start = quarter_start(min(months))
        end = add_months(quarter_start(max(months)), 3)
        rows = count_cell_months([cell_id], start, end)
        stale = CellMonth.objects.filter(cell_id=cell_id, month__gte=start, month__lt=end)
        stale.exclude(month__in=[month for _cell, month in rows]).delete()
        _write_cell_months(rows, upsert=True)
        years |= {start.year, add_months(end, -1).year}
        spans[cell_id] = [add_months(start, i) for i in range((end.year - start.year) * 12 + end.month - start.month)]
    _refresh_to_date(list(by_cell), years)
    return spans


# The key of a unit's lock while its cells' months are summed (pg_advisory_xact_lock's first number).
UNIT_MONTH_LOCK = 0x554D


def _lock_units(unit_ids):
    """Wait for, and hold until the transaction ends, the lock of each unit whose `UnitMonth` rows are summed
    again. A unit's sum reads its cells' months as committed: two refreshes of cells under the same unit
    would each miss the other's change without it. PostgreSQL's transaction-level advisory locks, in a fixed
    order: no row of the tree is locked (a move of the unit waits for none of them), and PgBouncer's transaction
    mode keeps them. SQLite (`make run`) writes one transaction at a time anyway."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for unit_id in sorted(unit_ids):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [UNIT_MONTH_LOCK, unit_id])


def _refresh_unit_months(units):
    """Sum again the months of the cells directly below these units: {unit id: months, or None for all}."""
    units = {unit_id: months for unit_id, months in units.items() if unit_id is not None}
    if not units:
        return
    _lock_units(units)
    for unit_id, months in units.items():
        stale = UnitMonth.objects.filter(unit_id=unit_id)
        stored = CellMonth.objects.filter(cell__parent_id=unit_id)
        if months is not None:
            months = sorted(months)
            stale, stored = stale.filter(month__in=months), stored.filter(month__in=months)
        stale.delete()
        cell_months = {(r.pop("cell_id"), r.pop("month")): r for r in stored.values("cell_id", "month", *SUMMED)}
        _write_unit_months(unit_months_from(cell_months, dict.fromkeys((c for c, _m in cell_months), unit_id)))


def refresh_unit_months(unit_ids):
    """Sum every month of the cells directly below these units again: a cell placed below another unit, or
    gone."""
    if not bulk.is_loading():
        with transaction.atomic():
            _refresh_unit_months(dict.fromkeys(unit_ids))


def _refresh_to_date(cell_ids, years):
    """Count these cells' years to date again from their stored months (the cells are locked)."""
    if not cell_ids or not years:
        return
    first, last = date(min(years), 1, 1), date(max(years) + 1, 1, 1)
    stored = CellMonth.objects.filter(cell_id__in=cell_ids, month__gte=first, month__lt=last)
    months = {(r.pop("cell_id"), r.pop("month")): r for r in stored.values("cell_id", "month", *CELL_MONTH_FIELDS)}
    rows = {key: value for key, value in to_date_from(months).items() if key[1].year in years}
    CellYearToDate.objects.filter(cell_id__in=cell_ids, month__year__in=years).delete()
    _write_to_date(rows, upsert=True)


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


def touch_cells(cell_ids):
    """For writes that send no signal (bulk imports): count these cells' rolls again."""
    batch = batch_in_progress()
    if batch is not None:
        batch.cells.update(cell_ids)
        if getattr(_local, "request_batch", None) is None:
            transaction.on_commit(_flush_pending)
