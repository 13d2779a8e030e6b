"""Migration steps for the big tables, whose indexes are dropped without locking them."""

from django.db import migrations


def drop_index(name, table, column):
    """Drop the index `name` on `table`(`column`), and build it back when the migration is reversed.

    Django's own way (a foreign key's `db_index=False`) drops and re-creates the foreign key with the index, which
    checks every row again under a lock that stops every read and write of the table for the whole migration:
    minutes on attendance's tens of millions of rows. On PostgreSQL this drops the index CONCURRENTLY instead (the
    migration must be `atomic = False`), and nothing else; pair it with the field's new state in
    `SeparateDatabaseAndState`."""

    def run(schema_editor, statement):
        concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
        schema_editor.execute(statement.format(concurrently=concurrently))

    def forward(apps, schema_editor):
        run(schema_editor, f'DROP INDEX{{concurrently}} IF EXISTS "{name}"')

    def backward(apps, schema_editor):
        run(schema_editor, f'CREATE INDEX{{concurrently}} IF NOT EXISTS "{name}" ON "{table}" ("{column}")')

    return migrations.RunPython(forward, backward)
