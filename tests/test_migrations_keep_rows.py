"""An existing database upgrades with `manage.py migrate` alone and keeps every row.

A database is built and filled (`seed_demo`) by the code of an earlier commit, then migrated by today's code;
every table that existed keeps its rows, to the byte. When models move between apps (the layout issue), set
BEFORE to the last commit before the move: the tables must stay, and so must their content."""

import subprocess
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from members import phones
from tests.test_settings import BASE_DIR, clean_env, run

# Today's schema changes came after this commit (chibo.DeferredTask, members.MemberImport).
BEFORE = "86c143a6b42c151ace6e853b75ba0f9c3fcb0136"
# Tables a migration is meant to change: its own bookkeeping, the content types an app move renames, and the
# permissions of new models (rows are added there, the old ones stay).
BOOKKEEPING = {"django_migrations", "django_content_type"}
GROWING = {"auth_permission"}
# Columns a data migration rewrites on purpose, compared apart: the phone numbers become E.164 (members 0003).
REWRITTEN = {"members_member": ["phone"]}
# Models that left meetings/ for another app since BEFORE (the layout issue): model → its app now.
# (app before, model) → app now
MOVED = {
    ("meetings", "message"): "notifications",
    ("meetings", "cellmonth"): "dashboards",
    ("meetings", "cellstatus"): "dashboards",
    ("meetings", "memberyear"): "dashboards",
    ("meetings", "cellyear"): "dashboards",
    ("meetings", "dashboardreport"): "dashboards",
    ("meetings", "minutes"): "minutes",
    ("meetings", "minutessection"): "minutes",
    ("meetings", "contribution"): "minutes",
    ("meetings", "minutestask"): "minutes",
    ("meetings", "minutesrevision"): "minutes",
    ("meetings", "addendum"): "minutes",
    ("meetings", "qualitypolicy"): "minutes",
    ("resolutions", "vote"): "minutes",
}


def server_url(name):
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    netloc = f"{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return urlunsplit(("postgres", netloc, f"/{name}", "", ""))


def connect(name):
    parts = urlsplit(server_url(name))
    return psycopg2.connect(
        dbname=name, user=parts.username, password=parts.password or None, host=parts.hostname, port=parts.port
    )


def columns(name):
    """Each table's columns."""
    with connect(name) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'")
        found = {}
        for table, column in cursor.fetchall():
            found.setdefault(table, set()).add(column)
    conn.close()
    return found


def snapshot(name, earlier_columns=None):
    """Each table's rows, as a digest per row: every column, every value, but the REWRITTEN columns and, given
    the columns of an earlier snapshot, those added since (a new field's value is not a row changed)."""
    now = columns(name)
    with connect(name) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        found = {}
        for table in tables:
            added = now[table] - earlier_columns.get(table, now[table]) if earlier_columns else set()
            left_out = "".join(f" - '{column}'" for column in sorted({*REWRITTEN.get(table, []), *added}))
            cursor.execute(f'SELECT md5((to_jsonb(t){left_out})::text) FROM "{table}" t')
            found[table] = sorted(row[0] for row in cursor.fetchall())
    conn.close()
    return found


def years_to_date(name):
    """(cell-years counted in months, December rows of the years to date, December rows that differ from the sum
    of their year's months)."""
    with connect(name) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT (cell_id, extract(year FROM month))) FROM meetings_cellmonth")
        years = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM dashboards_cellyeartodate WHERE extract(month FROM month) = 12")
        decembers = cursor.fetchone()[0]
        cursor.execute("""
            SELECT count(*) FROM dashboards_cellyeartodate t
              JOIN (SELECT cell_id, extract(year FROM month) AS year, sum(base_core) AS base_core,
                           sum(unexcused) AS unexcused, sum(minutes_approved) AS minutes_approved,
                           count(*) FILTER (WHERE regular_held > 0) AS regular_months
                      FROM meetings_cellmonth GROUP BY 1, 2) m
                ON m.cell_id = t.cell_id AND m.year = extract(year FROM t.month)
             WHERE extract(month FROM t.month) = 12
               AND (t.base_core, t.unexcused, t.minutes_approved, t.regular_months)
                   IS DISTINCT FROM (m.base_core, m.unexcused, m.minutes_approved, m.regular_months)
        """)
        wrong = cursor.fetchone()[0]
    conn.close()
    return years, decembers, wrong


def content_type_id(name, app_label, model):
    with connect(name) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT id FROM django_content_type WHERE app_label = %s AND model = %s", [app_label, model])
        row = cursor.fetchone()
    conn.close()
    return row[0] if row else None


def phone_numbers(name):
    with connect(name) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT id, phone FROM members_member WHERE phone <> ''")
        found = dict(cursor.fetchall())
    conn.close()
    return found


def normalised_or_none(raw):
    try:
        return phones.normalise(raw)
    except ValidationError:
        return None


@pytest.fixture
def database():
    name = f"chibo_migrate_{uuid.uuid4().hex[:12]}"
    admin = connect("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_a_database_filled_by_an_earlier_version_keeps_every_row(tmp_path, database):
    old = tmp_path / "old"
    old.mkdir()
    archive = subprocess.run(["git", "-C", str(BASE_DIR), "archive", BEFORE], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    env = clean_env(tmp_path, DJANGO_SETTINGS_MODULE="chibo.settings", DEBUG="true",
                    DATABASE_URL=server_url(database))  # fmt: skip
    old_run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "manage.py", *args], cwd=old, env=env, capture_output=True, text=True, timeout=300
    )
    for step in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        result = old_run(*step)
        assert result.returncode == 0, result.stdout + result.stderr
    before, before_columns = snapshot(database), columns(database)
    phone_numbers_before = phone_numbers(database)
    assert len(phone_numbers_before) > 50
    moved = {model: content_type_id(database, *model) for model in MOVED}
    assert len(before["members_member"]) > 50 and len(before["meetings_attendance"]) > 500  # a lived-in demo

    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env, timeout=300)
    run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], env)
    after = snapshot(database, before_columns)
    # Columns are only ever added: none dropped, none renamed.
    assert {table: cols - columns(database).get(table, set()) for table, cols in before_columns.items()} == {
        table: set() for table in before_columns
    }
    phone_numbers_after = phone_numbers(database)

    assert set(before) <= set(after), f"tables dropped: {sorted(set(before) - set(after))}"
    kept = set(before) - BOOKKEEPING
    lost = {table: len(set(before[table]) - set(after[table])) for table in kept}
    assert {table: count for table, count in lost.items() if count} == {}  # no row lost or changed
    added = {table: len(after[table]) - len(before[table]) for table in kept - GROWING}
    assert {table: count for table, count in added.items() if count} == {}  # and none added
    assert len(after["django_content_type"]) >= len(before["django_content_type"])
    # A model that moved app keeps its content type (so its permissions and admin history): renamed, not new.
    assert {(old, model): content_type_id(database, app, model) for (old, model), app in MOVED.items()} == moved
    assert {model: content_type_id(database, *model) for model in MOVED} == dict.fromkeys(MOVED)
    # The phone numbers: every one that is a number is now E.164, the same number; the others are as they were.
    assert phone_numbers_after == {pk: (normalised_or_none(raw) or raw) for pk, raw in phone_numbers_before.items()}
    # The cells' years to date, a table added since, are filled from the months counted before.
    years, decembers, wrong = years_to_date(database)
    assert years > 5 and (decembers, wrong) == (years, 0)
