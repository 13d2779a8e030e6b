from datetime import date

import pytest
from django.urls import reverse

from members.models import CellMembership, Member, OrgUnit, StatusChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def lived_in_cell(cell, make_member, secretary, member):
    """A cell with a member of every category, besides the secretary and the plain member."""
    make_member(cell, "Nguyễn Văn An", official_on=None, admitted_on=date(2026, 1, 10), status_since=date(2026, 1, 10))
    make_member(cell, "Đỗ Thị Ánh", status=Member.Status.EXEMPT)
    make_member(cell, "Vũ Văn Đi", status=Member.Status.AWAY)
    make_member(cell, "Hồ Thị Đến", status=Member.Status.VISITING)
    make_member(cell, "Lý Văn Treo", status=Member.Status.SUSPENDED)
    make_member(cell, "Ngô Văn Chuyển", status=Member.Status.TRANSFERRED)
    return cell


def count(response, key):
    return response.context["counts"][key]


def test_member_list_counts_each_category(client, secretary, lived_in_cell):
    client.force_login(secretary)
    response = client.get(reverse("members:list", args=[lived_in_cell.pk]))
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts == {
        "on_roll": 7,
        "official": 6,
        "probationary": 1,
        "exempt": 1,
        "away": 1,
        "visiting": 1,
        "suspended": 1,
        "special_duty": 0,
        "prosecuted": 0,
        "transferred": 1,
    }
    names = [m.full_name for m in response.context["members"]]
    assert "Ngô Văn Chuyển" not in names  # off the roll unless asked for
    assert names[0] == "Nguyễn Văn An"  # sorted by given name: An, Ánh, Bí, Đến, Đi, Hoa, Treo
    assert names == [
        "Nguyễn Văn An",
        "Đỗ Thị Ánh",
        "Trần Văn Bí",
        "Hồ Thị Đến",
        "Vũ Văn Đi",
        "Lê Thị Hoa",
        "Lý Văn Treo",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?category=probationary", ["Nguyễn Văn An"]),
        ("?category=exempt", ["Đỗ Thị Ánh"]),
        ("?category=transferred", ["Ngô Văn Chuyển"]),
        ("?q=nguyen van", ["Nguyễn Văn An"]),
        ("?q=Ánh", ["Đỗ Thị Ánh"]),
        ("?q=do thi&category=official", ["Đỗ Thị Ánh"]),
        ("?category=nonsense", ["Nguyễn Văn An", "Đỗ Thị Ánh", "Trần Văn Bí", "Hồ Thị Đến", "Vũ Văn Đi", "Lê Thị Hoa",
                                "Lý Văn Treo"]),
    ],
)  # fmt: skip
def test_member_list_filters(client, secretary, lived_in_cell, query, expected):
    client.force_login(secretary)
    response = client.get(reverse("members:list", args=[lived_in_cell.pk]) + query)
    assert response.status_code == 200
    assert [m.full_name for m in response.context["members"]] == expected


def test_member_list_counts_members_on_special_duty_and_prosecuted(client, secretary, cell, make_member):
    make_member(cell, "Quân Văn Đội", status=Member.Status.SPECIAL_DUTY)
    make_member(cell, "Trịnh Văn Giam", status=Member.Status.PROSECUTED)
    client.force_login(secretary)
    response = client.get(reverse("members:list", args=[cell.pk]))
    counts = response.context["counts"]
    assert (counts["on_roll"], counts["special_duty"], counts["prosecuted"], counts["suspended"]) == (3, 1, 1, 0)
    page = response.content.decode()
    assert "Lực lượng vũ trang làm nhiệm vụ đặc biệt" in page and "Bị khởi tố, truy tố, tạm giam" in page
    response = client.get(reverse("members:list", args=[cell.pk]), {"category": "prosecuted"})
    assert [m.full_name for m in response.context["members"]] == ["Trịnh Văn Giam"]


def test_member_list_query_count_does_not_grow_with_the_cell(client, secretary, lived_in_cell, make_member,
                                                             django_assert_num_queries):  # fmt: skip
    client.force_login(secretary)
    url = reverse("members:list", args=[lived_in_cell.pk])
    # session, the user with their access and their cell (the list's: no query of its own), the list, the
    # removal flags (absence, dues), the counts by category with whether a transfer is in progress (none is: not
    # listed then)
    with django_assert_num_queries(6):
        client.get(url)
    for number in range(20):
        make_member(lived_in_cell, f"Phan Văn Thêm {number}")
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.context["members"]) == 27


def test_plain_members_do_not_see_private_data(client, member, secretary, lived_in_cell):
    target = Member.objects.get(full_name="Trần Văn Bí")
    Member.objects.filter(pk=target.pk).update(card_number="99887766", phone="+84912000111")
    client.force_login(member)
    page = client.get(reverse("members:detail", args=[target.pk])).content.decode()
    assert "99887766" not in page and "912000111" not in page.replace(" ", "")
    client.force_login(secretary)
    page = client.get(reverse("members:detail", args=[target.pk])).content.decode()
    assert "99887766" in page and "0912 000 111" in page  # shown as people read it


def test_secretary_adds_a_member_with_vietnamese_dates(client, secretary, cell):
    client.force_login(secretary)
    response = client.post(
        reverse("members:create", args=[cell.pk]),
        {
            "full_name": "  Phạm   Thị Ngọc  Ánh ",
            "gender": "female",
            "birth_date": "05/09/1985",
            "card_number": "01234567",
            "admitted_on": "19/05/2010",
            "official_on": "19/05/2011",
            "position": "member",
            "email": "anh@example.vn",
            "phone": "0987654321",
        },
    )
    member = Member.objects.get(card_number="01234567")
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[member.pk])
    assert member.full_name == "Phạm Thị Ngọc Ánh"
    assert (member.birth_date, member.admitted_on, member.official_on) == (
        date(1985, 9, 5),
        date(2010, 5, 19),
        date(2011, 5, 19),
    )
    assert member.cell == cell
    assert CellMembership.objects.get(member=member).started_on == date(2010, 5, 19)
    assert StatusChange.objects.get(member=member).recorded_by == secretary


def test_a_bad_member_form_shows_translated_errors_and_saves_nothing(client, secretary, cell):
    client.force_login(secretary)
    before = Member.objects.count()
    response = client.post(
        reverse("members:create", args=[cell.pk]),
        {"full_name": "Lan", "gender": "female", "admitted_on": "31/02/2010", "official_on": "abc", "position": "x"},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.status_code == 200
    assert Member.objects.count() == before
    errors = response.context["form"].errors
    assert set(errors) >= {"admitted_on", "official_on", "position"}
    assert "Nhập một ngày hợp lệ." in errors["admitted_on"][0] or "ngày" in errors["admitted_on"][0].lower()


def test_secretary_edits_a_member(client, secretary, cell, make_member):
    target = make_member(cell, "Lê Văn Cũ")
    client.force_login(secretary)
    data = {
        "full_name": "Lê Văn Mới",
        "gender": "male",
        "birth_date": "01/01/1970",
        "card_number": "",
        "admitted_on": "19/05/2000",
        "official_on": "19/05/2001",
        "position": "committee",
        "email": "",
        "phone": "",
    }
    response = client.post(reverse("members:edit", args=[target.pk]), data)
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.full_name, target.position, target.search_name) == ("Lê Văn Mới", "committee", "le van moi")


def test_status_change_form_records_the_history(client, secretary, cell, make_member):
    target = make_member(cell)
    client.force_login(secretary)
    response = client.post(
        reverse("members:status", args=[target.pk]), {"status": "exempt", "since": "01/10/2025", "note": "Sức khỏe"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.status_since) == ("exempt", date(2025, 10, 1))
    assert target.status_changes.first().note == "Sức khỏe"


def test_status_change_form_offers_special_duty_and_prosecuted(client, secretary, cell, make_member):
    target = make_member(cell)
    client.force_login(secretary)
    form = client.get(reverse("members:status", args=[target.pk])).content.decode()
    assert "Lực lượng vũ trang làm nhiệm vụ đặc biệt" in form and "Bị khởi tố, truy tố, tạm giam" in form
    for status in ("special_duty", "prosecuted"):
        response = client.post(reverse("members:status", args=[target.pk]), {"status": status, "since": "01/10/2025"})
        assert response.status_code == 302
        target.refresh_from_db()
        assert target.status == status
    assert [c.status for c in target.status_changes.all()][:2] == ["prosecuted", "special_duty"]


def test_status_change_refuses_a_date_before_the_current_status(client, secretary, cell, make_member):
    target = make_member(cell, status_since=date(2020, 1, 1))
    client.force_login(secretary)
    response = client.post(reverse("members:status", args=[target.pk]), {"status": "exempt", "since": "01/01/2019"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    target.refresh_from_db()
    assert target.status == "active"


def test_commune_admin_transfers_between_their_cells(client, commune_admin, cell, sibling_cell, other_cell,
                                                     make_member):  # fmt: skip
    target = make_member(cell)
    client.force_login(commune_admin)
    page = client.get(reverse("members:transfer", args=[target.pk]))
    assert list(page.context["form"].fields["to_cell"].queryset) == [sibling_cell]
    # A cell outside the admin's committee is not a choice, even when posted by hand.
    response = client.post(
        reverse("members:transfer", args=[target.pk]), {"to_cell": other_cell.pk, "on": "01/03/2026"}
    )
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.cell == cell
    response = client.post(
        reverse("members:transfer", args=[target.pk]), {"to_cell": sibling_cell.pk, "on": "01/03/2026"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.cell == sibling_cell


def test_a_member_sees_their_cell_but_never_another_cells_members(client, member, cell, other_cell, make_member):
    stranger = make_member(other_cell, "Người Lạ Mặt")
    client.force_login(member)
    assert client.get(reverse("members:list", args=[cell.pk])).status_code == 200
    assert client.get(reverse("members:list", args=[other_cell.pk])).status_code == 404
    assert client.get(reverse("members:detail", args=[stranger.pk])).status_code == 404


def test_tree_rolls_member_counts_up(client, province_viewer, province, commune, cell, sibling_cell, other_cell,
                                     make_member):  # fmt: skip
    for _ in range(3):
        make_member(cell)
    make_member(sibling_cell)
    make_member(other_cell)
    make_member(other_cell, status=Member.Status.TRANSFERRED)
    client.force_login(province_viewer)
    rows = {row["unit"].code: row for row in client.get(reverse("members:tree")).context["rows"]}
    assert {code: (row["cells"], row["members"]) for code, row in rows.items()} == {
        "P": (3, 5),
        "P.C1": (2, 4),
        "P.C1.1": (1, 3),
        "P.C1.2": (1, 1),
        "P.C2": (1, 1),
        "P.C2.1": (1, 1),
    }


def test_commune_admin_adds_a_cell_below_their_commune(client, commune_admin, commune):
    client.force_login(commune_admin)
    response = client.post(
        reverse("members:unit_create", args=[commune.pk]),
        {"kind": "cell", "name": "Chi bộ thôn Mới", "code": "P.C1.9", "place_name": "Tân Hưng"},
    )
    assert response.status_code == 302
    new = commune.children.get(code="P.C1.9")
    assert new.path.startswith(commune.path) and new.depth == commune.depth + 1


def test_healthz_answers_ok(client, db):
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")


def test_tree_query_count_does_not_grow_with_the_tree(client, province_viewer, province, commune, cell, other_cell,
                                                      make_member, django_assert_num_queries):  # fmt: skip
    client.force_login(province_viewer)
    # session, the user with their access, the units with their member counts
    with django_assert_num_queries(3):
        client.get(reverse("members:tree"))
    for number in range(5):
        unit = OrgUnit.objects.create(code=f"X{number}", kind="cell", parent=commune, name=f"X{number}",
                                      place_name="X")  # fmt: skip
        make_member(unit)
    with django_assert_num_queries(3):
        response = client.get(reverse("members:tree"))
    assert len(response.context["rows"]) == 10


def test_home_query_count(client, secretary, commune_admin, django_assert_num_queries):
    client.force_login(secretary)
    # session, the user with their access; the month's path (no meeting yet: the month's meetings, the cell's
    # warnings), the next meeting, the year's attendance, tasks and essays; the cell's structure with whether a
    # transfer is in progress (none is: not listed then)
    with django_assert_num_queries(9):
        client.get(reverse("members:home"))
    client.force_login(commune_admin)
    # session, the user with their access; for each committee: the figures of its dashboard (counted, nothing kept
    # yet: the units, the cells' rows with their overdue tasks in one, the trend, the flagged members), its
    # directives, its guidance
    with django_assert_num_queries(8):
        client.get(reverse("members:home"))


def test_the_member_list_writes_each_member_s_row_escaped(db):
    """The member list's rows are written in Python (members/templatetags/roll.py): the name and the phone are
    escaped, the flags show when there are some, a temporary status says when it ends, the phone only for
    those who see private data."""
    from django.template import engines
    from django.utils import translation

    away = Member(pk=41, full_name='Lê "Tí" <b>Bé</b> & Co', status=Member.Status.AWAY, position=Member.Position.DEPUTY,
                  temporary_until=date(2026, 9, 30), phone="+84912345678", official_on=date(2001, 5, 19))  # fmt: skip
    away.removal_months, away.dues_removal_months = [3, 4, 5], [1, 2, 3]
    new = Member(pk=42, full_name="Trần Văn Hai", admitted_on=date(2020, 1, 1), official_on=None)
    new.removal_months = new.dues_removal_months = None
    template = engines["django"].from_string("{% load roll %}{% member_rows members private %}")
    with translation.override("vi"):
        first, second = template.render({"members": [away, new], "private": True}).split("\n")
        hidden = template.render({"members": [away], "private": False})
    assert first == (
        '<tr><td><a href="/members/41/" class="fw-semibold">Lê &quot;Tí&quot; &lt;b&gt;Bé&lt;/b&gt; &amp; Co</a>'
        ' <span class="badge text-bg-danger">Vắng không lý do 3 tháng</span>'
        ' <span class="badge text-bg-danger">3 tháng không nộp đảng phí</span></td>'
        "<td>Chính thức</td><td>Phó Bí thư</td><td>Đi sinh hoạt tạm thời nơi khác"
        ' <span class="small text-muted" data-until>(hết hạn 30/09/2026)</span></td>'
        '<td><a href="tel:+84912345678">0912 345 678</a></td></tr>'
    )
    assert second == (
        '<tr><td><a href="/members/42/" class="fw-semibold">Trần Văn Hai</a>'
        ' <span class="badge text-bg-warning">Cần xét chuyển chính thức</span></td>'
        '<td>Dự bị</td><td></td><td><span class="text-muted">Đang sinh hoạt</span></td><td></td></tr>'
    )
    assert "tel:" not in hidden and hidden.endswith("</td></tr>")
