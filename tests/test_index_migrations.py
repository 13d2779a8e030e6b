"""The migrations that drop indexes of the big tables touch the indexes alone: no foreign key is dropped and
checked again over every row (what Django's own `db_index=False` does, under a lock that stops every read and
write of attendance or messages for the whole migration)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db
@pytest.mark.parametrize(
    "app, name, indexes",
    [
        ("meetings", "0012_redundant_indexes", ["meetings_attendance_meeting_id_296f48af",
                                                "meetings_attendance_member_id_4b8f2006",
                                                "meetings_meeting_cell_id_9f39bafc"]),
        ("notifications", "0008_subject_indexes", ["meetings_message_about_member_id_c69a2fd0",
                                                   "meetings_message_meeting_id_20a1fc9f",
                                                   "meetings_message_task_id_d2fd4947"]),
    ],
)  # fmt: skip
def test_an_index_dropped_on_a_big_table_leaves_its_foreign_keys_alone(app, name, indexes):
    out = StringIO()
    call_command("sqlmigrate", app, name, stdout=out)
    statements = [line for line in out.getvalue().splitlines() if line and not line.startswith("--")]
    assert statements == [f'DROP INDEX CONCURRENTLY IF EXISTS "{index}";' for index in indexes]


def test_the_units_paths_have_the_finer_statistics_a_commune_s_plan_needs(db):
    """members/0010: with the default sample the planner took a 300-cell commune for 3 cells on 10 × the
    provincial data, and its dashboard read all the commune's resolutions for this month's overdue tasks."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute WHERE attrelid = 'members_orgunit'::regclass AND attname = 'path'"
        )
        assert cursor.fetchone()[0] == 1000
