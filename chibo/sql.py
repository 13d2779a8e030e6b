"""SQL written out, read as the ORM reads it: for the few queries Django takes longer to build and compile
than the database takes to run (issue 17). Portable: PostgreSQL, and SQLite for `make run`."""

from django.db import connections


def one_row(sql, params, using):
    """The one row `sql` gives, its parameters adapted as a raw queryset's are (SQLite takes a datetime as text
    in UTC)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_unknown_value(param) for param in params])
        return cursor.fetchone()


def rows(sql, params, using):
    """The rows `sql` gives, its parameters adapted as in `one_row`."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_unknown_value(param) for param in params])
        return cursor.fetchall()


def as_read(field, using):
    """A function giving a value of `field` read by SQL written out as the ORM gives it: the columns a raw
    query adds to its model's come as the driver gives them (SQLite gives a datetime as text)."""
    connection = connections[using]
    column = field.get_col(field.model._meta.db_table)
    # The backend's converters, then the field's own (`from_db_value`: a JSONField's text decoded).
    converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)

    def read(value):
        for convert in converters:
            value = convert(value, column, connection)
        return value

    return read
