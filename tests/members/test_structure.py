"""A cell's structure (domain §8): too few official members, a committee needed, a candidate party committee;
shown on the cell's member list, on the unit pages above and in the dashboards."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from dashboards import figures as dashboard
from dashboards.period import Period
from members import structure
from members.models import Member

pytestmark = pytest.mark.django_db


def fill(make_member, cell, official=0, probationary=0, visiting=0, **fields):
    for i in range(official):
        make_member(cell, f"Nguyễn Văn Chính {i}", **fields)
    for i in range(probationary):
        admitted = date(2026, 3, 1)
        make_member(cell, f"Trần Văn Dự {i}", admitted_on=admitted, official_on=None, status_since=admitted)
    for i in range(visiting):
        make_member(cell, f"Lê Văn Đến {i}", status=Member.Status.VISITING)


def shape(cell):
    return structure.of_cells([cell.pk], date.today())[cell.pk]


def test_two_official_members_are_not_a_valid_cell_whatever_else_is_on_the_roll(cell, make_member):
    fill(make_member, cell, official=2, probationary=3, visiting=2)
    found = shape(cell)
    assert (found.official, found.own_members, found.too_small) == (2, 5, True)
    make_member(cell, "Phạm Văn Ba")
    assert shape(cell).too_small is False


def test_nine_official_members_need_a_committee_which_three_committee_positions_make(cell, make_member):
    fill(make_member, cell, official=8)
    make_member(cell, "Trần Văn Bí", position=Member.Position.SECRETARY)
    found = shape(cell)
    assert (found.committee_required, found.committee_missing) == (True, True)
    make_member(cell, "Đỗ Văn Phó", position=Member.Position.DEPUTY)
    make_member(cell, "Hồ Văn Ủy", position=Member.Position.COMMITTEE)
    found = shape(cell)
    assert (found.official, found.committee_required, found.committee_missing) == (11, True, False)


def test_thirty_members_of_its_own_make_a_candidate_party_committee(cell, make_member):
    fill(make_member, cell, official=25, probationary=4, visiting=3)
    assert shape(cell).party_committee_candidate is False  # 29 of its own: those visiting count at home
    make_member(cell, "Phạm Văn Ba Mươi", admitted_on=date(2026, 2, 1), official_on=None, status_since=date(2026, 2, 1))
    assert shape(cell).party_committee_candidate is True


def test_the_thresholds_are_settings(cell, make_member, settings):
    fill(make_member, cell, official=4)
    settings.CELL_MIN_OFFICIAL, settings.PARTY_COMMITTEE_MEMBERS = 5, 4
    found = shape(cell)
    assert (found.too_small, found.party_committee_candidate) == (True, True)


def test_the_cells_member_list_says_it_is_too_small(client, secretary, cell, make_member):
    make_member(cell, "Lê Văn Hai")
    client.force_login(secretary)
    page = client.get(reverse("members:list", args=[cell.pk])).content.decode()
    assert "Chỉ có 2 đảng viên chính thức: chi bộ cần ít nhất 3." in page


def test_a_cell_of_the_right_size_shows_no_structure_warning(client, secretary, cell, make_member):
    fill(make_member, cell, official=4)
    client.force_login(secretary)
    response = client.get(reverse("members:list", args=[cell.pk]))
    assert response.context["structure_warnings"] == []
    assert 'id="structure-warnings"' not in response.content.decode()


def test_the_commune_page_names_the_cells_whose_structure_asks_for_attention(
    client, commune_viewer, commune, cell, sibling_cell, make_member
):
    fill(make_member, cell, official=9)
    fill(make_member, sibling_cell, official=4)
    client.force_login(commune_viewer)
    response = client.get(reverse("members:unit", args=[commune.pk]))
    assert [(c.pk, items) for c, items in response.context["structure_warnings"]] == [
        (cell.pk, ["9 đảng viên chính thức: chi bộ cần có chi ủy (bí thư, phó bí thư và chi ủy viên)."])
    ]


def test_another_branch_sees_nothing_of_the_cell(client, viewer_other_branch, commune, cell, make_member):
    fill(make_member, cell, official=1)
    client.force_login(viewer_other_branch)
    assert client.get(reverse("members:unit", args=[commune.pk])).status_code == 404
    assert client.get(reverse("members:list", args=[cell.pk])).status_code == 404


def test_the_dashboards_list_the_cells_too_small_and_the_candidates(
    client, commune_viewer, commune, cell, sibling_cell, make_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fill(make_member, cell, official=2)
        fill(make_member, sibling_cell, official=28, visiting=1, probationary=2)
    with time_machine.travel("2026-11-20 10:00 +0700", tick=False):
        data = dashboard.build(commune, Period.of("year", date(2026, 11, 1)))
        client.force_login(commune_viewer)
        page = client.get(reverse("meetings:dashboard_cells", args=[commune.pk]) + "?show=party_committee")
    assert [r["name"] for r in data["action"]["too_small"]] == [cell.name]
    assert [r["name"] for r in data["action"]["party_committee"]] == [sibling_cell.name]
    assert (data["total"]["too_small"], data["total"]["party_committee_candidate"]) == (1, 1)
    assert [r["name"] for r in page.context["page"]] == [sibling_cell.name]
    assert "có thể thành đảng bộ" in page.content.decode()


def test_the_secretary_reads_the_structure_on_the_home_page_and_a_plain_member_does_not(
    client, secretary, member, cell, make_member
):
    fill(make_member, cell, official=7)  # with the secretary and the member: 9 official, no committee
    client.force_login(secretary)
    page = client.get(reverse("members:home")).content.decode()
    assert "9 đảng viên chính thức: chi bộ cần có chi ủy" in page
    client.force_login(member)
    assert 'id="structure-warnings"' not in client.get(reverse("members:home")).content.decode()
