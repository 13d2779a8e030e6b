"""What the ever-growing tables cost one province as the country grows: run on the provincial data set and on
the 10 × one (`seed_scale --provinces 10`), and compare.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_scale   .venv/bin/python bench/growth.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_scale10 .venv/bin/python bench/growth.py

Everything is measured in the first province (`SCALE`), which `seed_scale` makes row for row the same whatever
the number of provinces beside it, so a difference between the two runs is the cost of the bigger tables
alone. Issue 17 asks that the summary rebuild, the SQL floor and the counted dashboards stay within 2 × of
their provincial figures; bench/dashboard.py measures the dashboards, this script the rest:

- sizes: rows and on-disk size (table and indexes) of the tables that grow with every meeting, and of the
  database;
- the SQL floor: bench/dashboard.py's plain aggregate of the province's attendance over the last full year;
- the province's recount: what `summaries.rebuild` reads for the province's cells, chunk by chunk as it does
  (each cell's months, its status, its members' years); the writes are left out, as they are the same rows
  whatever the size of the tables around;
- the refresh after a save: what a secretary's saving of a meeting's attendance makes the summaries do
  (`summaries.flush` for that meeting: its cell's quarter, its members' years, the cell's status), in a
  transaction rolled back afterwards;
- a cell's year: the attendance rows of one cell's meetings this year, as the evidence and the warnings read them.

Each is timed `--repeat` times after a warm-up run (the tables in memory, as on a server that has been up);
medians and 95th percentiles are printed. The last line printed is one JSON object.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.dashboard import FLOOR_SQL  # noqa: E402
from dashboards import summaries  # noqa: E402
from dashboards.counting import aware, count_cell_months, count_cell_status, count_member_years, to_date_from  # noqa: E402
from dashboards.management.commands.seed_scale import CODE, bench_cell  # noqa: E402
from meetings.models import Attendance, Meeting  # noqa: E402
from members.models import Member, OrgUnit  # noqa: E402

CHUNK = 500  # as summaries.rebuild
# The tables that grow with every meeting held, the history kept of changes, and the summaries.
GROWING = [
    "meetings.Attendance",
    "meetings.Meeting",
    "minutes.Minutes",
    "minutes.Contribution",
    "meetings.MeetingChange",
    "minutes.MinutesRevision",
    "resolutions.Resolution",
    "resolutions.Task",
    "notifications.Message",
    "notifications.Delivery",
    "dashboards.CellMonth",
    "dashboards.MemberYear",
]


class RolledBack(Exception):
    pass


def timed(function, repeat):
    function()  # warm-up: the rows in memory
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
    }


def sizes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        database = cursor.fetchone()[0]
        tables = {}
        for label in GROWING:
            table = apps.get_model(label)._meta.db_table
            cursor.execute(
                "SELECT c.reltuples::bigint, pg_table_size(c.oid), pg_indexes_size(c.oid) FROM pg_class c "
                "WHERE c.relname = %s",
                [table],
            )
            row = cursor.fetchone()
            if row:
                tables[table] = {"rows": max(0, row[0]), "table_mb": row[1] / 2**20, "indexes_mb": row[2] / 2**20}
    return database / 2**20, tables


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="Timed runs of each measure (default 15).")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/growth.py measures PostgreSQL: set DATABASE_URL.")
    province = OrgUnit.objects.filter(code=CODE).first()
    if province is None:
        sys.exit("No province SCALE: run `manage.py seed_scale` on this database first.")

    def out(line=""):
        print(line, flush=True)

    provinces = OrgUnit.objects.filter(kind=OrgUnit.Kind.PROVINCIAL).count()
    cells = list(
        OrgUnit.objects.cells().filter(path__startswith=province.path).order_by("pk").values_list("pk", flat=True)
    )
    database_mb, tables = sizes()
    out(f"Data: {provinces} province(s), {OrgUnit.objects.cells().count():,} cells, "
        f"{Attendance.objects.count():,} attendance rows; database {database_mb:,.0f} MB. "
        f"Measured in the first province: {len(cells):,} cells.")  # fmt: skip
    out(f"{'table':<28} {'rows':>12} {'table MB':>9} {'index MB':>9}")
    for table, row in tables.items():
        out(f"{table:<28} {row['rows']:>12,} {row['table_mb']:9.0f} {row['indexes_mb']:9.0f}")
    out()

    year = timezone.localdate().year - 1
    floor_params = [province.path + "%", aware(date(year, 1, 1)), aware(date(year + 1, 1, 1))]

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, floor_params)
            cursor.fetchall()

    def recount():
        for i in range(0, len(cells), CHUNK):
            part = cells[i : i + CHUNK]
            to_date_from(count_cell_months(part))
            count_cell_status(part)
            count_member_years(list(Member.objects.filter(cell_id__in=part).values_list("pk", flat=True)))

    cell = bench_cell()
    meeting = (
        Meeting.objects.filter(cell=cell, status=Meeting.Status.HELD).exclude(kind=Meeting.Kind.COMMITTEE)
        .order_by("-starts_at").first()
    )  # fmt: skip

    def refresh():
        batch = summaries.Batch()
        batch.meetings.add(meeting.pk)
        batch.attendees |= {(m, meeting.pk) for m in meeting.attendances.values_list("member_id", flat=True)}
        try:
            with transaction.atomic():
                summaries.flush(batch)
                raise RolledBack
        except RolledBack:
            pass

    this_year = timezone.localdate().year

    def cell_year():
        list(
            Attendance.objects.filter(meeting__cell=cell, meeting__starts_at__gte=aware(date(this_year, 1, 1)))
            .values_list("member_id", "status", "meeting__starts_at")
        )  # fmt: skip

    measures = {}
    for name, label, function, repeat in [
        ("floor", f"SQL floor: the province's attendance rate per cell, {year}", floor, args.repeat),
        ("recount", f"the province's recount ({len(cells):,} cells, {CHUNK} at a time)", recount, 3),
        ("refresh", "the refresh after a meeting's attendance is saved", refresh, args.repeat),
        ("cell_year", "a cell's attendance this year", cell_year, args.repeat),
    ]:  # fmt: skip
        measures[name] = timed(function, repeat)
        out(f"{label:<62} median {measures[name]['median_ms']:9.1f} ms   p95 {measures[name]['p95_ms']:9.1f} ms")
    out()
    out(json.dumps({
        "provinces": provinces,
        "cells": OrgUnit.objects.cells().count(),
        "attendance_rows": Attendance.objects.count(),
        "database_mb": round(database_mb),
        "tables": {t: {k: round(v) for k, v in row.items()} for t, row in tables.items()},
        "province_cells": len(cells),
        **measures,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
