"""What the nightly pruning of messages costs (notifications/retention.py), on a scale data set.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_scale .venv/bin/python bench/prune.py

It changes the data set: first it gives every attendance row of a held meeting the two messages a member gets
(the invitation a week before, the reminder the day before, each delivered by Zalo with its delivery row),
written in the order of their time as Chibo writes them, for those not there yet; then it prunes as the
nightly task does, with MESSAGE_RETENTION_DAYS as set (400 by default), and prints the rows it deleted and
how fast; then it prunes again, as the next night would with nothing new to delete. Running it again fills
the pruned months anew. The last line printed is one JSON object.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from notifications import retention  # noqa: E402
from notifications.models import Delivery, Message  # noqa: E402

FILL = """
    WITH made AS (
        INSERT INTO {message} (kind, key, status, attempts, last_error, created_at, sent_at, delivered_at,
                               meeting_id, member_id, channel)
        SELECT k.kind, '', 'delivered', 1, '', m.starts_at - k.before, m.starts_at - k.before,
               m.starts_at - k.before, m.id, a.member_id, 'zalo'
          FROM {attendance} a
          JOIN {meeting} m ON m.id = a.meeting_id
         CROSS JOIN (VALUES ('invitation', interval '7 days'), ('reminder', interval '1 day')) AS k(kind, before)
         WHERE m.status = 'held'
         ORDER BY m.starts_at - k.before, m.id, a.member_id
        ON CONFLICT DO NOTHING
        RETURNING id, created_at
    )
    INSERT INTO {delivery} (message_id, channel, address, provider_id, status, error, units, created_at)
    SELECT id, 'zalo', '', '', 'delivered', '', 1, created_at FROM made
"""


def table_mb(model):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [model._meta.db_table])
        return cursor.fetchone()[0] / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-fill", action="store_true", help="Prune what is there; write no messages first.")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/prune.py measures PostgreSQL: set DATABASE_URL.")

    def out(line=""):
        print(line, flush=True)

    result = {"retention_days": settings.MESSAGE_RETENTION_DAYS}
    if not args.no_fill:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(FILL.format(
                message=Message._meta.db_table, delivery=Delivery._meta.db_table,
                attendance="meetings_attendance", meeting="meetings_meeting",
            ))  # fmt: skip
            result["filled"] = cursor.rowcount
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Message._meta.db_table}")
            cursor.execute(f"VACUUM ANALYZE {Delivery._meta.db_table}")
        result["fill_s"] = round(time.perf_counter() - started, 1)
        out(f"Filled {result['filled']:,} messages, each with its delivery, in {result['fill_s']} s.")
    result["messages_before"] = Message.objects.count()
    result["messages_mb_before"] = round(table_mb(Message) + table_mb(Delivery))
    out(f"Before: {result['messages_before']:,} messages; messages and deliveries {result['messages_mb_before']:,} MB.")

    started = time.perf_counter()
    result["pruned"] = retention.prune()
    result["prune_s"] = round(time.perf_counter() - started, 1)
    result["rows_per_s"] = round(result["pruned"] / max(result["prune_s"], 0.001))
    out(f"Pruned {result['pruned']:,} messages older than {settings.MESSAGE_RETENTION_DAYS} days (and their "
        f"deliveries) in {result['prune_s']} s: {result['rows_per_s']:,} messages/s.")  # fmt: skip

    started = time.perf_counter()
    again = retention.prune()
    result["next_night_ms"] = round((time.perf_counter() - started) * 1000, 1)
    out(f"The next night, with nothing older: {again} pruned in {result['next_night_ms']} ms.")
    result["messages_after"] = Message.objects.count()
    out(f"After: {result['messages_after']:,} messages (the files keep their size until VACUUM reuses the space).")
    out()
    out(json.dumps(result))


if __name__ == "__main__":
    main()
