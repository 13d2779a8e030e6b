"""The reminder scan without Celery beat: `make run` starts it beside the web server, so that with the
embedded default (no Redis) the same reminders still go out. With the real stack, beat does this."""

import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from notifications.tasks import scan_reminders


class Command(BaseCommand):
    help = "Create and send the reminders that are due, every --interval seconds (or once with --once)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Scan once and stop.")
        parser.add_argument("--interval", type=int, default=60, help="Seconds between scans (default 60).")

    def handle(self, *args, once=False, interval=60, **options):
        while True:
            # Sends through Celery: in-process with the embedded default, via the broker otherwise.
            try:
                count = scan_reminders()
            except DatabaseError as exc:
                if once:
                    raise
                # A database that went away for a moment must not end the loop: the next scan catches up.
                self.stderr.write(f"run_reminders: the scan failed ({exc}); trying again in {interval} s")
                close_old_connections()
                count = 0
            if count:
                self.stdout.write(f"run_reminders: {count} message(s) sent or queued")
            if once:
                return
            time.sleep(max(interval, 1))
