"""The dues book as .xlsx and PDF: what the secretary and the committees above download (issue 16)."""

import io
from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from dues.models import Category, DuesProfile
from members.models import Member

from .helpers import book_lines

pytestmark = pytest.mark.django_db

YEAR = 2026


@pytest.fixture(autouse=True)
def _july_2026():
    with time_machine.travel(datetime(2026, 7, 10, 9), tick=False):
        yield


@pytest.fixture
def dues_book(cell, make_member, secretary):
    """On 10/07/2026: An paid January–June; Bình (1 % of 6.500.000) paid January–March; Cường and the
    secretary nothing. The book opens July for everyone, and the months nobody recorded, at 10.000."""
    an = make_member(cell, "Nguyễn Văn An")
    binh = make_member(cell, "Trần Thị Bình", gender=Member.Gender.FEMALE)
    make_member(cell, "Lê Văn Cường")
    DuesProfile.objects.create(member=binh, valid_from=date(2026, 1, 1), category=Category.SALARIED, base=6_500_000)
    book_lines(cell, an, YEAR, range(1, 7), due=10_000, paid=10_000)
    book_lines(cell, binh, YEAR, range(1, 7), due=65_000, paid={1: 65_000, 2: 65_000, 3: 65_000},
               category=Category.SALARIED, base=6_500_000)  # fmt: skip
    return {"an": an, "binh": binh}


def url(cell, kind, year=YEAR):
    return reverse(f"dues_files:book_{kind}", args=[cell.pk, year])


def login(client, user):
    client.force_login(user)


def workbook(response):
    return load_workbook(io.BytesIO(response.content))


def test_the_secretary_downloads_the_book_as_a_workbook_with_numbers_and_a_totals_line(
    client, cell, secretary, dues_book
):
    login(client, secretary)
    response = client.get(url(cell, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="so-dang-phi-p-c1-1-2026.xlsx"'
    book = workbook(response)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("STT", "Họ và tên", "Đối tượng đóng đảng phí", "Mức lương làm căn cứ (đồng)")
    assert rows[0][4:16] == tuple(f"{m:02d}/2026" for m in range(1, 13))
    assert rows[0][16:] == ("Tổng đã nộp (đồng)", "Còn nợ (đồng)")
    assert sheet.freeze_panes == "A2"
    by_name = {row[1]: row for row in rows[1:]}
    an, binh, cuong = by_name["Nguyễn Văn An"], by_name["Trần Thị Bình"], by_name["Lê Văn Cường"]
    assert an[4:11] == (10_000,) * 6 + (0,) and an[11:16] == (None,) * 5
    assert an[16:] == (60_000, 0)  # July is not over: not in arrears
    assert binh[2:4] == ("Hưởng lương", 6_500_000)
    assert binh[4:11] == (65_000, 65_000, 65_000, 0, 0, 0, 0)
    assert binh[16:] == (195_000, 195_000)
    assert cuong[4:11] == (0,) * 7 and cuong[16:] == (0, 60_000)
    totals = rows[-1]
    assert totals[1] == "Tổng"
    assert totals[4:11] == (75_000, 75_000, 75_000, 10_000, 10_000, 10_000, 0)
    assert totals[16:] == (255_000, 315_000)
    # Amounts are numbers shown with a thousands separator.
    amount_cell = sheet.cell(row=[r[1] for r in rows].index("Trần Thị Bình") + 1, column=4)
    assert amount_cell.number_format == "#,##0"
    # The months sheet: a month as a real date, the day paid, what is still owed.
    details = list(book.worksheets[1].iter_rows(values_only=True))
    assert details[0][:5] == ("Họ và tên", "Tháng", "Phải nộp (đồng)", "Đã nộp (đồng)", "Còn nợ (đồng)")
    april = next(r for r in details if r[0] == "Trần Thị Bình" and r[1] == datetime(2026, 4, 1))
    assert april[2:5] == (65_000, 0, 65_000)
    assert book.worksheets[1].cell(row=2, column=2).number_format == "mm/yyyy"
    assert book.properties.title == "Sổ đảng phí 2026 – Chi bộ thôn Đông"


def test_the_pdf_is_a_landscape_book_named_for_the_cell_and_year(client, cell, secretary, dues_book):
    login(client, secretary)
    response = client.get(url(cell, "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="so-dang-phi-p-c1-1-2026.pdf"'
    assert response.content.startswith(b"%PDF")


def test_a_committee_above_downloads_the_book_but_a_plain_member_and_outsiders_do_not(
    client, cell, dues_book, commune_viewer, member, outsider, viewer_other_branch
):
    login(client, commune_viewer)
    assert client.get(url(cell, "xlsx")).status_code == 200
    for user in (member, outsider, viewer_other_branch):
        login(client, user)
        assert client.get(url(cell, "xlsx")).status_code == 404
        assert client.get(url(cell, "pdf")).status_code == 404


def test_a_year_to_come_has_no_line_yet(client, cell, secretary, dues_book):
    login(client, secretary)
    rows = list(workbook(client.get(url(cell, "xlsx", 2027))).worksheets[0].iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["Tổng"]
    assert rows[-1][16:] == (0, 0)


def test_a_year_out_of_range_is_not_found(client, cell, secretary):
    login(client, secretary)
    assert client.get(url(cell, "xlsx", 1900)).status_code == 404


def test_the_import_page_offers_this_years_book(client, cell, secretary):
    login(client, secretary)
    response = client.get(reverse("dues_files:import", args=[cell.pk]))
    assert response.status_code == 200
    assert url(cell, "xlsx", date(2026, 7, 10).year) in response.content.decode()
