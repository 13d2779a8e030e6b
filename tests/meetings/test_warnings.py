from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from meetings.models import Guidance, Meeting
from meetings.warnings import cell_warnings, warnings_for_cells

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_of_meetings(cell, make_meeting):
    """Regular meetings held February to October 2026 but July; thematic in March and August."""
    for month in [2, 3, 4, 5, 6, 8, 9, 10]:
        make_meeting(cell, local(2026, month, 3, 19, 30), status=Meeting.Status.HELD)
    make_meeting(cell, local(2026, 7, 3, 19, 30), status=Meeting.Status.CANCELLED)
    for month in (3, 8):
        make_meeting(cell, local(2026, month, 20, 19, 30), kind=Meeting.Kind.THEMATIC, status=Meeting.Status.HELD)
    # A thematic meeting in July does not stand in for July's regular meeting.
    make_meeting(cell, local(2026, 7, 20, 19, 30), kind=Meeting.Kind.THEMATIC, status=Meeting.Status.HELD)
    return cell


def test_missing_months_and_quarters_are_reported(year_of_meetings):
    with time_machine.travel("2026-11-21 09:00 +0700"), translation.override("en"):
        warnings = cell_warnings(year_of_meetings, date(2026, 11, 21))
    assert warnings == [
        "No regular meeting was held in 07/2026.",
        "No regular meeting is planned for this month.",
        "Quarter 2 of 2026 passed without a thematic meeting.",
    ]


def test_a_planned_meeting_covers_the_current_month_and_a_quarter_ending_is_flagged(year_of_meetings, make_meeting):
    make_meeting(year_of_meetings, local(2026, 11, 28, 19, 30), status=Meeting.Status.HELD)
    make_meeting(year_of_meetings, local(2026, 12, 10, 19, 30), status=Meeting.Status.PLANNED)
    with time_machine.travel("2026-12-05 09:00 +0700"), translation.override("en"):
        warnings = cell_warnings(year_of_meetings, date(2026, 12, 5))
    assert warnings == [
        "No regular meeting was held in 07/2026.",
        "Quarter 2 of 2026 passed without a thematic meeting.",
        "Quarter 4 is ending and no thematic meeting is planned.",
    ]


def test_a_planned_meeting_that_never_took_place_does_not_cover_its_month(cell, make_meeting):
    make_meeting(cell, local(2026, 9, 3, 19, 30), status=Meeting.Status.HELD)
    make_meeting(cell, local(2026, 10, 3, 19, 30), status=Meeting.Status.PLANNED)
    make_meeting(cell, local(2026, 11, 3, 19, 30), status=Meeting.Status.HELD)
    warnings = cell_warnings(cell, date(2026, 11, 21))
    assert any("10/2026" in warning for warning in warnings)


def test_a_new_cell_is_judged_from_its_first_meeting(cell, make_meeting):
    make_meeting(cell, local(2026, 10, 3, 19, 30), status=Meeting.Status.HELD)
    make_meeting(cell, local(2026, 11, 3, 19, 30), status=Meeting.Status.HELD)
    assert cell_warnings(cell, date(2026, 11, 21)) == []


def test_warnings_for_many_cells_take_one_query(cell, sibling_cell, make_meeting, django_assert_num_queries):
    make_meeting(cell, local(2026, 11, 3, 19, 30), status=Meeting.Status.HELD)
    # the months each cell's meetings cover, and each cell's first month, in one round trip
    with django_assert_num_queries(1):
        warnings = warnings_for_cells([cell.pk, sibling_cell.pk], date(2026, 11, 21))
    assert warnings[cell.pk] == [] and len(warnings[sibling_cell.pk]) == 1


def test_the_commune_sees_its_cells_to_follow_up(client, commune_viewer, cell, sibling_cell, make_meeting):
    make_meeting(cell, local(2026, 10, 3, 19, 30), status=Meeting.Status.HELD)
    client.force_login(commune_viewer)
    with time_machine.travel("2026-11-21 09:00 +0700"):
        page = client.get(reverse("members:unit", args=[cell.parent_id]))
    flagged = {unit.code: items for unit, items in page.context["cell_warnings"]}
    assert set(flagged) == {"P.C1.1", "P.C1.2"}


@time_machine.travel("2026-11-25 09:00 +0700")
def test_guidance_shows_in_every_regular_meeting_below_for_its_month(client, commune_admin, member, cell,
                                                                     other_cell, make_meeting, outsider):  # fmt: skip
    client.force_login(commune_admin)
    response = client.post(
        reverse("meetings:guidance", args=[cell.parent_id]),
        {"month": "15/12/2026", "title": "Học tập Nghị quyết", "body": "Quán triệt nghị quyết mới."},
    )
    assert response.status_code == 302
    assert Guidance.objects.get().month == date(2026, 12, 1)
    december = make_meeting(cell, local(2026, 12, 3, 19, 30))
    thematic = make_meeting(cell, local(2026, 12, 20, 19, 30), kind=Meeting.Kind.THEMATIC)
    january = make_meeting(cell, local(2027, 1, 3, 19, 30))
    elsewhere = make_meeting(other_cell, local(2026, 12, 3, 19, 30))
    client.force_login(member)
    shown = lambda m: [g.title for g in client.get(reverse("meetings:detail", args=[m.pk])).context["guidance"]]  # noqa: E731
    assert shown(december) == ["Học tập Nghị quyết"]
    assert shown(thematic) == [] and shown(january) == []
    client.force_login(outsider)
    assert shown(elsewhere) == []


def test_months_are_vietnams_for_a_meeting_early_on_the_first(cell, make_meeting):
    # 06:00 on 1 March in Vietnam is 23:00 UTC on 28 February.
    make_meeting(cell, local(2026, 3, 1, 6, 0), status=Meeting.Status.HELD)
    make_meeting(cell, local(2026, 4, 1, 6, 0), status=Meeting.Status.HELD)
    with translation.override("en"):
        # Only the thematic meeting is missing; no month is, and February was before the first meeting.
        assert cell_warnings(cell, date(2026, 4, 20)) == ["Quarter 1 of 2026 passed without a thematic meeting."]


def test_guidance_published_after_the_months_meeting_goes_to_the_next_one(client, member, cell, make_meeting):
    november = make_meeting(cell, local(2026, 11, 3, 19, 30), status=Meeting.Status.HELD)
    december = make_meeting(cell, local(2026, 12, 3, 19, 30))
    with time_machine.travel("2026-11-10 09:00 +0700"):
        Guidance.objects.create(unit=cell.parent, month=date(2026, 11, 1), title="Muộn", body="…")
    client.force_login(member)
    shown = [g.title for g in client.get(reverse("meetings:detail", args=[december.pk])).context["guidance"]]
    assert shown == ["Muộn"]
    assert client.get(reverse("meetings:detail", args=[november.pk])).context["guidance"] == []


@pytest.fixture
def year_without_december(cell, make_meeting):
    """Regular meetings held every month of 2026 but December; thematic meetings in Q1, Q2 and Q3 only."""
    for month in range(1, 12):
        make_meeting(cell, local(2026, month, 3, 19, 30), status=Meeting.Status.HELD)
    for month in (1, 5, 9):
        make_meeting(cell, local(2026, month, 20, 19, 30), kind=Meeting.Kind.THEMATIC, status=Meeting.Status.HELD)
    make_meeting(cell, local(2027, 1, 3, 19, 30), status=Meeting.Status.PLANNED)
    return cell


@pytest.mark.parametrize("today", [date(2027, 1, 1), date(2027, 1, 20)])
def test_a_december_and_a_fourth_quarter_without_meetings_are_still_flagged_next_year(year_without_december, today):
    with translation.override("en"):
        warnings = cell_warnings(year_without_december, today)
    # The first quarter's thematic meeting (January 2026) is older than the twelve months and still counts.
    assert warnings == [
        "No regular meeting was held in 12/2026.",
        "Quarter 4 of 2026 passed without a thematic meeting.",
    ]


def test_a_missed_month_stays_flagged_for_a_year(year_without_december):
    with translation.override("en"):
        assert "No regular meeting was held in 12/2026." in cell_warnings(year_without_december, date(2027, 11, 30))
        assert not any("2026" in w for w in cell_warnings(year_without_december, date(2027, 12, 1)))


def test_the_commune_sees_a_december_missed_from_the_first_of_january(
    client, commune_viewer, cell, year_without_december
):
    with time_machine.travel("2027-01-01 08:00 +0700"):
        client.force_login(commune_viewer)  # inside: a session opened a month earlier has expired
        page = client.get(reverse("members:unit", args=[cell.parent_id]))
    flagged = {unit.pk: items for unit, items in page.context["cell_warnings"]}
    assert flagged[cell.pk] == [
        "Tháng 12/2026 không có buổi sinh hoạt thường kỳ.",
        "Quý 4 năm 2026 không có buổi sinh hoạt chuyên đề.",
    ]


def test_the_cell_sees_its_december_missed_on_its_meetings_page(client, secretary, cell, year_without_december):
    with time_machine.travel("2027-01-01 08:00 +0700"):
        client.force_login(secretary)
        page = client.get(reverse("meetings:calendar", args=[cell.pk]))
    assert "Tháng 12/2026 không có buổi sinh hoạt thường kỳ." in page.content.decode()
