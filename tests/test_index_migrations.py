"""The migrations that drop indexes of the big tables touch the indexes alone: no foreign key is dropped and
checked again over every row (what Django's own `db_index=False` does, under a lock that stops every read and
write of attendance or messages for the whole migration)."""

from io import StringIO

import pytest
from django.core.management import call_command


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
