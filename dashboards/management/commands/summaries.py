"""Rebuild or check the dashboards' summary tables against the source."""

import time

from django.core.management.base import BaseCommand, CommandError

from dashboards import summaries


class Command(BaseCommand):
    help = "Check the dashboards' summary tables against a fresh count (--check), or rebuild them (--rebuild)."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Count everything again and rewrite the tables.")
        parser.add_argument("--check", action="store_true", help="Compare the tables with a fresh count.")

    def handle(self, *args, rebuild=False, check=False, **options):
        if not (rebuild or check):
            raise CommandError("Say --rebuild, --check, or both.")
        if rebuild:
            started = time.monotonic()
            written = summaries.rebuild()
            summaries.vacuum_analyze()
            self.stdout.write(
                f"Rebuilt in {time.monotonic() - started:.1f} s: {written['cell_months']} cell-months, "
                f"{written['member_years']} member-years, {written['cells']} cells."
            )
        if check:
            started = time.monotonic()
            problems = summaries.check()
            for table, key, field, stored, counted in problems[:50]:
                self.stdout.write(f"{table} {key} {field}: stored {stored}, counted {counted}")
            if problems:
                raise CommandError(f"{len(problems)} differences between the summary tables and the source.")
            self.stdout.write(f"The summary tables agree with the source ({time.monotonic() - started:.1f} s).")
