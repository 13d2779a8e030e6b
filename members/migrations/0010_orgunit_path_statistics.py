"""The planner's statistics of the units' paths, finer: a country's tree has tens of thousands of units, and
with PostgreSQL's default hundred-value sample the planner took a commune's 300 cells (`path LIKE
'…/000000002/%'`) for 3. It then read the commune's every resolution to find this month's overdue tasks
(10,569 on 10 × the provincial data, 18 ms of the commune's dashboard) instead of starting from the month's
tasks (411). With a thousand it expects 279."""

from django.db import migrations

STATISTICS = 1000


def finer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE members_orgunit ALTER COLUMN path SET STATISTICS {STATISTICS}")
        schema_editor.execute("ANALYZE members_orgunit")


def default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE members_orgunit ALTER COLUMN path SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("members", "0009_merge_0008_member_special_statuses_0008_transfers")]

    operations = [migrations.RunPython(finer, default, elidable=False)]
