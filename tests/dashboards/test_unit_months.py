"""A unit's months (`UnitMonth`): the sums of the cells directly below it that a trend above the cells reads."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from dashboards import figures as dashboard
from dashboards import summaries
from dashboards.models import UnitMonth
from dashboards.period import Period

from .conftest import local
from .test_dashboard_changes import at, held

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


def trend_month(unit, month=MARCH):
    """The trend's row for `month` as the dashboard shows it (12 months up to June 2026)."""
    with at(local(2026, 6, 20, 9, 0)):
        data = dashboard.build(unit, Period.of("year", date(2026, 6, 1)))
    return next(row for row in data["trend"] if row["month"] == month)


def test_a_communes_trend_adds_up_its_cells_months(
    province, commune, cell, sibling_cell, other_cell, make_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a, b = make_member(cell), make_member(cell)
        c = make_member(sibling_cell)
        d = make_member(other_cell)
        held(cell, local(2026, 3, 5, 19, 30), {a: "present", b: "unexcused"})
        held(sibling_cell, local(2026, 3, 12, 19, 30), {c: "present"})
        held(other_cell, local(2026, 3, 20, 19, 30), {d: "late"})
    row = trend_month(commune)
    assert (row["regular_months"], row["attendance_base"], row["attendance_present"], row["unexcused"]) == (2, 3, 2, 1)
    assert row["attendance_rate"] == 66.7
    row = trend_month(province)
    assert (row["regular_months"], row["attendance_base"], row["attendance_present"], row["unexcused"]) == (3, 4, 3, 1)
    assert trend_month(cell)["attendance_rate"] == 50.0
    assert summaries.check() == []


def test_a_cell_placed_under_another_commune_takes_its_months_along(
    province, commune, cell, sibling_cell, other_commune, make_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a, c = make_member(cell), make_member(sibling_cell)
        held(cell, local(2026, 3, 5, 19, 30), {a: "present"})
        held(sibling_cell, local(2026, 3, 12, 19, 30), {c: "unexcused"})
    assert trend_month(commune)["regular_months"] == 2
    assert trend_month(other_commune)["regular_months"] == 0

    with django_capture_on_commit_callbacks(execute=True):
        cell.parent = other_commune
        cell.save()

    moved = trend_month(other_commune)
    assert (moved["regular_months"], moved["attendance_present"], moved["unexcused"]) == (1, 1, 0)
    left = trend_month(commune)
    assert (left["regular_months"], left["attendance_present"], left["unexcused"]) == (1, 0, 1)
    assert trend_month(province)["regular_months"] == 2  # the province had both all along
    assert summaries.check() == []


def test_a_check_finds_a_units_month_that_differs_from_its_cells(
    commune, cell, make_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a = make_member(cell)
        held(cell, local(2026, 3, 5, 19, 30), {a: "present"})
    UnitMonth.objects.filter(unit=commune, month=MARCH).update(present_core=7)
    assert summaries.check() == [("unit_months", (commune.pk, MARCH), "present_core", 7, 1)]
    summaries.rebuild()
    assert summaries.check() == []
    assert UnitMonth.objects.get(unit=commune, month=MARCH).present_core == 1


@pytest.mark.django_db(transaction=True)
def test_two_cells_of_a_commune_refreshed_at_once_are_both_counted(commune, cell, sibling_cell, make_member):
    """The commune's sum reads its cells' months as committed: the second refresh waits for the first one's
    commit, or the commune would miss the first cell's change (or the two would write the same row)."""
    with summaries.paused():  # the changes are there, the summary rows not yet: the refreshes below count them
        a, c = make_member(cell), make_member(sibling_cell)
        held(cell, local(2026, 3, 5, 19, 30), {a: "present"})
        held(sibling_cell, local(2026, 3, 12, 19, 30), {c: "present"})
    first, second = summaries.Batch(), summaries.Batch()
    first.cell_months.add((cell.pk, MARCH))
    second.cell_months.add((sibling_cell.pk, MARCH))
    errors = []

    def refresh_second():
        try:
            summaries.flush(second)
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    with transaction.atomic():
        summaries.flush(first)  # holds the commune's lock until this transaction commits
        thread = threading.Thread(target=refresh_second)
        thread.start()
        thread.join(1)
        assert thread.is_alive(), "the second refresh did not wait for the first one's commit"
    thread.join(30)
    assert errors == []
    row = UnitMonth.objects.get(unit=commune, month=MARCH)
    assert (row.regular_months, row.present_core) == (2, 2)
    # (The members' years were left to another refresh: only the months are checked.)
    assert [p for p in summaries.check() if p[0] in ("cell_months", "unit_months")] == []
