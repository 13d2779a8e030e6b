"""The dashboard's spreadsheets and CSV files, downloaded as a commune's viewer downloads them and opened by
LibreOffice Calc: the numbers it reads are the page's, shown with the formats the workbook asks for.

LibreOffice converts each .xlsx to CSV "as shown" (UTF-8, every sheet), and opens the CSV for Vietnamese
Excel the way a Vietnamese Excel does (";" between fields, UTF-8, the vi-VN locale: decimal comma).
"""

import csv
import html as html_lib
import io
import re
from datetime import date, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from members.models import Member
from tests.dashboards.conftest import local
from tests.dashboards.test_dashboard_views import TODAY, hold, meetings  # noqa: F401  (the fixture)

from .conftest import run

pytestmark = pytest.mark.django_db
OCTOBER = {"period": "month", "month": "2026-10"}
# Calc's CSV filter: separator, text delimiter, character set (76: UTF-8), first line, column formats,
# language (1066: Vietnamese), quoted as text, detect numbers, save as shown, formulas, trim, sheet (-1: all).
TO_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
VIETNAMESE_CSV = "Text - txt - csv (StarCalc):59,34,76,1,,1066"


def soffice(tmp_path, path, to, infilter=None):
    """Convert `path` with headless LibreOffice (a profile for this test); the folder it wrote into."""
    out = tmp_path / "lo-out"
    out.mkdir(exist_ok=True)
    profile = (tmp_path / "lo-profile").as_uri()
    extra = [f"--infilter={infilter}"] if infilter else []
    run("soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore", *extra, "--convert-to", to,
        "--outdir", str(out), str(path), timeout=180)  # fmt: skip
    return out


def sheets_as_calc_shows_them(tmp_path, content, stem):
    """{sheet name: rows of text as Calc shows them} of an .xlsx, read back by LibreOffice."""
    path = tmp_path / f"{stem}.xlsx"
    path.write_bytes(content)
    out = soffice(tmp_path, path, TO_CSV)
    sheets = {}
    for written in sorted(out.glob(f"{stem}-*.csv")):
        text = written.read_text(encoding="utf-8")
        sheets[written.stem.removeprefix(f"{stem}-")] = list(csv.reader(io.StringIO(text)))
    return sheets


def number(text):
    """A figure as a page or Calc shows it ("66,7 %", "66.7%", "3") as a number."""
    return float(text.replace("%", "").replace(",", ".").strip())


def page_table(html, table_id):
    """The text of each row of a page's table: {first cell: [cells]}."""
    body = html.split(f'id="{table_id}"')[1].split("</table>")[0].split("<tbody>")[1]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [
            html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows[cells[0]] = cells
    return rows


@pytest.fixture
def viewer(client, commune_viewer, cell, meetings, django_capture_on_commit_callbacks):  # noqa: F811
    """A commune's viewer, the month's meetings held; Bùi Văn Vắng away unexcused a third month (flagged)."""
    with django_capture_on_commit_callbacks(execute=True):
        hold(cell, local(2026, 11, 3, 19, 30), absent=list(Member.objects.filter(full_name="Bùi Văn Vắng")))
    client.force_login(commune_viewer)
    return client


def download(client, unit, what, fmt, **query):
    response = client.get(reverse("meetings:dashboard_export", args=[unit.pk, what, fmt]), query)
    assert response.status_code == 200, response
    return response.content


@time_machine.travel(TODAY, tick=False)
def test_calc_reads_the_dashboard_workbook_into_the_pages_figures(viewer, commune, tmp_path):
    page = viewer.get(reverse("meetings:dashboard", args=[commune.pk]), OCTOBER).content.decode()
    content = download(viewer, commune, "dashboard", "xlsx", **OCTOBER)
    book = load_workbook(io.BytesIO(content))
    sheets = sheets_as_calc_shows_them(tmp_path, content, "bang-theo-doi")
    assert set(sheets) == set(book.sheetnames), "Calc did not read every sheet"

    header, total = sheets["Tổng hợp"][0], sheets["Tổng hợp"][1]  # the header first, no title above it
    figures = dict(zip(header, total, strict=True))
    assert figures["Tổ chức"] == commune.name
    assert figures["Tỷ lệ dự sinh hoạt (%)"] == "75.0%"  # a number with a percent format, shown as such
    assert number(figures["Tỷ lệ dự sinh hoạt (%)"]) == number(
        re.search(r'data-figure="attendance_rate">([^<]*)<', page)[1]
    )
    assert number(figures["Vắng không lý do"]) == number(re.search(r'data-figure="unexcused">([^<]*)<', page)[1])

    trend = sheets["12 tháng gần nhất"]
    assert [row[0] for row in trend[1:]][-2:] == ["09/2026", "10/2026"]  # months as Calc shows the dates
    attendance = trend[0].index("Tỷ lệ đảng viên dự sinh hoạt")
    assert trend[-1][attendance] == "75.0%"

    # What Calc showed comes from cells of the right kind, laid out for reading.
    for sheet in book.worksheets:
        assert len(sheet.title) <= 31 and sheet.freeze_panes == "A2"
        shown = sheets[sheet.title]  # each column as wide as the longest text Calc shows in it, within 50
        for index, column in enumerate(shown[0]):
            longest = max(len(row[index]) for row in shown)
            width = sheet.column_dimensions[get_column_letter(index + 1)].width
            assert min(longest, 48) < width <= 50, (sheet.title, column, width, longest)
    months = [row[0] for row in book["12 tháng gần nhất"].iter_rows(min_row=2)]
    assert all(c.is_date and c.number_format == "mm/yyyy" for c in months)
    assert months[-1].value == datetime(2026, 10, 1)
    rate = dict(zip([c.value for c in book["Tổng hợp"][1]], book["Tổng hợp"][2], strict=True))["Tỷ lệ dự sinh hoạt (%)"]
    assert (rate.value, rate.number_format) == (0.75, "0.0%")


@time_machine.travel(TODAY, tick=False)
def test_calc_reads_the_cell_and_member_lists_into_the_pages_figures(viewer, commune, tmp_path):
    cells_page = page_table(
        viewer.get(reverse("meetings:dashboard_cells", args=[commune.pk])).content.decode(), "cells"
    )
    (cells_sheet,) = sheets_as_calc_shows_them(tmp_path, download(viewer, commune, "cells", "xlsx"), "chi-bo").values()
    header, *rows = cells_sheet
    assert len(rows) == len(cells_page) == 2
    for row in rows:
        figures = dict(zip(header, row, strict=True))
        shown = cells_page[figures["Chi bộ"]]
        assert (
            f"{figures['Số tháng có sinh hoạt thường kỳ']}/{figures['Số tháng phải sinh hoạt thường kỳ']}" == shown[2]
        )
        assert number(figures["Tỷ lệ dự sinh hoạt (%)"]) == number(shown[5])
        assert figures["Vắng không lý do"] == shown[6]

    members_page = viewer.get(reverse("meetings:dashboard_members", args=[commune.pk])).content.decode()
    members_page = page_table(members_page, "member-list")
    (members_sheet,) = sheets_as_calc_shows_them(tmp_path, download(viewer, commune, "members", "xlsx"), "dv").values()
    header, *rows = members_sheet
    assert [row[0] for row in rows] == list(members_page) == ["Bùi Văn Vắng"]
    figures = dict(zip(header, rows[0], strict=True))
    shown = members_page["Bùi Văn Vắng"]
    assert f"{figures['Có mặt']}/{figures['Số buổi được triệu tập']}" == shown[2]
    assert (figures["Vắng không lý do"], figures["Số tháng vắng không lý do"]) == (shown[4], shown[5]) == ("3", "3")


@time_machine.travel(TODAY, tick=False)
def test_calc_set_to_vietnamese_opens_the_csv_for_excel_into_numbers(viewer, commune, tmp_path):
    cells_page = page_table(
        viewer.get(reverse("meetings:dashboard_cells", args=[commune.pk])).content.decode(), "cells"
    )
    path = tmp_path / "chi-bo-excel.csv"
    path.write_bytes(download(viewer, commune, "cells", "csv-excel"))
    out = soffice(tmp_path, path, "xlsx", infilter=VIETNAMESE_CSV)
    sheet = load_workbook(out / "chi-bo-excel.xlsx").active
    header = [c.value for c in sheet[1]]
    assert header[0] == "Chi bộ"  # UTF-8 read as UTF-8: the diacritics whole, the mark not in the first name
    rows = {row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == set(cells_page)
    for name, cells in rows.items():
        rate, unexcused = cells["Tỷ lệ dự sinh hoạt (%)"], cells["Vắng không lý do"]
        assert rate.data_type == "n" and unexcused.data_type == "n", "a figure read as text"
        assert rate.value == number(cells_page[name][5])  # 66,7 read with its decimal comma: 66.7
        assert unexcused.value == int(cells_page[name][6])


def plain_numbers(content):
    """{(row, column): number} of the cells of a plain CSV that hold a number (decimal point)."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    found = {}
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if re.fullmatch(r"-?\d+(\.\d+)?", text):
                found[(r, c)] = float(text)
    return found


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("what", ["dashboard", "members"])
def test_calc_set_to_vietnamese_reads_every_csv_for_excel_into_the_plain_csvs_numbers(viewer, commune, tmp_path,
                                                                                     what):  # fmt: skip
    path = tmp_path / f"{what}-excel.csv"
    path.write_bytes(download(viewer, commune, what, "csv-excel", **OCTOBER))
    expected = plain_numbers(download(viewer, commune, what, "csv", **OCTOBER))
    assert expected  # the table has figures to compare
    out = soffice(tmp_path, path, "xlsx", infilter=VIETNAMESE_CSV)
    rows = list(load_workbook(out / f"{what}-excel.xlsx").active.iter_rows())
    for (r, c), value in expected.items():
        cell = rows[r][c]
        assert cell.data_type == "n" and cell.value == pytest.approx(value), (what, r, c, cell.value)


def test_the_import_template_saved_by_calc_as_old_excel_imports_its_example_row(client, secretary, cell, tmp_path):
    """The secretary downloads the template, an office saves it as Excel 97–2003 (.xls), and it comes back."""
    client.force_login(secretary)
    response = client.get(reverse("members:import_template", args=[cell.pk]))
    path = tmp_path / "mau.xlsx"
    path.write_bytes(response.content)
    out = soffice(tmp_path, path, "xls")
    upload = SimpleUploadedFile("mau.xls", (out / "mau.xls").read_bytes(), content_type="application/vnd.ms-excel")
    preview = client.post(reverse("members:import", args=[cell.pk]), {"file": upload})
    assert preview.status_code == 200
    (row,) = preview.context["rows"]
    assert row.errors == []
    assert row.values["full_name"] == "Nguyễn Văn An"
    assert (row.values["birth_date"], row.values["phone"]) == (date(1960, 3, 15), "+84912345678")
