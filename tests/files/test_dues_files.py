"""The dues book's files opened with the programs an office opens them with (issue 16): the PDF checked by
qpdf, pdffonts, pdfinfo and pdftotext; the workbook read back by LibreOffice Calc into the book's numbers, and
saved by Calc as old Excel (.xls) imported again without a change."""

import csv
import io
import re
from datetime import date, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dues.models import Category, DuesPayment, DuesProfile
from members.models import Member
from tests.dues.helpers import book_lines, entered_long_ago

from .conftest import pdf_fonts, pdf_text, pdfinfo, qpdf_check, run

pytestmark = pytest.mark.django_db
A4_LANDSCAPE = "841.89 x 595.276 pts (A4)"
# Calc's CSV filter: ",", '"', UTF-8, from line 1, …, save as shown, every sheet (-1).
TO_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


@pytest.fixture(autouse=True)
def _july_2026():
    with time_machine.travel(datetime(2026, 7, 10, 9), tick=False):
        yield


@pytest.fixture
def make_member(make_member):
    """Members on the roll, and in Chibo, long before the months of the book."""
    return entered_long_ago(make_member)


@pytest.fixture
def book(cell, make_member, secretary):
    """On 10/07/2026: An paid January–June; Bình (1 % of 6.500.000) paid January–March; the secretary
    nothing (the book opens his months, and July for everyone, when it is read)."""
    an = make_member(cell, "Nguyễn Văn An")
    binh = make_member(cell, "Trần Thị Bình", gender=Member.Gender.FEMALE)
    DuesProfile.objects.create(member=binh, valid_from=date(2026, 1, 1), category=Category.SALARIED, base=6_500_000)
    book_lines(cell, an, 2026, range(1, 7), due=10_000, paid=10_000)
    book_lines(cell, binh, 2026, range(1, 7), due=65_000, paid={1: 65_000, 2: 65_000, 3: 65_000},
               category=Category.SALARIED, base=6_500_000)  # fmt: skip
    return cell


def soffice(tmp_path, path, to):
    out = tmp_path / "lo-out"
    out.mkdir(exist_ok=True)
    profile = (tmp_path / "lo-profile").as_uri()
    run("soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", to,
        "--outdir", str(out), str(path), timeout=180)  # fmt: skip
    return out


def download(client, secretary, cell, extension, tmp_path):
    client.force_login(secretary)
    response = client.get(reverse(f"dues_files:book_{extension}", args=[cell.pk, 2026]))
    assert response.status_code == 200
    name = re.search(r'filename="([^"]+)"', response["Content-Disposition"]).group(1)
    path = tmp_path / name
    path.write_bytes(response.content)
    return path


def digits(text):
    """An amount as Calc shows it ("65,000" or "65.000") as a number; blank as None."""
    text = re.sub(r"\D", "", text)
    return int(text) if text else None


def test_the_pdf_is_a_clean_a4_landscape_book_with_embedded_fonts_and_metadata(client, secretary, book, tmp_path):
    path = download(client, secretary, book, "pdf", tmp_path)
    assert path.name == "so-dang-phi-p-c1-1-2026.pdf"
    qpdf_check(path)
    fonts = pdf_fonts(path)
    assert fonts and all(font["emb"] == "yes" for font in fonts), fonts
    info = pdfinfo(path)
    assert info["Page size"] == A4_LANDSCAPE
    assert info["Pages"] == "1"
    assert info["Title"] == "Sổ đảng phí 2026 – Chi bộ thôn Đông"
    assert info["Author"] == "Chi bộ thôn Đông"
    assert "Đảng phí" in info["Subject"] and "2026" in info["Subject"]
    text = pdf_text(path)
    assert "SỔ THU NỘP ĐẢNG PHÍ" in text
    assert "CHI BỘ THÔN ĐÔNG" in text and "Đảng Cộng sản Việt Nam".upper() in text
    lines = text.splitlines()

    def amounts(name):
        line = next(line for line in lines if re.match(rf"\s*(\d+\s+)?{name}\s.*\d", line))
        return re.findall(r"(?<![\d.])\d{1,3}(?:\.\d{3})*(?![\d.])", line.split(name, 1)[1])

    assert amounts("Nguyễn Văn An") == ["10.000"] * 6 + ["0", "60.000"]  # no arrears: the column left blank
    assert amounts("Trần Thị Bình") == ["6.500.000"] + ["65.000"] * 3 + ["0"] * 4 + ["195.000", "195.000"]
    assert amounts("Trần Văn Bí") == ["0"] * 7 + ["0", "60.000"]
    assert amounts("Tổng") == ["75.000"] * 3 + ["10.000"] * 3 + ["0", "255.000", "255.000"]
    assert "Phải nộp các tháng đã mở sổ: 595.000 đồng; đã nộp: 255.000 đồng; còn nợ: 255.000 đồng." in text
    assert "T/M CHI BỘ" in text and text.rstrip().splitlines()[-1].strip() == "Trần Văn Bí"  # the secretary signs


def test_calc_reads_the_workbook_into_the_books_numbers(client, secretary, book, tmp_path):
    path = download(client, secretary, book, "xlsx", tmp_path)
    assert path.name == "so-dang-phi-p-c1-1-2026.xlsx"
    out = soffice(tmp_path, path, TO_CSV)
    sheets = {p.stem.removeprefix(f"{path.stem}-"): p for p in out.glob(f"{path.stem}-*.csv")}
    assert sorted(sheets) == ["Các tháng", "Sổ thu nộp đảng phí năm 2026"]
    rows = list(csv.reader(io.StringIO(sheets["Sổ thu nộp đảng phí năm 2026"].read_text(encoding="utf-8"))))
    assert rows[0][4:16] == [f"{m:02d}/2026" for m in range(1, 13)]
    by_name = {row[1]: row for row in rows[1:]}
    assert [digits(v) for v in by_name["Nguyễn Văn An"][4:]] == [10_000] * 6 + [0] + [None] * 5 + [60_000, 0]
    binh = [digits(v) for v in by_name["Trần Thị Bình"][3:]]
    assert binh == [6_500_000, 65_000, 65_000, 65_000, 0, 0, 0, 0] + [None] * 5 + [195_000, 195_000]
    # Shown with a thousands separator, as the format asks.
    assert by_name["Trần Thị Bình"][3] in ("6,500,000", "6.500.000")
    assert [digits(v) for v in rows[-1][16:]] == [255_000, 255_000]
    months = list(csv.reader(io.StringIO(sheets["Các tháng"].read_text(encoding="utf-8"))))
    april = next(row for row in months if row[0] == "Trần Thị Bình" and row[1] == "04/2026")
    assert [digits(v) for v in april[2:5]] == [65_000, 0, 65_000]


def test_the_workbook_saved_by_calc_as_old_excel_imports_back_without_a_change(client, secretary, book, tmp_path):
    path = download(client, secretary, book, "xlsx", tmp_path)
    out = soffice(tmp_path, path, "xls")
    upload = SimpleUploadedFile("so.xls", (out / f"{path.stem}.xls").read_bytes())
    preview = client.post(reverse("dues_files:import", args=[book.pk]), {"file": upload})
    assert preview.status_code == 200
    assert preview.context["error_count"] == 0, [line["row"].errors for line in preview.context["lines"]]
    assert preview.context["members"] == 0
    names = [line["row"].name for line in preview.context["lines"]]
    assert sorted(names) == ["Nguyễn Văn An", "Trần Thị Bình", "Trần Văn Bí"]
    assert not DuesPayment.objects.filter(note="Nhập từ tệp sổ đảng phí").exists()


def test_a_book_of_45_members_repeats_the_months_header_on_every_page(client, secretary, cell, make_member, tmp_path):
    for number in range(45):
        member = make_member(cell, f"Nguyễn Văn Thành {number:02d}")
        book_lines(cell, member, 2026, range(1, 7), due=10_000, paid=10_000)
    path = download(client, secretary, cell, "pdf", tmp_path)
    qpdf_check(path)
    pages = pdf_text(path).split("\f")[:-1]
    with_rows = [page for page in pages if re.search(r"Nguyễn Văn Thành \d\d", page)]
    assert len(with_rows) >= 2
    for page in with_rows:  # the header on every page of the table
        assert "Đảng phí đã nộp các tháng năm 2026 (đồng)" in page
    names = [n for page in pages for n in re.findall(r"Nguyễn Văn Thành \d\d", page)]
    assert sorted(names) == [f"Nguyễn Văn Thành {n:02d}" for n in range(45)]  # each once: no row split or lost
    assert re.search(r"^\s*Tổng\s+(450\.000\s+){6}0\s+2\.700\.000\s+60\.000", "\n".join(pages), re.M)
    for number, page in enumerate(pages[1:], start=2):  # HD 36: numbered from the second page
        assert page.strip().splitlines()[0].strip() == str(number)
    # The summary and the signatures stay together.
    assert "T/M CHI BỘ" in next(page for page in pages if "Phải nộp các tháng đã mở sổ" in page)
