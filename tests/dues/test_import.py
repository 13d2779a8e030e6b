"""Importing a dues book: a preview listing each row's problems, then all or nothing (issue 16)."""

import io
from datetime import date, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from dues.models import Category, DuesAllocation, DuesEntry, DuesPayment, DuesProfile
from members.models import Member

from .helpers import book_lines

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _may_2026():
    with time_machine.travel(datetime(2026, 5, 10, 9), tick=False):
        yield


HEADER = ["STT", "Họ và tên", "Loại đảng phí", "01/2026", "02/2026", "03/2026", "04/2026", "Tổng đã nộp"]


def xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("so-dang-phi.xlsx", buffer.getvalue())


@pytest.fixture
def members(cell, make_member, secretary):
    an = make_member(cell, "Nguyễn Văn An")
    binh = make_member(cell, "Trần Thị Bình", gender=Member.Gender.FEMALE)
    DuesProfile.objects.create(member=binh, valid_from=date(2025, 1, 1), category=Category.SALARIED, base=6_500_000)
    return {"an": an, "binh": binh}


def url(cell):
    return reverse("dues_files:import", args=[cell.pk])


def preview(client, cell, upload):
    return client.post(url(cell), {"file": upload})


def token_of(response):
    return response.context["token"]


GOOD = [
    ["SỔ THU NỘP ĐẢNG PHÍ NĂM 2026"],  # a title above the header, as books have
    HEADER,
    [1, "Nguyễn Văn An", "Khác", 10000, "10.000", 10000, None, 30000],
    [2, "  trần thị  bình ", "Hưởng lương", 65000, 65000, None, None, 130000],
    [None, "Tổng cộng", None, 75000, 75000, 10000, None, 160000],
]


def test_a_good_book_is_previewed_then_recorded_as_one_payment_per_member(client, cell, secretary, members):
    client.force_login(secretary)
    response = preview(client, cell, xlsx(GOOD))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đảng phí của 2 đảng viên sẵn sàng để ghi: tổng cộng 160.000 đồng." in page
    assert not DuesPayment.objects.exists()  # nothing before the confirmation
    response = client.post(url(cell), {"token": token_of(response)})
    assert response.status_code == 302
    assert response["Location"] == reverse("dues:book", args=[cell.pk]) + "?year=2026"
    an, binh = members["an"], members["binh"]
    payment = DuesPayment.objects.get(member=an)
    assert payment.amount == 30_000 and payment.cell == cell and payment.recorded_by == secretary
    assert payment.paid_on == date(2026, 5, 10)
    lines = {e.month.month: e for e in DuesEntry.objects.filter(member=an)}
    assert sorted(lines) == [1, 2, 3]
    assert [lines[m].paid for m in (1, 2, 3)] == [10_000] * 3
    assert lines[1].due == 10_000 and lines[1].category == Category.OTHER  # the setting for "other members"
    binh_lines = {e.month.month: e for e in DuesEntry.objects.filter(member=binh)}
    # Her profile: 1 % of 6.500.000.
    assert [(binh_lines[m].due, binh_lines[m].paid) for m in (1, 2)] == [(65_000, 65_000)] * 2
    assert sum(a.amount for a in DuesAllocation.objects.filter(payment__member=binh)) == 130_000
    # The same file again records nothing.
    response = preview(client, cell, xlsx(GOOD))
    assert "Sổ đã có đủ mọi số tiền của tệp này: không có gì để ghi." in response.content.decode()
    assert DuesPayment.objects.count() == 2


def test_the_difference_with_the_book_is_recorded_and_a_smaller_amount_refused(client, cell, secretary, members):
    an = members["an"]
    book_lines(cell, an, 2026, [1, 2, 3], due=10_000, paid={1: 10_000, 2: 5_000})
    client.force_login(secretary)
    rows = [HEADER, [1, "Nguyễn Văn An", None, 10000, 10000, 10000]]
    response = client.post(url(cell), {"token": token_of(preview(client, cell, xlsx(rows)))})
    assert response.status_code == 302
    newest = DuesPayment.objects.filter(member=an).order_by("-pk").first()
    assert newest.amount == 15_000
    assert [e.paid for e in DuesEntry.objects.filter(member=an).order_by("month")] == [10_000] * 3
    response = preview(client, cell, xlsx([HEADER, [1, "Nguyễn Văn An", None, 5000]]))
    assert "Tháng 01/2026: sổ đã ghi nộp 10.000 đồng, nhiều hơn 5.000 của tệp." in response.content.decode()
    assert response.context["error_count"] == 1 and 'name="token"' not in response.content.decode()


def test_an_unknown_member_is_a_row_error_and_nothing_is_saved(client, cell, secretary, members):
    client.force_login(secretary)
    rows = [HEADER, [1, "Nguyễn Văn An", None, 10000], [2, "Hoàng Văn Lạ", None, 10000]]
    response = preview(client, cell, xlsx(rows))
    page = response.content.decode()
    assert "Chi bộ không có đảng viên nào tên “Hoàng Văn Lạ”." in page
    assert response.context["error_count"] == 1
    assert 'name="token"' not in page
    # Confirming the preview anyway (a forged form) saves nothing.
    response = client.post(url(cell), {"token": client.session["dues_import"]["token"]})
    assert response.status_code == 200 and response.context["error_count"] == 1
    assert not DuesPayment.objects.exists() and not DuesEntry.objects.exists()


def test_two_members_of_one_name_are_a_row_error(client, cell, secretary, members, make_member):
    make_member(cell, "Nguyễn Văn An", birth_date=date(1990, 2, 2))
    client.force_login(secretary)
    response = preview(client, cell, xlsx([HEADER, [1, "Nguyễn Văn An", None, 10000]]))
    assert "Chi bộ có 2 đảng viên cùng tên “Nguyễn Văn An”" in response.content.decode()


@pytest.mark.parametrize("amount", ["mười nghìn", -5000, 10000.5, "10.5.00"])
def test_a_bad_amount_is_a_row_error(client, cell, secretary, members, amount):
    client.force_login(secretary)
    response = preview(client, cell, xlsx([HEADER, [1, "Nguyễn Văn An", None, 10000, amount]]))
    assert f"Tháng 02/2026: “{amount}” không phải là số tiền (đồng)." in response.content.decode()
    assert response.context["error_count"] == 1


def test_a_month_not_begun_is_a_row_error(client, cell, secretary, members):
    client.force_login(secretary)
    rows = [["Họ và tên", "05/2026", "06/2026"], ["Nguyễn Văn An", 10000, 10000]]
    response = preview(client, cell, xlsx(rows))
    assert "Tháng 06/2026 chưa đến" in response.content.decode()


def test_a_csv_in_utf16_is_read(client, cell, secretary, members):
    client.force_login(secretary)
    text = "Họ và tên\t01/2026\t02/2026\r\nNguyễn Văn An\t10.000\t10 000 đ\r\n"
    upload = SimpleUploadedFile("so.txt", "\ufeff".encode("utf-16-le") + text.encode("utf-16-le"))
    response = preview(client, cell, upload)
    assert response.context["members"] == 1 and response.context["total"] == "20.000"


def test_a_file_without_the_columns_says_which_are_needed(client, cell, secretary, members):
    client.force_login(secretary)
    response = preview(client, cell, xlsx([["Họ và tên", "Ghi chú"], ["Nguyễn Văn An", "x"]]))
    assert "tệp cần một cột “Họ và tên” và mỗi tháng một cột" in response.content.decode()


def test_another_cells_preview_token_is_refused(client, cell, sibling_cell, secretary, members, make_member):
    """The secretary of two cells' preview of one cell is never confirmed on the other."""
    make_member(sibling_cell, "Nguyễn Văn An")
    client.force_login(secretary)
    token = token_of(preview(client, cell, xlsx([HEADER, [1, "Nguyễn Văn An", None, 10000]])))
    Member.objects.filter(user=secretary).update(cell=sibling_cell)  # now on the other cell's committee
    response = client.post(reverse("dues_files:import", args=[sibling_cell.pk]), {"token": token}, follow=True)
    assert "Bản xem trước đã hết hạn. Hãy tải tệp lên lại." in response.content.decode()
    assert not DuesPayment.objects.exists()


def test_only_the_committee_imports(client, cell, secretary, members, member, commune_viewer, outsider, commune_admin):
    client.force_login(member)
    assert client.get(url(cell)).status_code == 404
    client.force_login(outsider)
    assert client.get(url(cell)).status_code == 404
    client.force_login(commune_viewer)
    assert client.get(url(cell)).status_code == 403
    client.force_login(commune_admin)  # the cell committee collects the dues: a committee above only reads
    assert client.get(url(cell)).status_code == 403
    client.force_login(secretary)
    assert client.get(url(cell)).status_code == 200


def test_the_exported_book_imports_back_unchanged(client, cell, secretary, members):
    book_lines(cell, members["an"], 2026, [1, 2, 3, 4], due=10_000, paid={1: 10_000, 2: 10_000})
    client.force_login(secretary)
    exported = client.get(reverse("dues_files:book_xlsx", args=[cell.pk, 2026])).content
    response = preview(client, cell, SimpleUploadedFile("so.xlsx", exported))
    assert response.context["error_count"] == 0, [line["row"].errors for line in response.context["lines"]]
    assert response.context["members"] == 0
    assert len(response.context["lines"]) == 3  # the secretary, An, Bình; never the totals line


def test_more_than_the_month_asks_is_a_row_error(client, cell, secretary, members, make_member):
    make_member(cell, "Đỗ Văn Mới", admitted_on=date(2026, 3, 2), official_on=None, status_since=date(2026, 3, 2))
    client.force_login(secretary)
    rows = [HEADER, [1, "Nguyễn Văn An", None, 20000], [2, "Đỗ Văn Mới", None, 10000]]
    response = preview(client, cell, xlsx(rows))
    page = response.content.decode()
    assert "Tháng 01/2026: 20.000 đồng nhiều hơn số 10.000 đồng phải nộp tháng đó." in page
    assert "Tháng 01/2026: Đỗ Văn Mới không phải nộp đảng phí ở chi bộ này tháng đó." in page  # admitted in March
    assert response.context["error_count"] == 2
    assert not DuesEntry.objects.exists()  # a preview opens no month
