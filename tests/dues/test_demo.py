"""The demo's dues: a year in each cell, one member of Chi bộ thôn Đông three months behind."""

from datetime import date

import pytest
import time_machine

from dues import services
from dues.demo import seed_dues
from dues.models import DuesEntry, DuesReport
from members.demo import seed_organisation

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-12-05 09:00 +0700")
def test_the_demo_has_a_year_of_dues_and_one_member_in_arrears():
    today = date(2026, 12, 5)
    units = seed_organisation(today)
    east, other = units["HY.TH.01"], units["HY.PH.02"]
    assert seed_dues(east, today) > 0 and seed_dues(other, today) > 0
    assert seed_dues(east, today) == 0  # idempotent
    months = sorted(set(DuesEntry.objects.filter(cell=east).values_list("month", flat=True)))
    assert (months[0], months[-1], len(months)) == (date(2026, 1, 1), date(2026, 12, 1), 12)
    flagged = services.removal_flags(east.members.all(), 2026, today)
    assert [[m.month for m in months] for months in flagged.values()] == [[9, 10, 11]]
    assert services.removal_flags(other.members.all(), 2026, today) == {}
    # The last month's report is left for the secretary; the earlier ones were received.
    assert services.unsent_reports([east], today) == [(east, [date(2026, 11, 1)])]
    assert DuesReport.objects.filter(cell=east, status="received").count() == 10
