import re
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from members import services
from members.models import CellMembership, Member, OrgUnit, StatusChange

pytestmark = pytest.mark.django_db


def test_a_unit_path_follows_the_tree(province, commune, cell):
    assert province.path == f"{province.pk:09d}/"
    assert cell.path == f"{province.pk:09d}/{commune.pk:09d}/{cell.pk:09d}/"
    assert (province.depth, commune.depth, cell.depth) == (0, 1, 2)
    assert list(cell.ancestors()) == [province, commune]


def test_subtree_is_one_query_that_uses_the_path_index(province, commune, cell, sibling_cell, other_cell):
    with CaptureQueriesContext(connection) as queries:
        cells = list(OrgUnit.objects.subtree(commune).cells())
    assert sorted(c.code for c in cells) == ["P.C1.1", "P.C1.2"]
    assert len(queries) == 1
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = OrgUnit.objects.subtree(commune).query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Django's varchar_pattern_ops index of the unique path serves the prefix LIKE.
    assert re.search(r"Index (Only )?Scan using members_orgunit_path_\w+_like", plan), plan


def test_moving_a_unit_moves_its_whole_subtree(province, commune, cell, other_commune):
    group = OrgUnit.objects.create(code="G", kind=OrgUnit.Kind.GROUP, parent=cell, name="Tổ 1", place_name="X")
    commune.parent = other_commune
    commune.save()
    cell.refresh_from_db()
    group.refresh_from_db()
    assert cell.path.startswith(other_commune.path + f"{commune.pk:09d}/")
    assert group.path == cell.path + f"{group.pk:09d}/"
    assert (cell.depth, group.depth) == (3, 4)
    assert set(OrgUnit.objects.subtree(other_commune).values_list("code", flat=True)) == {
        "P.C2",
        "P.C1",
        "P.C1.1",
        "G",
    }


def test_a_unit_cannot_be_moved_inside_itself(province, commune, cell):
    commune.parent = cell
    with pytest.raises(ValidationError):
        commune.full_clean()
    with pytest.raises(ValidationError), transaction.atomic():
        commune.save()
    stored = OrgUnit.objects.get(pk=commune.pk)
    assert (stored.parent_id, stored.path) == (province.pk, f"{province.pk:09d}/{commune.pk:09d}/")


def test_a_cell_only_holds_party_groups(cell):
    unit = OrgUnit(code="X", kind=OrgUnit.Kind.CELL, parent=cell, name="X", place_name="X")
    with pytest.raises(ValidationError) as error:
        unit.full_clean()
    assert "kind" in error.value.message_dict
    OrgUnit(code="G", kind=OrgUnit.Kind.GROUP, parent=cell, name="Tổ 1", place_name="X").full_clean()


@pytest.mark.parametrize("kind", [OrgUnit.Kind.CELL, OrgUnit.Kind.GROUP])
def test_nothing_can_be_placed_inside_a_party_group(cell, kind):
    group = OrgUnit.objects.create(code="G", kind=OrgUnit.Kind.GROUP, parent=cell, name="Tổ 1", place_name="X")
    nested = OrgUnit(code="X", kind=kind, parent=group, name="X", place_name="X")
    with pytest.raises(ValidationError) as error:
        nested.full_clean()
    assert "kind" in error.value.message_dict


def test_a_deep_tree_keeps_working(province):
    # Sub-committees nested in sub-committees, each checked as the unit form checks it (domain §1: any depth).
    parent = province
    for level in range(40):
        parent = OrgUnit(code=f"L{level}", kind=OrgUnit.Kind.SUB_COMMITTEE, parent=parent, name=f"L{level}",
                         place_name="X")  # fmt: skip
        parent.full_clean()
        parent.save()
    assert parent.depth == 40
    assert OrgUnit.objects.subtree(province).count() == 41


def test_a_name_that_grows_when_normalised_is_refused(cell):
    member = Member(cell=cell, full_name="Nguyễn " + "\u0958" * 60, gender="male", admitted_on=date(2000, 1, 1))
    with pytest.raises(ValidationError) as error:
        member.full_clean()
    assert "full_name" in error.value.message_dict


def test_a_cell_has_one_secretary(cell, make_member):
    make_member(cell, "Trần Văn Một", position=Member.Position.SECRETARY)
    second = Member(cell=cell, full_name="Lê Văn Hai", gender="male", admitted_on=date(2000, 1, 1),
                    position=Member.Position.SECRETARY)  # fmt: skip
    with pytest.raises(ValidationError):
        second.full_clean()


def test_names_keep_their_diacritics_and_are_stored_composed(cell, make_member):
    decomposed = "Nguye\u0302\u0303n Thi\u0323 Ho\u0302\u0300ng"  # as some keyboards type it
    member = make_member(cell, decomposed + "  ")
    member.refresh_from_db()
    assert member.full_name == "Nguyễn Thị Hồng"
    assert Member.objects.filter(full_name="Nguyễn Thị Hồng").exists()
    assert member.search_name == "nguyen thi hong"


def test_members_are_listed_by_given_name_then_family_name(cell, make_member):
    for name in [
        "Trần Văn Bình",
        "Lê Thị Ánh",
        "Nguyễn Văn An",
        "Đỗ Thị Anh",
        "Bùi Văn Ân",
        "Anh Văn Ba",
        "Đặng Văn An",
    ]:
        make_member(cell, name)
    assert [m.full_name for m in Member.objects.filter(cell=cell)] == [
        "Đặng Văn An",  # the same given name: the family name decides (đ < n)
        "Nguyễn Văn An",
        "Đỗ Thị Anh",
        "Lê Thị Ánh",
        "Bùi Văn Ân",
        "Anh Văn Ba",
        "Trần Văn Bình",
    ]


def test_card_numbers_are_unique_when_given(cell, other_cell, make_member):
    make_member(cell, "Nguyễn Văn Một", card_number="12345678")
    make_member(cell, "Nguyễn Văn Hai", card_number="")
    make_member(cell, "Nguyễn Văn Ba", card_number="")  # several members without a card are fine
    duplicate = Member(cell=other_cell, full_name="Lê Văn Bốn", gender="male", admitted_on=date(2000, 1, 1))
    duplicate.card_number = "12345678"
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "card_number" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"official_on": date(2000, 5, 19)}, "official_on"),  # same day as admission
        ({"official_on": date(1999, 1, 1)}, "official_on"),
        ({"birth_date": date(1890, 1, 1)}, "birth_date"),
        ({"birth_date": date(2015, 1, 1)}, "birth_date"),
        ({"birth_date": date(1990, 1, 1)}, "admitted_on"),  # 10 years old at admission
        ({"admitted_on": date(2027, 1, 1), "official_on": None}, "admitted_on"),
        ({"full_name": "Hoa"}, "full_name"),
    ],
)
@time_machine.travel("2026-11-21 09:00 +0700")
def test_implausible_member_data_is_refused(cell, fields, field):
    data = {
        "full_name": "Lê Thị Hoa",
        "gender": "female",
        "birth_date": date(1970, 1, 1),
        "admitted_on": date(2000, 5, 19),
        "official_on": date(2001, 5, 19),
        **fields,
    }
    with pytest.raises(ValidationError) as error:
        Member(cell=cell, **data).full_clean()
    assert field in error.value.message_dict


def test_the_database_refuses_an_official_date_before_admission(cell, make_member):
    member = make_member(cell)
    member.official_on = date(1999, 1, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        member.save()


@time_machine.travel("2026-11-21 09:00 +0700")
def test_probation_review_is_due_after_twelve_months(cell, make_member):
    due = make_member(cell, admitted_on=date(2025, 11, 21), official_on=None)
    not_yet = make_member(cell, admitted_on=date(2025, 11, 22), official_on=None)
    official = make_member(cell)
    assert due.probation_review_due()
    assert not not_yet.probation_review_due()
    assert not official.probation_review_due()
    leap = make_member(cell, admitted_on=date(2024, 2, 29), official_on=None)
    assert leap.probation_ends_on == date(2025, 2, 28)


def test_a_transfer_keeps_the_history_of_both_cells(cell, sibling_cell, make_member, secretary):
    member = make_member(cell, position=Member.Position.COMMITTEE)
    services.transfer(member, sibling_cell, date(2024, 3, 1), by=secretary, note="Chuyển nơi cư trú")
    member.refresh_from_db()
    assert member.cell == sibling_cell
    assert member.position == Member.Position.MEMBER
    stays = list(CellMembership.objects.filter(member=member).order_by("started_on"))
    assert [(s.cell, s.started_on, s.ended_on) for s in stays] == [
        (cell, date(2000, 5, 19), date(2024, 3, 1)),
        (sibling_cell, date(2024, 3, 1), None),
    ]
    assert stays[1].recorded_by == secretary


def test_a_transfer_cannot_predate_the_current_stay(cell, sibling_cell, make_member):
    member = make_member(cell)
    with pytest.raises(services.ServiceError):
        services.transfer(member, sibling_cell, date(1999, 1, 1))
    member.refresh_from_db()
    assert member.cell == cell
    assert CellMembership.objects.filter(member=member).count() == 1


def test_a_status_cannot_begin_before_the_member_joined_the_current_cell(cell, sibling_cell, make_member):
    member = make_member(cell)
    services.transfer(member, sibling_cell, date(2024, 3, 1))
    with pytest.raises(services.ServiceError):
        services.change_status(member, Member.Status.TRANSFERRED, date(2024, 2, 1))
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE
    assert CellMembership.objects.get(member=member, ended_on=None).cell == sibling_cell


def test_status_changes_are_kept_with_their_dates(cell, make_member, secretary):
    member = make_member(cell)
    services.change_status(member, Member.Status.EXEMPT, date(2023, 1, 1), by=secretary, note="Tuổi cao")
    services.change_status(member, Member.Status.TRANSFERRED, date(2024, 6, 1), by=secretary)
    member.refresh_from_db()
    assert (member.status, member.status_since) == (Member.Status.TRANSFERRED, date(2024, 6, 1))
    history = list(StatusChange.objects.filter(member=member).order_by("since").values_list("status", "since"))
    assert history == [
        ("active", date(2000, 5, 19)),
        ("exempt", date(2023, 1, 1)),
        ("transferred", date(2024, 6, 1)),
    ]
    assert CellMembership.objects.get(member=member).ended_on == date(2024, 6, 1)
    with pytest.raises(services.ServiceError):
        services.change_status(member, Member.Status.ACTIVE, date(2024, 1, 1))  # before the current status
