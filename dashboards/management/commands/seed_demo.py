"""Build a small, realistic organisation to try Chibo with, one login per role, and a lived-in year of
meetings for each cell (the last twelve months held, the next two planned), with their minutes, resolutions
and study sessions.

Running it again changes nothing that is already there (units by code, users by username, and a cell
that has members keeps them), except that the demo passwords are set again. It lives here, in the app at
the top of the imports, because it seeds every app below.
"""

import io

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from chibo import bulk
from dues.demo import seed_dues
from meetings.demo import seed_cell
from members.demo import DEMO_PASSWORD, LOGINS, seed_organisation
from minutes.demo import seed_minutes
from resolutions.demo import seed_resolutions, seed_study


class Command(BaseCommand):
    help = "Load the demo organisation, members and one login per role (idempotent)."

    def handle(self, *args, **options):
        # Bulk loading: the dashboards' summary rows are rebuilt once at the end, not row by row.
        with bulk.loading(), transaction.atomic():
            self._load()
            call_command("summaries", rebuild=True, stdout=io.StringIO())
        self._print_logins()

    def _load(self):
        today = timezone.localdate()
        units = seed_organisation(today)
        cells = [unit for unit in units.values() if unit.is_cell]
        for unit in cells:
            seed_cell(unit, today)
            seed_dues(unit, today)  # before the minutes: signed minutes freeze the dues report they open with
            seed_minutes(unit, today)
            seed_resolutions(unit, today)
        seed_study(units["HY"], cells, today)

    def _print_logins(self):
        self.stdout.write(self.style.SUCCESS("Demo logins (password for all: %s)" % DEMO_PASSWORD))
        for username, label, _how, _target in LOGINS:
            self.stdout.write(f"  {username:<12} {label}")
