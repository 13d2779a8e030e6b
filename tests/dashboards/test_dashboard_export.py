"""The dashboard's downloads: a workbook laid out for Excel and Calc, a plain CSV and one for Vietnamese Excel."""

import csv
import io
import re
from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from chibo.spreadsheets import EXCEL_VI, PLAIN, Month, Percent, Table, column_widths, csv_text, sheet_name, xlsx_bytes
from members.models import OrgUnit

from .test_dashboard_views import TODAY, meetings  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
OCTOBER = {"period": "month", "month": "2026-10"}


def export(client, unit, what, fmt, **query):
    return client.get(reverse("meetings:dashboard_export", args=[unit.pk, what, fmt]), {**OCTOBER, **query})


def page_figure(html, name):
    """A figure as the dashboard page shows it ("75,0 %", "1") as a number."""
    text = re.search(rf'data-figure="{name}">([^<]*)<', html).group(1)
    return float(text.replace("%", "").replace(",", ".").strip())


def csv_rows(response, delimiter):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel reads UTF-8 right only after a byte-order mark"
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


@time_machine.travel(TODAY, tick=False)
def test_the_vietnamese_excel_csv_has_semicolons_and_decimal_commas_with_the_pages_figures(
    client,
    commune_viewer,
    commune,
    meetings,  # noqa: F811
):
    client.force_login(commune_viewer)
    html = client.get(reverse("meetings:dashboard", args=[commune.pk]), OCTOBER).content.decode()
    excel = export(client, commune, "dashboard", "csv-excel")
    assert excel.status_code == 200
    assert excel["Content-Type"] == "text/csv; charset=utf-8"
    assert excel["Content-Disposition"].endswith('-excel.csv"')
    header, total, *_children = csv_rows(excel, ";")
    figures = dict(zip(header, total, strict=True))
    assert figures["Tổ chức"] == commune.name
    # The commune in October: 3 of 4 present, 1 unexcused absence.
    assert figures["Tỷ lệ dự sinh hoạt (%)"] == "75,0"
    assert float(figures["Tỷ lệ dự sinh hoạt (%)"].replace(",", ".")) == page_figure(html, "attendance_rate")
    assert float(figures["Vắng không lý do"]) == page_figure(html, "unexcused")
    assert figures["Số tháng có sinh hoạt thường kỳ"] == "2"

    plain = export(client, commune, "dashboard", "csv")
    assert plain["Content-Disposition"].endswith('dashboard-2026-10_2026-10.csv"')
    plain_header, plain_total, *_rest = csv_rows(plain, ",")
    assert plain_header == header
    assert dict(zip(plain_header, plain_total, strict=True))["Tỷ lệ dự sinh hoạt (%)"] == "75.0"


@time_machine.travel(TODAY, tick=False)
def test_the_dashboard_offers_both_csv_files_side_by_side(client, commune_viewer, commune, meetings):  # noqa: F811
    client.force_login(commune_viewer)
    for name, what in [("meetings:dashboard", "dashboard"), ("meetings:dashboard_cells", "cells"),
                       ("meetings:dashboard_members", "members")]:  # fmt: skip
        html = client.get(reverse(name, args=[commune.pk])).content.decode()
        links = html.split('id="exports"')[1] if 'id="exports"' in html else html
        assert "CSV cho Excel" in links
        assert "CSV (UTF-8, dấu phẩy)" in links
        excel_link = re.search(r'data-export="csv-excel"[^>]*href="([^"]+)"', links).group(1)
        assert excel_link.startswith(reverse("meetings:dashboard_export", args=[commune.pk, what, "csv-excel"]))
        assert client.get(excel_link.replace("&amp;", "&")).status_code == 200


@time_machine.travel(TODAY, tick=False)
def test_the_workbook_starts_with_its_header_frozen_and_holds_numbers_dates_and_percentages(
    client,
    commune_viewer,
    commune,
    cell,
    meetings,  # noqa: F811
):
    client.force_login(commune_viewer)
    response = export(client, commune, "dashboard", "xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert commune.name in book.properties.title and "10/2026" in book.properties.title
    assert book.properties.creator == commune.name
    assert all(len(name) <= 31 for name in book.sheetnames)
    assert len({name.lower() for name in book.sheetnames}) == len(book.sheetnames)
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.b for cell in sheet[1] if cell.value), sheet.title

    summary = book["Tổng hợp"]
    header = [c.value for c in summary[1]]
    total = dict(zip(header, summary[2], strict=True))
    rate = total["Tỷ lệ dự sinh hoạt (%)"]
    assert (rate.value, rate.number_format, rate.data_type) == (0.75, "0.0%", "n")
    assert total["Vắng không lý do"].value == 1 and total["Vắng không lý do"].data_type == "n"

    trend = book["12 tháng gần nhất"]
    months = [row[0] for row in trend.iter_rows(min_row=2)]
    assert len(months) == 12
    assert all(c.is_date and c.number_format == "mm/yyyy" and c.value.day == 1 for c in months)
    assert months[-1].value == datetime(2026, 10, 1)
    attendance = [c.value for c in trend[1]].index("Tỷ lệ đảng viên dự sinh hoạt")
    october = [c.value for c in trend[13]]
    assert october[attendance] == 0.75 and trend[13][attendance].number_format == "0.0%"

    cells = book["Chi bộ"]
    names = [c.value for c in cells["A"][1:]]
    width = cells.column_dimensions["A"].width
    assert max(len(n) for n in names) < width <= 50  # fitted to the longest name, no wider than the cap


@time_machine.travel(TODAY, tick=False)
def test_a_very_long_cell_name_is_capped_in_width_and_wraps(client, commune_viewer, commune, cell, meetings):  # noqa: F811
    OrgUnit.objects.filter(pk=cell.pk).update(name="Chi bộ " + "thôn Đông rất dài " * 10)
    client.force_login(commune_viewer)
    sheet = load_workbook(io.BytesIO(export(client, commune, "cells", "xlsx").content)).active
    assert sheet.column_dimensions["A"].width == 50
    long = next(c for c in sheet["A"] if c.value.startswith("Chi bộ thôn Đông rất dài"))
    assert long.alignment.wrap_text


@time_machine.travel(TODAY, tick=False)
def test_the_member_list_exports_with_the_header_first(client, commune_viewer, commune, cell, meetings):  # noqa: F811
    client.force_login(commune_viewer)
    sheet = load_workbook(io.BytesIO(export(client, commune, "members", "xlsx", show="rarely").content)).active
    assert [c.value for c in sheet[1]][:3] == ["Đảng viên", "Chi bộ", "Năm"]
    assert sheet.freeze_panes == "A2"
    excel = csv_rows(export(client, commune, "members", "csv-excel", show="rarely"), ";")
    assert excel[0][:3] == ["Đảng viên", "Chi bộ", "Năm"]


def test_sheet_names_are_cut_at_a_word_and_kept_unique():
    used = set()
    title = "Các chi bộ chưa có cấp ủy theo quy định của Điều lệ"
    first = sheet_name(title, used)
    second = sheet_name(title, used)
    assert first == "Các chi bộ chưa có cấp ủy theo"
    assert second == "Các chi bộ chưa có cấp ủy (2)"
    assert len(first) <= 31 and len(second) <= 31
    assert sheet_name("Tháng 10/2026: [bản nháp]?", used) == "Tháng 10 2026 bản nháp"
    assert sheet_name("Mộtchuỗirấtdàikhôngcódấucáchnàocảđâuđấy", used) == "Mộtchuỗirấtdàikhôngcódấucáchnào"


def test_column_widths_follow_the_longest_text():
    table = Table("t", ["Tên", "Số"], [["Nguyễn Văn An", 3], ["Lê B", 12345678]])
    assert column_widths(table) == [len("Nguyễn Văn An") + 2, len("12345678") + 2]


def test_the_two_csv_dialects_write_dates_decimals_and_formula_text_their_way():
    table = Table("t", ["Tháng", "Ngày", "Tỷ lệ (%)", "Số ngày", "Ghi chú"],
                  [[Month(2026, 10, 1), date(2026, 11, 5), Percent(87.5), 3.25, "=1+1"]])  # fmt: skip
    assert csv_text(table, PLAIN).splitlines()[1] == '"2026-10-01","2026-11-05","87.5","3.25","\'=1+1"'
    assert csv_text(table, EXCEL_VI).splitlines()[1] == '"01/10/2026";"05/11/2026";"87,5";"3,25";"\'=1+1"'


@pytest.mark.parametrize("name", ["Lê;=1+1 Hoa", "Trần,=2+3 Bí", " =HYPERLINK(1)", "\n=1+1", "\xa0@SUM(1)"])
def test_text_that_another_separator_or_a_space_would_turn_into_a_formula_stays_text(name):
    """Excel set to the other dialect's separator splits an unquoted field at it: "Lê;=1+1 Hoa" would give a
    cell "=1+1 Hoa". Every field is quoted, and a formula after spaces is defused too."""
    table = Table("t", ["Họ và tên", "Số"], [[name, 1]])
    for dialect in (PLAIN, EXCEL_VI):
        text = csv_text(table, dialect).lstrip("\ufeff")
        for other in (",", ";"):  # read back as each Excel would, whatever its separator
            cells = [cell for row in list(csv.reader(io.StringIO(text), delimiter=other))[1:] for cell in row]
            assert not any(cell.lstrip(" \t\r\n\xa0").startswith(("=", "+", "@")) for cell in cells), (dialect, cells)


def test_text_like_a_formula_is_a_string_in_the_workbook_without_an_apostrophe():
    content = xlsx_bytes([Table("t", ["Họ và tên", "Ghi chú"], [['=HYPERLINK("http://x")', "-1"]])])
    sheet = load_workbook(io.BytesIO(content)).active
    name, note = sheet["A2"], sheet["B2"]
    assert (name.data_type, name.value) == ("s", '=HYPERLINK("http://x")')  # text, shown as typed
    assert name.quotePrefix is True  # and kept as text when Excel edits it
    assert (note.data_type, note.value) == ("s", "-1")
