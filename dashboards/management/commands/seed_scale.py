"""Build a provincial-size data set for measuring the dashboards: one province, 100 communes (one of them
with 300 cells), 3,000 cells, 60,000 members and three years of meetings with attendance, minutes,
speakers, resolutions and tasks (about three million rows).

`--provinces 10` makes ten such provinces (the 10 × data set of docs/scaling.md): the first is the same,
row for row, as a one-province run with the same seed, so the benchmarks, which work in the first province,
compare the same pages on tables ten times the size.

Rows are made in Python from one seeded random generator and written with PostgreSQL's COPY; primary keys
are taken from the sequences in blocks beforehand, so that foreign keys are written without reading
anything back. On another database (SQLite, for small sizes) the same rows go through bulk_create.

The dashboards' summary tables are rebuilt once at the end (`summaries.rebuild`), not row by row.

Longer than the other modules on purpose: one generator that makes every table in dependency order, read top
to bottom; split, its shared sequences and random state would have to travel between modules.
"""

import io
import json
import random
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from dashboards import summaries
from dashboards.counting import add_months
from dashboards.models import CellMonth, CellStatus, CellYear, CellYearToDate, MemberYear, UnitMonth
from meetings.demo import EXCUSES, TOPICS
from meetings.models import (
    Attendance,
    Meeting,
    MeetingChange,
    ScheduleRule,
    ThematicTopic,
)
from meetings.schedule import regular_day
from members.demo import FAMILY, GIVEN, MIDDLE, demo_phone
from members.models import CellMembership, Grant, Member, OrgUnit, StatusChange, User, add_years
from members.names import fold, sort_key
from minutes.demo import SPEECHES
from minutes.models import Contribution, Minutes, Vote
from minutes.votes import passes
from resolutions.demo import TASKS
from resolutions.models import Resolution, ResolutionCounter, Task

CODE = "SCALE"  # the province's code; every unit made here has a code starting with it
PASSWORD = "chibo-demo"
NOTE = "Dữ liệu đo tải"
APPS = ("members", "meetings", "minutes", "resolutions", "dues", "notifications", "dashboards")
BIG_COMMUNE_SHARE = 10  # one commune holds a tenth of the cells (300 of 3,000): the benchmark's subtree
COMMUNE_NAMES = [
    f"{a} {b}"
    for a in ["Tân", "Hòa", "Phú", "An", "Bình", "Thạnh", "Đông", "Tây", "Nam", "Bắc"]
    for b in ["Hưng", "Lợi", "Thành", "Phước", "Mỹ", "Lạc", "Sơn", "Hải", "Thuận", "Tiến"]
]


class Command(BaseCommand):
    help = "Load a provincial-size data set (3,000 cells, 60,000 members, three years) for the dashboards' benchmark."

    def add_arguments(self, parser):
        parser.add_argument("--cells", type=int, default=3000, help="Cells in all (default 3000).")
        parser.add_argument("--members-per-cell", type=int, default=20, help="Members per cell on average.")
        parser.add_argument("--years", type=int, default=3, help="Years of meetings, ending last month.")
        parser.add_argument("--seed", type=int, default=2026, help="Seed of the random generator.")
        parser.add_argument("--provinces", type=int, default=1, help="Provinces of --cells cells each (default 1).")
        parser.add_argument("--flush", action="store_true", help="Delete the data of an earlier run first.")

    def handle(self, *args, cells, members_per_cell, years, seed, flush, provinces=1, **options):
        if cells < 1 or members_per_cell < 3 or years < 1 or provinces < 1:
            raise CommandError("Give at least 1 province, 1 cell, 3 members per cell and 1 year.")
        self.started = time.monotonic()
        self._make_room(flush)
        with summaries.paused():
            with transaction.atomic():
                loader = Loader()
                for number in range(1, provinces + 1):
                    if provinces > 1:
                        self._line(f"province {number} of {provinces}", time.monotonic() - self.started)
                    Builder(self, loader, cells, members_per_cell, years, seed + number - 1, number).build()
                committing = time.monotonic()
            self._line("commit (deferred foreign keys checked)", time.monotonic() - committing)
            self._analyze()
            written = self._step("summaries.rebuild", summaries.rebuild)
            self._analyze([CellMonth, CellYearToDate, CellYear, CellStatus, MemberYear, UnitMonth])
            self._step("logins", self._logins)
        self.stdout.write(
            f"Summaries: {written['cell_months']} cell-months, {written['member_years']} member-years, "
            f"{written['cells']} cells."
        )
        self._print_counts(loader)
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - self.started:.1f} s."))

    # --- steps ----------------------------------------------------------------------------------------------

    def _step(self, label, function):
        started = time.monotonic()
        result = function()
        self._line(label, time.monotonic() - started)
        return result

    def _line(self, label, seconds):
        self.stdout.write(f"{label:<44} {seconds:7.1f} s")
        self.stdout.flush()

    def _make_room(self, flush):
        if not OrgUnit.objects.exists():
            return
        if not flush:
            raise CommandError(
                "This database already holds organisation units. seed_scale fills an empty database: run it on "
                "a database of its own, or add --flush to replace the data of an earlier seed_scale run."
            )
        if OrgUnit.objects.exclude(code__startswith=CODE).exists():
            raise CommandError(
                "--flush only replaces data made by seed_scale, and this database holds other units too "
                f"(codes not starting with {CODE}). Use a database of its own."
            )
        self._step("flush the earlier scale data", self._flush)

    def _flush(self):
        """Every table of the apps but the logins: they only ever hold scale data here (checked above)."""
        tables = [
            model._meta.db_table
            for label in APPS
            for model in apps.get_app_config(label).get_models(include_auto_created=True)
            if model is not User and not (model._meta.auto_created and User in _related_models(model))
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {', '.join(connection.ops.quote_name(t) for t in tables)} RESTART IDENTITY")
            else:  # foreign keys are checked at commit, so the order does not matter
                for table in tables:
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")

    def _analyze(self, only=None):
        if connection.vendor != "postgresql":
            return
        tables = [m._meta.db_table for m in (only or Loader.ORDER)]

        # Fresh statistics and visibility maps: the planner and index-only scans need them straight away.
        # VACUUM cannot run inside a transaction (a test's); ANALYZE alone can.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"

        def run():
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"{command} {connection.ops.quote_name(table)}")

        self._step(f"vacuum analyze ({len(tables)} tables)", run)

    def _logins(self):
        """Two logins for the benchmark, without staff rights: the whole province, and the 300-cell commune."""
        province = OrgUnit.objects.get(code=CODE)
        big = OrgUnit.objects.get(code=f"{CODE}.001")
        for username, label, unit in [("tinh", "Tỉnh ủy (đo tải)", province), ("xa300", "Đảng ủy xã 300 chi bộ", big)]:
            user, _created = User.objects.get_or_create(username=username, defaults={"first_name": label})
            user.set_password(PASSWORD)
            user.is_staff = user.is_superuser = False
            user.save()
            Grant.objects.update_or_create(user=user, unit=unit, defaults={"role": Grant.Role.VIEWER})
            self.stdout.write(f"  login {username!r} (password {PASSWORD!r}): viewer of {unit.name}")
        for username, member in cell_logins().items():
            self.stdout.write(f"  login {username!r} (password {PASSWORD!r}): {member.full_name}, {member.cell.name}")

    def _print_counts(self, loader):
        self.stdout.write("Rows:")
        counts = {
            "units": OrgUnit.objects.count(),
            "cells": OrgUnit.objects.cells().count(),
            "members": Member.objects.count(),
            "meetings": Meeting.objects.count(),
            "meetings held": Meeting.objects.filter(status=Meeting.Status.HELD).count(),
            "attendance": Attendance.objects.count(),
            "minutes": Minutes.objects.count(),
            "contributions": Contribution.objects.count(),
            "meeting changes": MeetingChange.objects.count(),
            "votes": Vote.objects.count(),
            "resolutions": Resolution.objects.count(),
            "tasks": Task.objects.count(),
            "cell months": CellMonth.objects.count(),
            "member years": MemberYear.objects.count(),
        }
        for label, n in counts.items():
            self.stdout.write(f"  {label:<20} {n:>10,}")
        written = sum(loader.written.values())
        self.stdout.write(f"  {'(rows written)':<20} {written:>10,} by {loader.method} in {loader.seconds:.1f} s")


def _related_models(model):
    return {f.related_model for f in model._meta.fields if f.is_relation}


# --- writing rows ---------------------------------------------------------------------------------------------


def _copy_value(value):
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if kind is bool:
        return "t" if value else "f"
    if kind is dict or kind is list:
        return _copy_value(json.dumps(value, ensure_ascii=False))
    return str(value)  # int, date, aware datetime (ISO with offset), Decimal


class Ids:
    """Primary keys handed out before the rows exist: blocks taken from the table's sequence."""

    BLOCK = 100_000

    def __init__(self, model):
        self.model, self.next, self.last = model, 1, 0

    def __call__(self):
        if self.next > self.last:
            self._reserve()
        value, self.next = self.next, self.next + 1
        return value

    def _reserve(self):
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                column = self.model._meta.pk.column
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), nextval(pg_get_serial_sequence(%s, %s)) + %s)",
                    [table, column, table, column, self.BLOCK - 1],
                )
                self.last = cursor.fetchone()[0]
                self.next = self.last - self.BLOCK + 1
            else:  # one writer (this command): the next free keys
                if self.last == 0:
                    self.last = self.model.objects.aggregate(n=models.Max("pk"))["n"] or 0
                self.next, self.last = self.last + 1, self.last + self.BLOCK


class Table:
    """Rows for one model, given as tuples of the named fields; the other columns get their defaults."""

    def __init__(self, loader, model, fields):
        self.loader, self.model = loader, model
        self.fields = fields
        now = loader.now
        given = set(fields)
        self.defaults = {}
        for field in model._meta.concrete_fields:
            if field.attname in given or (field.primary_key and isinstance(field, models.AutoField)):
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self.defaults[field.attname] = now
            else:
                self.defaults[field.attname] = field.get_default()
        self.columns = [model._meta.get_field(name).column for name in fields] + [
            model._meta.get_field(name).column for name in self.defaults
        ]
        self.tail = "".join("\t" + _copy_value(v) for v in self.defaults.values()) + "\n"
        self.rows = []

    def add(self, *values):
        if self.loader.copy:
            self.rows.append("\t".join([_copy_value(v) for v in values]) + self.tail)
        else:
            self.rows.append(values)
        self.loader.pending += 1

    def flush(self, cursor):
        if not self.rows:
            return
        n = len(self.rows)
        if self.loader.copy:
            columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
            table = connection.ops.quote_name(self.model._meta.db_table)
            cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO("".join(self.rows)))
        else:
            self.model.objects.bulk_create(
                [self.model(**self.defaults, **dict(zip(self.fields, row, strict=True))) for row in self.rows],
                batch_size=500,
            )
        self.loader.written[self.model] += n
        self.rows = []


class Loader:
    """Buffers rows per table and writes them all, parents before children, when enough have gathered."""

    ORDER = [
        OrgUnit, ScheduleRule, Member, CellMembership, StatusChange, ThematicTopic, Meeting, MeetingChange,
        Attendance, Minutes, Contribution, Vote, Resolution, ResolutionCounter, Task,
    ]  # fmt: skip
    FLUSH_ROWS = 250_000

    def __init__(self):
        self.now = timezone.now()
        self.copy = connection.vendor == "postgresql"
        self.method = "COPY" if self.copy else "bulk_create"
        self.tables = {}
        self.pending = 0
        self.written = defaultdict(int)
        self.seconds = 0.0

    def table(self, model, fields):
        self.tables[model] = Table(self, model, fields)
        return self.tables[model]

    def maybe_flush(self):
        if self.pending >= self.FLUSH_ROWS:
            self.flush()

    def flush(self):
        started = time.monotonic()
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor if self.copy else wrapper  # the psycopg2 cursor, for copy_expert
            for model in self.ORDER:
                if model in self.tables:
                    self.tables[model].flush(cursor)
        self.pending = 0
        self.seconds += time.monotonic() - started


# --- the data --------------------------------------------------------------------------------------------


def local_dt(day, hour, minute=0):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


class Person:
    """What the generator needs to know of a member while it writes their meetings."""

    __slots__ = ("admitted", "drift", "official", "pk", "position", "reliability", "since", "status", "talk")

    def __init__(self, **values):
        for key, value in values.items():
            setattr(self, key, value)

    def category(self, day):
        """The Attendance category on `day`, or None when the member is not convened then."""
        if self.admitted > day:
            return None
        status = self.status if self.since <= day else Member.Status.ACTIVE
        if status in (Member.Status.TRANSFERRED, Member.Status.SUSPENDED):
            return None
        if self.status == Member.Status.VISITING and status != Member.Status.VISITING:
            return None  # not here yet
        return Attendance.category_for(status, self.official, day)


class Builder:
    def __init__(self, command, loader, cells, per_cell, years, seed, province=1):
        self.command, self.loader = command, loader
        # The first province is SCALE (the benchmarks' logins look there), the others SCALE02, SCALE03…
        self.code = CODE if province == 1 else f"{CODE}{province:02d}"
        self.province_name = "Quảng Thịnh" if province == 1 else f"Quảng Thịnh {province}"
        self.n_cells, self.per_cell, self.years = cells, per_cell, years
        self.rng = random.Random(seed)
        self.now = loader.now
        self.today = timezone.localdate()
        self.this_month = self.today.replace(day=1)
        self.first_month = add_months(self.this_month, -12 * years)
        # Keys of the rows that others point to; the rest take theirs from the database.
        keyed = (OrgUnit, Member, Meeting, Minutes, ThematicTopic, Vote, Resolution)
        self.ids = {model: Ids(model) for model in keyed}
        self.names = {}
        t = loader.table
        self.units = t(OrgUnit, ["id", "parent_id", "kind", "name", "code", "place_name", "path", "depth"])
        self.rules = t(ScheduleRule, ["cell_id", "day", "time", "weekend", "place"])
        self.members = t(Member, [
            "id", "cell_id", "full_name", "sort_key", "search_name", "gender", "birth_date", "card_number",
            "admitted_on", "official_on", "status", "status_since", "position", "phone",
        ])  # fmt: skip
        self.stays = t(CellMembership, ["member_id", "cell_id", "started_on", "ended_on", "note"])
        self.statuses = t(StatusChange, ["member_id", "status", "since", "note"])
        self.topics = t(ThematicTopic, ["id", "cell_id", "year", "quarter", "title", "drafter_id"])
        self.meetings = t(Meeting, [
            "id", "cell_id", "kind", "title", "starts_at", "duration_minutes", "place", "chair_id", "minute_taker_id",
            "status", "status_reason", "prepares_id", "topic_id", "invited_at", "attendance_recorded_at",
            "created_at",
        ])  # fmt: skip
        self.changes = t(MeetingChange, ["meeting_id", "action", "detail", "at"])
        self.attendance = t(Attendance, ["meeting_id", "member_id", "status", "reason", "category", "official",
                                         "recorded_at"])  # fmt: skip
        self.minutes = t(Minutes, [
            "id", "meeting_id", "status", "started_at", "ended_at", "place", "chair_id", "chair_title",
            "minute_taker_id", "praise_criticism", "conclusion", "quality_total", "quality_grade", "approved_at",
            "signed_at",
        ])  # fmt: skip
        self.contributions = t(Contribution, ["minutes_id", "member_id", "order", "summary"])
        self.votes = t(Vote, ["id", "minutes_id", "subject", "votes_for", "votes_against", "base", "passed"])
        self.resolutions = t(Resolution, [
            "id", "cell_id", "meeting_id", "vote_id", "kind", "title", "purpose", "tasks_text", "solutions", "checking",
            "status", "year", "number", "issued_on", "created_at",
        ])  # fmt: skip
        self.counters = t(ResolutionCounter, ["cell_id", "year", "last"])
        self.tasks = t(Task, ["resolution_id", "title", "responsible_id", "deadline", "expected_result", "status",
                              "percent", "completed_on"])  # fmt: skip

    def step(self, label, function):
        return self.command._step(label, function)

    def build(self):
        cells = self.step("units", self.build_units)
        people = self.step("members", lambda: self.build_members(cells))
        self.step("flush units and members", self.loader.flush)
        self.step("meetings, attendance, minutes, resolutions", lambda: self.build_meetings(cells, people))
        self.step("flush the rest", self.loader.flush)
        self.command._line(f"  of which writing ({self.loader.method})", self.loader.seconds)

    # --- the tree ---------------------------------------------------------------------------------------------

    def build_units(self):
        """Province → communes → cells; the first commune holds a tenth of the cells, the others share the rest."""
        n_communes = min(100, max(2, self.n_cells // 30)) if self.n_cells > 1 else 1
        big = max(1, self.n_cells // BIG_COMMUNE_SHARE)
        rest = self.n_cells - big
        others = n_communes - 1
        sizes = [big] + [rest // others + (i < rest % others) for i in range(others)] if others else [big]
        province = self._unit(None, OrgUnit.Kind.PROVINCIAL, f"Đảng bộ tỉnh {self.province_name}", self.code,
                              self.province_name)  # fmt: skip
        cells = []
        for index, size in enumerate(sizes):
            place = COMMUNE_NAMES[index % len(COMMUNE_NAMES)]
            place = place if index < len(COMMUNE_NAMES) else f"{place} {index // len(COMMUNE_NAMES) + 1}"
            ward = index == 0 or self.rng.random() < 0.2
            name = f"Đảng bộ {'phường' if ward else 'xã'} {place}"
            commune = self._unit(province, OrgUnit.Kind.COMMUNE, name, f"{self.code}.{index + 1:03d}", place)
            for number in range(1, size + 1):
                label = f"Chi bộ khu phố {number}" if ward else f"Chi bộ thôn {place} {number}"
                cell = self._unit(commune, OrgUnit.Kind.CELL, label, f"{commune['code']}.{number:03d}", place)
                cell["place"] = f"Nhà văn hóa {label.replace('Chi bộ ', '')}"
                cells.append(cell)
                self.rules.add(cell["pk"], cell["day"], cell["time"], cell["weekend"], cell["place"])
        return cells

    def _unit(self, parent, kind, name, code, place):
        pk = self.ids[OrgUnit]()
        path = (parent["path"] if parent else "") + f"{pk:0{OrgUnit.SEGMENT_WIDTH}d}/"
        depth = parent["depth"] + 1 if parent else 0
        self.units.add(pk, parent["pk"] if parent else None, kind, name, code, place, path, depth)
        unit = {"pk": pk, "path": path, "depth": depth, "code": code}
        if kind == OrgUnit.Kind.CELL:
            rng = self.rng
            unit.update(
                day=rng.choice([1, 2, 3, 3, 3, 5, 5, 5, 10, 10, 15, 20, 25, 28]),
                time=rng.choice(["19:30", "19:30", "19:30", "14:00", "08:00"]),
                weekend=rng.choice(list(ScheduleRule.Weekend.values)),
                # How weak the cell is, 0 (strong) to 1 (weak): most cells are good, a few drag behind.
                weak=rng.betavariate(1.5, 6),
            )
        return unit

    # --- members ----------------------------------------------------------------------------------------------

    def build_members(self, cells):
        total = self.n_cells * self.per_cell
        weights = [self.rng.uniform(0.3, 1.7) for _ in cells]
        scale = total / sum(weights)
        sizes = [max(3, int(w * scale)) for w in weights]
        # Largest remainders up (or the largest cells down) until the total is exact.
        order = sorted(range(len(cells)), key=lambda i: weights[i] * scale - sizes[i], reverse=True)
        i = 0
        while sum(sizes) != total and i < 10 * len(cells):
            k = order[i % len(order)]
            if sum(sizes) < total:
                sizes[k] += 1
            elif sizes[k] > 3:
                sizes[k] -= 1
            i += 1
        people = []
        for cell, size in zip(cells, sizes, strict=True):
            people.append(self._cell_members(cell, size))
        return people

    def _cell_members(self, cell, size):
        rng, today = self.rng, self.today
        window = self.first_month
        # Roughly one cell in eighteen that needs a committee has only its secretary.
        cell["no_committee"] = rng.random() < 0.055
        people = []
        for index in range(size):
            gender = "female" if rng.random() < 0.45 else "male"
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}"
            leader = index < 5  # secretary, deputy and committee come from long-standing official members
            roll = rng.random()
            if leader or roll < 0.80:  # official long before the period
                admitted = window - timedelta(days=rng.randint(400, 12000))
            elif roll < 0.95:  # admitted during the period, official a year later
                admitted = window + timedelta(days=rng.randint(0, max(1, (today - window).days - 400)))
            else:  # recently admitted: still probationary, a few past their twelve months
                admitted = today - timedelta(days=rng.randint(30, 420))
            age = rng.randint(19, 45)
            born = date(admitted.year - age, rng.randint(1, 12), rng.randint(1, 28))
            official = add_years(admitted, 1) + timedelta(days=rng.randint(0, 20))
            if official > today:
                official = None
            elif (today - admitted).days < 420 and rng.random() < 0.4:
                official = None  # probation over, the review for official status still due (domain §8)
            status, since = Member.Status.ACTIVE, admitted
            if not leader:
                roll = rng.random()
                if roll < 0.025:  # elderly, exempted at their request
                    status, born = Member.Status.EXEMPT, date(rng.randint(1935, 1948), rng.randint(1, 12), 1)
                    admitted = date(born.year + rng.randint(22, 35), rng.randint(1, 12), rng.randint(1, 28))
                    official = add_years(admitted, 1)
                elif roll < 0.045:
                    status = Member.Status.AWAY
                elif roll < 0.065:
                    status = Member.Status.VISITING
                elif roll < 0.068:
                    status = Member.Status.SUSPENDED
                elif roll < 0.075:
                    status = Member.Status.TRANSFERRED
                if status != Member.Status.ACTIVE:
                    start = max(admitted + timedelta(days=30), window - timedelta(days=365))
                    since = start + timedelta(days=rng.randint(0, max(0, (today - start).days - 1)))
                    since = min(since, today)
            position = Member.Position.MEMBER
            if index == 0:
                position = Member.Position.SECRETARY
            elif index == 1 and not cell["no_committee"]:
                position = Member.Position.DEPUTY
            elif 2 <= index < 2 + self._committee_size(size) and not cell["no_committee"]:
                position = Member.Position.COMMITTEE
            pk = self.ids[Member]()
            keys = self.names.get(name)
            if keys is None:
                keys = self.names[name] = (sort_key(name)[:600], fold(name)[:300])
            self.members.add(
                pk, cell["pk"], name, keys[0], keys[1], gender, born, f"{pk:08d}", admitted, official, status, since,
                position, demo_phone(rng.randint(10000000, 99999999)),
            )  # fmt: skip
            joined = since if status == Member.Status.VISITING else admitted
            ended = since if status == Member.Status.TRANSFERRED else None
            self.stays.add(pk, cell["pk"], joined, ended, NOTE)
            self.statuses.add(pk, Member.Status.ACTIVE, joined, NOTE)
            if status != Member.Status.ACTIVE:
                self.statuses.add(pk, status, since, NOTE)
            people.append(
                Person(
                    pk=pk, admitted=admitted, official=official, status=status, since=since, position=position,
                    reliability=rng.uniform(0.3, 1.8),
                    talk=0.0 if rng.random() < 0.12 else rng.uniform(0.6, 2.0),  # some never speak
                    drift=set(),
                )
            )  # fmt: skip
        return people

    @staticmethod
    def _committee_size(size):
        """Committee members besides secretary and deputy: none in a small cell, one to three in larger ones."""
        return 0 if size < 10 else 1 if size < 20 else 2 if size < 30 else 3

    # --- meetings -------------------------------------------------------------------------------------------

    def build_meetings(self, cells, people):
        months = [add_months(self.first_month, i) for i in range(12 * self.years)]
        for cell, members in zip(cells, people, strict=True):
            self._cell_meetings(cell, members, months)
            self.loader.maybe_flush()

    def _cell_meetings(self, cell, members, months):
        rng, weak = self.rng, cell["weak"]
        rule = ScheduleRule(day=cell["day"], weekend=cell["weekend"])
        hour, minute = (int(x) for x in cell["time"].split(":"))
        secretary = members[0]
        committee = [p for p in members if p.position != Member.Position.MEMBER and p.status == Member.Status.ACTIVE]
        takers = [p for p in committee if p.position != Member.Position.SECRETARY] or [
            p for p in members[1:4] if p.status == Member.Status.ACTIVE
        ] or [secretary]  # fmt: skip
        self.cell = cell
        self.numbers = defaultdict(int)
        # A few members drift away in a year: unexcused absences in three to five months of it (domain §3).
        for year in {m.year for m in months}:
            if rng.random() < 0.15:
                candidates = [p for p in members if p.position == Member.Position.MEMBER]
                if candidates:
                    drifter = rng.choice(candidates)
                    in_year = [m.month for m in months if m.year == year]
                    drifter.drift |= {(year, m) for m in rng.sample(in_year, min(len(in_year), rng.randint(3, 5)))}
        topics = {}
        for month in [*months, self.this_month]:
            quarter = (month.month - 1) // 3 + 1
            if (month.year, quarter) not in topics:
                pk = self.ids[ThematicTopic]()
                title = TOPICS[(month.year * 4 + quarter) % len(TOPICS)]
                drafter = rng.choice(committee or members)
                self.topics.add(pk, cell["pk"], month.year, quarter, title, drafter.pk)
                topics[month.year, quarter] = (pk, title)
        for month in months:
            day = regular_day(rule, month.year, month.month)
            starts = local_dt(day, hour, minute)
            roll = rng.random()
            if roll < 0.005 + 0.06 * weak:
                pass  # the month's meeting was missed
            elif roll < 0.015 + 0.06 * weak:  # called off; sometimes held again later in the month
                self._meeting(Meeting.Kind.REGULAR, starts, secretary, takers, members, cancelled=True)
                later = day + timedelta(days=rng.randint(5, 12))
                if later.month == month.month and rng.random() < 0.5:
                    self._regular(local_dt(later, hour, minute), secretary, takers, members, committee)
            else:
                moved = None
                if rng.random() < 0.03:  # moved by a few days, within the month
                    shifted = day + timedelta(days=rng.choice([-3, -2, 2, 3, 4, 5, 7]))
                    if shifted.month == month.month and shifted < self.today:
                        moved, starts = starts, local_dt(shifted, hour, minute)
                self._regular(starts, secretary, takers, members, committee, moved=moved)
            if month.month % 3 == 2 and rng.random() < 0.97 - 0.5 * weak:
                topic = topics[month.year, (month.month - 1) // 3 + 1]
                same_day = rng.random() < 0.3
                when = starts + timedelta(hours=2) if same_day else local_dt(day + timedelta(days=7), hour, minute)
                if when.date() < self.today:
                    self._meeting(Meeting.Kind.THEMATIC, when, secretary, takers, members, topic=topic)
        # This month's regular meeting is planned.
        day = regular_day(rule, self.this_month.year, self.this_month.month)
        self._meeting(Meeting.Kind.REGULAR, local_dt(day, hour, minute), secretary, takers, members, planned=True)
        for year, last in sorted(self.numbers.items()):
            self.counters.add(cell["pk"], year, last)

    def _regular(self, starts, secretary, takers, members, committee, moved=None):
        pk = self._meeting(Meeting.Kind.REGULAR, starts, secretary, takers, members, moved=moved)
        if len(committee) >= 3:  # the committee prepares the meeting a few days before
            self._meeting(Meeting.Kind.COMMITTEE, starts - timedelta(days=3), secretary, takers, committee, prepares=pk)

    def _meeting(self, kind, starts, secretary, takers, members, cancelled=False, planned=False, moved=None,
                 prepares=None, topic=None):  # fmt: skip
        rng, cell = self.rng, self.cell
        pk = self.ids[Meeting]()
        taker = rng.choice(takers)
        duration = 60 if kind == Meeting.Kind.COMMITTEE else 120 if kind == Meeting.Kind.THEMATIC else 90
        status, reason = Meeting.Status.HELD, ""
        if cancelled:
            status, reason = Meeting.Status.CANCELLED, rng.choice(["Mưa bão", "Trùng lịch bầu cử", "Dịch bệnh"])
        elif planned:
            status = Meeting.Status.PLANNED
        elif moved:
            reason = rng.choice(["Trùng lịch bầu cử", "Trùng ngày lễ", "Bí thư đi công tác"])
        held = status == Meeting.Status.HELD
        recorded = starts + timedelta(hours=3) if held else None
        self.meetings.add(
            pk, cell["pk"], kind, topic[1] if topic else "", starts, duration, cell["place"], secretary.pk, taker.pk,
            status, reason, prepares, topic[0] if topic else None, starts - timedelta(days=5) if held else None,
            recorded, starts - timedelta(days=20),
        )  # fmt: skip
        if moved:
            detail = {"previous": moved.isoformat(), "new": starts.isoformat(), "reason": reason}
            self.changes.add(pk, "moved", detail, moved - timedelta(days=6))
        if cancelled:
            self.changes.add(pk, "cancelled", {"reason": reason}, starts - timedelta(days=1))
        if held:
            present = self._attendance(pk, kind, starts, members, recorded)
            if kind != Meeting.Kind.COMMITTEE:
                self._minutes(pk, kind, starts, secretary, taker, present)
        return pk

    def _attendance(self, meeting, kind, starts, members, recorded):
        """One row per member convened that day; returns who came, for the minutes."""
        rng, weak = self.rng, self.cell["weak"]
        day = starts.date()
        add = self.attendance.add
        present, attended = [], []
        key = (day.year, day.month)
        regular = kind == Meeting.Kind.REGULAR
        p_absent = 0.04 if kind == Meeting.Kind.COMMITTEE else 0.045 + 0.16 * weak
        p_unexcused = 0.1 + 0.35 * weak
        for person in members:
            category = person.category(day)
            if category is None:
                continue
            official = bool(person.official and person.official <= day)
            reason = ""
            if category == Attendance.Category.AWAY:
                status, reason = Attendance.Status.EXCUSED, "Đi sinh hoạt tạm thời nơi khác"
            elif category == Attendance.Category.EXEMPT:
                if rng.random() < 0.2:
                    status = Attendance.Status.PRESENT
                else:
                    status, reason = Attendance.Status.EXCUSED, "Miễn sinh hoạt đảng"
            elif regular and key in person.drift:
                status = Attendance.Status.UNEXCUSED
            elif rng.random() < p_absent * person.reliability:
                if rng.random() < p_unexcused:
                    status = Attendance.Status.UNEXCUSED
                else:
                    status, reason = Attendance.Status.EXCUSED, rng.choice(EXCUSES)
            else:
                status = Attendance.Status.LATE if rng.random() < 0.05 else Attendance.Status.PRESENT
            add(meeting, person.pk, status, reason, category, official, recorded)
            came = status in (Attendance.Status.PRESENT, Attendance.Status.LATE)
            if came:
                present.append(person)
            attended.append((person, category, official, status, came))
        self.attended = attended
        return present

    def _minutes(self, meeting, kind, starts, secretary, taker, present):
        rng, weak, now = self.rng, self.cell["weak"], self.now
        pk = self.ids[Minutes]()
        day = starts.date()
        # Recent minutes are often still draft or only approved; older ones are signed, but in weak cells.
        recent = (self.today - day).days < 45
        draft, unsigned = (0.4, 0.7) if recent else (0.005 + 0.05 * weak, 0.04 + 0.05 * weak)
        roll = rng.random()
        status = Minutes.Status.LOCKED
        if roll < unsigned:
            status = Minutes.Status.DRAFT if roll < draft else Minutes.Status.APPROVED
        ended = starts + timedelta(minutes=rng.randint(85, 135))
        approved = signed = None
        total, grade = None, ""
        if status != Minutes.Status.DRAFT:
            # Read out and approved at the end of the meeting, or (weak cells more often) days later.
            delay = min(20, int(rng.expovariate(1 / (0.8 + 6 * weak))))
            approved = min(ended if delay == 0 else local_dt(day + timedelta(days=delay), 20), now)
            if status == Minutes.Status.LOCKED:
                signed = min(approved + timedelta(days=rng.choice([0, 0, 1, 2])), now)
            score = max(30.0, min(100.0, rng.gauss(93 - 45 * weak, 8)))
            total = Decimal(f"{score:.1f}")
            grade = "good" if total >= 90 else "fair" if total >= 70 else "average" if total >= 50 else "poor"
        self.minutes.add(
            pk, meeting, status, starts, ended, self.cell["place"], secretary.pk, "Bí thư chi bộ", taker.pk,
            "Biểu dương các đồng chí tích cực; nhắc nhở đảng viên vắng không lý do.",
            "Chi bộ thống nhất đánh giá kết quả tháng qua và triển khai nhiệm vụ tháng tới.", total, grade,
            approved, signed,
        )  # fmt: skip
        # Speakers: a quarter to a half of those present (fewer in weak cells), the talkative more often.
        talkers = sorted((p for p in present if p.talk > 0), key=lambda p: rng.random() ** (1 / p.talk), reverse=True)
        share = rng.uniform(0.3, 0.5) * (1 - weak / 2)
        speakers = talkers[: max(1, min(8, round(share * len(present))))]
        for order, person in enumerate(speakers):
            self.contributions.add(pk, person.pk, order, rng.choice(SPEECHES))
        if kind == Meeting.Kind.REGULAR:
            self._resolution(meeting, pk, day, present)

    def _resolution(self, meeting, minutes, day, present):
        """The vote on the month's resolution, the resolution issued with its number, and one or two tasks."""
        rng = self.rng
        base = voters = 0
        for _person, category, official, status, came in self.attended:
            if not official or category in (Attendance.Category.VISITING, Attendance.Category.AWAY):
                continue
            if category == Attendance.Category.EXEMPT and not came:
                continue
            if status == Attendance.Status.EXCUSED:
                continue
            base += 1
            voters += came
        against = min(voters, rng.choice([0, 0, 0, 0, 1]))
        votes_for = voters - against
        passed = passes(votes_for, base)
        vote = self.ids[Vote]()
        subject = f"Nghị quyết sinh hoạt chi bộ tháng {day.month:02d}/{day.year}"
        self.votes.add(vote, minutes, subject, votes_for, against, base, passed)
        if not passed:
            return
        issued = min(day + timedelta(days=rng.choice([0, 0, 1, 2])), self.today)
        self.numbers[issued.year] += 1
        pk = self.ids[Resolution]()
        self.resolutions.add(
            pk, self.cell["pk"], meeting, vote, Resolution.Kind.REGULAR, subject,
            "Lãnh đạo thực hiện nhiệm vụ tháng tới.", "Tập trung các nhiệm vụ trọng tâm đã thống nhất.",
            "Phân công đảng viên phụ trách.", "Chi ủy kiểm tra, đánh giá tại kỳ sinh hoạt sau.",
            Resolution.Status.ISSUED, issued.year, self.numbers[issued.year], issued, local_dt(issued, 21),
        )  # fmt: skip
        workers = [p for p in present if p.official and p.status == Member.Status.ACTIVE] or present
        if not workers:
            return
        weak = self.cell["weak"]
        for _ in range(rng.choice([1, 1, 2])):
            deadline = day + timedelta(days=rng.randint(15, 25))
            status, percent, completed = Task.Status.OPEN, 0, None
            if deadline >= self.today:
                if rng.random() < 0.5:
                    status, percent = Task.Status.IN_PROGRESS, rng.choice([20, 40, 60, 80])
            else:
                overdue = 0.08 if (self.today - deadline).days < 90 else 0.015
                roll = rng.random()
                if roll < overdue + 0.1 * weak:  # still open after its deadline
                    status, percent = rng.choice([Task.Status.OPEN, Task.Status.IN_PROGRESS]), rng.choice([0, 30, 50])
                    percent = 0 if status == Task.Status.OPEN else percent or 30
                elif roll < overdue + 0.05 + 0.2 * weak:
                    status, percent = Task.Status.NOT_DONE, rng.choice([30, 50, 70])
                    completed = min(deadline + timedelta(days=rng.randint(1, 10)), self.today)
                elif roll < overdue + 0.18 + 0.35 * weak:
                    status, percent = Task.Status.DONE, 100
                    completed = min(deadline + timedelta(days=rng.randint(1, 20)), self.today)
                else:
                    status, percent = Task.Status.DONE, 100
                    completed = deadline - timedelta(days=rng.randint(0, 8))
            self.tasks.add(pk, rng.choice(TASKS), rng.choice(workers).pk, deadline,
                           "Báo cáo kết quả tại kỳ sinh hoạt sau", status, percent, completed)  # fmt: skip


def bench_cell():
    """The cell the page benchmark (bench/pages.py) works in: the middling cell of the 300-cell commune."""
    big = OrgUnit.objects.get(code=f"{CODE}.001")
    cells = list(OrgUnit.objects.cells().filter(path__startswith=big.path).order_by("pk"))
    return cells[len(cells) // 2]


def cell_logins():
    """Logins for the secretary and an ordinary member of `bench_cell()` (bench/pages.py's roles), made once."""
    cell = bench_cell()
    on_roll = Member.objects.on_roll().filter(cell=cell, status=Member.Status.ACTIVE).order_by("pk")
    chosen = {
        "bithu300": on_roll.filter(position=Member.Position.SECRETARY).first(),
        "dangvien300": on_roll.filter(position=Member.Position.MEMBER).first(),
    }
    logins = {}
    for username, member in chosen.items():
        if member is None:
            continue
        user = member.user or User.objects.filter(username=username).first() or User(username=username)
        if user.pk is None or member.user_id != user.pk:
            user.first_name = member.full_name
            user.set_password(PASSWORD)
            user.save()
            Member.objects.filter(user=user).exclude(pk=member.pk).update(user=None)
            member.user = user
            member.save(update_fields=["user"])
        logins[user.username] = member
    return logins
