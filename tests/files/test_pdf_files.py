"""The PDFs (minutes, a resolution with 40 tasks, the minutes book, invitations, the monthly report) opened with
the programs a provincial office checks them with: qpdf, pdfinfo, pdffonts, pdftotext (issue 15)."""

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dashboards.models import DashboardReport
from dashboards.tasks import build_dashboard_report
from meetings import services as meeting_services
from meetings.demo import seed_cell
from meetings.models import InvitationSheet, Meeting
from meetings.tasks import render_invitation_sheet
from members.models import Member
from minutes import workflow
from minutes.demo import seed_minutes
from minutes.models import Minutes, Vote
from minutes.tasks import render_minutes_pdf
from resolutions import services as resolution_services
from resolutions.models import Resolution, Task
from resolutions.tasks import render_resolution_pdf
from tests.meetings.conftest import local

from .conftest import pdf_fonts, pdf_text, pdfinfo, qpdf_check

pytestmark = pytest.mark.django_db

A4 = "595.276 x 841.89 pts (A4)"
A4_LANDSCAPE = "841.89 x 595.276 pts (A4)"
TODAY = date(2026, 12, 1)


def save(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def download(response):
    assert response.status_code == 200, response
    content = response.content if not response.streaming else b"".join(response.streaming_content)
    return content, re.search(r'filename="?([^";]+)"?', response["Content-Disposition"]).group(1)


def pages_text(path):
    """pdftotext's text (layout kept), one string per page."""
    return pdf_text(path).split("\f")[:-1]


def first_line(page):
    return next((line.strip() for line in page.splitlines() if line.strip()), "")


def assert_opens_clean(path, size=A4):
    """qpdf finds nothing wrong, every font is embedded, the pages are A4, and the metadata are there."""
    qpdf_check(path)
    fonts = pdf_fonts(path)
    assert fonts and all(font["emb"] == "yes" for font in fonts), fonts
    info = pdfinfo(path)
    assert info["Page size"] == size
    for field in ("Title", "Author", "Subject"):
        assert info.get(field), f"{field} missing: {info}"
    return info


def assert_pdf_a(path):
    reader = PdfReader(path)
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert (xmp.pdfaid_part, xmp.pdfaid_conformance) in {("3", "B"), (3, "B")}
    assert reader.trailer["/Root"]["/Lang"] == "vi"
    assert pdfinfo(path)["Tagged"] == "yes"


def assert_numbered_from_page_two(pages):
    """HD 36: the number heads every page but the first."""
    assert len(pages) >= 2
    assert not re.fullmatch(r"\d+", first_line(pages[0])), pages[0][:200]
    for number, page in enumerate(pages[1:], start=2):
        assert first_line(page) == str(number), f"page {number} starts {page[:200]!r}"


@pytest.fixture
def year_of_minutes(cell, make_member, secretary, member):
    """A demo-like year: eleven months of held meetings with signed minutes (no PDF rendered yet)."""
    for number in range(8):
        position = Member.Position.COMMITTEE if number < 2 else Member.Position.MEMBER
        make_member(cell, f"Nguyễn Văn Thành {number}", position=position)
    seed_cell(cell, today=TODAY)
    assert seed_minutes(cell, today=TODAY) >= 10
    return list(Minutes.objects.filter(meeting__cell=cell).select_related("meeting").order_by("meeting__starts_at"))


def test_the_minutes_pdf_is_a_clean_pdf_a_numbered_from_page_two(client, tmp_path, cell, year_of_minutes, secretary):
    minutes = year_of_minutes[-1]
    assert render_minutes_pdf.apply(args=[minutes.pk]).result == "rendered"
    client.force_login(secretary)
    content, name = download(client.get(reverse("meetings:minutes_pdf", args=[minutes.meeting_id])))
    day = minutes.meeting.starts_at.astimezone(local(2026, 1, 1, 0, 0).tzinfo).date()
    assert name == f"bien-ban-p-c1-1-{day:%Y-%m-%d}.pdf"
    path = save(tmp_path, name, content)
    info = assert_opens_clean(path)
    assert_pdf_a(path)
    subtitle = f"Sinh hoạt chi bộ thường kỳ tháng {day:%m/%Y}"
    assert info["Title"] == f"Biên bản: {subtitle} – Chi bộ thôn Đông – {day:%d/%m/%Y}"
    assert info["Author"] == "Chi bộ thôn Đông"
    assert "Chi bộ thôn Đông" in info["Subject"] and f"{day:%d/%m/%Y}" in info["Subject"]
    pages = pages_text(path)
    assert_numbered_from_page_two(pages)
    # The two signing names on one line, on the page of the closing lines.
    doc = minutes.frozen
    last = pages[-1]
    assert any(doc["minute_taker"] in line and doc["chair"] in line for line in last.splitlines()), last
    assert "Buổi sinh hoạt kết thúc lúc" in last


@pytest.fixture
def resolution_of_40_tasks(cell, make_member, secretary, member):
    meeting = meeting_services.create_meeting(
        Meeting(cell=cell, starts_at=local(2026, 11, 5, 19, 30), place="Hội trường")
    )
    meeting_services.record_attendance(meeting, {m.pk: ("present", "") for m in Member.objects.filter(cell=cell)})
    vote = Vote.objects.create(minutes=workflow.start(meeting), subject="Nghị quyết tháng", votes_for=2, base=2,
                               passed=True)  # fmt: skip
    draft = Resolution.objects.create(
        cell=cell, meeting=meeting, vote=vote, title="Nghị quyết về xây dựng nông thôn mới",
        purpose="Nâng cao đời sống Nhân dân.", checking="Chi ủy kiểm tra việc thực hiện hằng tháng.",
    )  # fmt: skip
    resolution = resolution_services.issue(draft, on=date(2026, 11, 5), render=False)
    people = [Member.objects.get(user=member), Member.objects.get(user=secretary)]
    for number in range(1, 41):
        # Long enough to wrap over three lines of the table: a split row would show on two pages.
        title = (
            f"Việc số {number:02d}: vận động các hộ gia đình trong thôn tham gia làm đường bê tông, giữ vệ sinh "
            f"môi trường và trồng cây xanh dọc tuyến (xong{number:02d})"
        )
        deadline = date(2026, 12, number % 28 + 1)
        Task.objects.create(resolution=resolution, responsible=people[number % 2], deadline=deadline, title=title)
    return resolution


def test_a_resolution_of_40_tasks_repeats_the_table_header_and_never_splits_a_row(
    client, tmp_path, resolution_of_40_tasks, member
):
    resolution = resolution_of_40_tasks
    assert render_resolution_pdf.apply(args=[resolution.pk]).result == "rendered"
    client.force_login(member)
    content, name = download(client.get(reverse("resolutions:pdf", args=[resolution.pk])))
    assert name == "nghi-quyet-p-c1-1-01-2026.pdf"
    path = save(tmp_path, name, content)
    info = assert_opens_clean(path)
    assert_pdf_a(path)
    title = "Nghị quyết về xây dựng nông thôn mới"
    assert info["Title"] == f"Nghị quyết tháng 01-NQ/CB: {title} – Chi bộ thôn Đông – 05/11/2026"
    assert info["Author"] == "Chi bộ thôn Đông"
    assert "01-NQ/CB" in info["Subject"]
    pages = pages_text(path)
    assert len(pages) >= 3
    assert_numbered_from_page_two(pages)
    header = re.compile(r"Nhiệm vụ\s+Người thực hiện\s+Thời hạn")
    with_rows = [index for index, page in enumerate(pages) if "Việc số" in page]
    assert len(with_rows) >= 2  # the table runs over pages
    for index in with_rows:
        assert header.search(pages[index]), f"no table header on page {index + 1}"
    for number in range(1, 41):
        start = [index for index, page in enumerate(pages) if f"Việc số {number:02d}:" in page]
        end = [index for index, page in enumerate(pages) if f"(xong{number:02d})" in page]
        assert start == end and len(start) == 1, f"task {number} split: pages {start} and {end}"
    assert "T/M CHI BỘ" in pages[-1] and "hằng tháng" in pages[-1]  # the signature with the closing lines


def test_the_minutes_book_has_every_signed_minutes_contents_numbers_and_bookmarks(
    client, tmp_path, cell, year_of_minutes, secretary, django_capture_on_commit_callbacks
):
    client.force_login(secretary)
    url = reverse("meetings:minutes_book_pdf", args=[cell.pk]) + "?year=2026"
    with django_capture_on_commit_callbacks(execute=True):  # the worker renders what the book lacks
        response = client.get(url)
    assert response.status_code == 302 and "deliver=1" in response["Location"]
    year = Minutes.objects.filter(meeting__cell=cell, meeting__starts_at__year=2026)
    assert not year.exclude(pdf_status="ready").exists()
    content, name = download(client.get(url + "&as_is=1"))
    assert name == "so-bien-ban-p-c1-1-2026.pdf"
    path = save(tmp_path, name, content)
    info = assert_opens_clean(path)
    assert info["Title"] == "Sổ biên bản năm 2026 – Chi bộ thôn Đông" and info["Author"] == "Chi bộ thôn Đông"
    pages = pages_text(path)
    signed = [m for m in year_of_minutes if timezone.localtime(m.meeting.starts_at).year == 2026]
    # Page numbers through the book, at the foot, from page 2.
    assert "trang" not in pages[0].splitlines()[-1]
    for number, page in enumerate(pages[1:], start=2):
        assert f"Sổ biên bản 2026 – trang {number}" in page, f"page {number}"
    # The contents: each meeting's date, kind and first page; that page is the meeting's minutes.
    contents = pages[0]
    reader = PdfReader(path)
    assert reader.trailer["/Root"]["/Lang"] == "vi" and reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"
    outline = reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles[0] == "Mục lục" and len(titles) == len(signed) + 1
    for number, record in enumerate(signed, start=1):
        day = record.meeting.starts_at.astimezone(local(2026, 1, 1, 0, 0).tzinfo).date()
        kind = "Sinh hoạt thường kỳ" if record.meeting.kind == "regular" else "Sinh hoạt chuyên đề"
        row = re.search(rf"^\s*{number}\s+{day:%d/%m/%Y}\s+{kind}.*?\s(\d+)\s*$", contents, re.M)
        assert row, f"no contents row for {day}: {contents}"
        first = int(row.group(1))
        assert f"ngày {day:%d} tháng {day:%m} năm {day:%Y}" in pages[first - 1]
        assert titles[number].startswith(f"{day:%d/%m/%Y} – {kind}")
        item = [i for i in outline if not isinstance(i, list)][number]
        assert reader.get_destination_page_number(item) == first - 1


def test_the_book_names_the_minutes_whose_pdf_failed(client, tmp_path, cell, year_of_minutes, secretary):
    failed = year_of_minutes[3]
    Minutes.objects.filter(meeting__cell=cell).update(pdf_status="pending")  # the worker is busy
    for record in year_of_minutes:
        if record != failed:
            render_minutes_pdf.apply(args=[record.pk])
    Minutes.objects.filter(pk=failed.pk).update(pdf_status="failed")
    client.force_login(secretary)
    content, _name = download(client.get(reverse("meetings:minutes_book_pdf", args=[cell.pk]) + "?year=2026&as_is=1"))
    path = save(tmp_path, "book.pdf", content)
    assert_opens_clean(path)
    contents = pages_text(path)[0]
    day = failed.meeting.starts_at.astimezone(local(2026, 1, 1, 0, 0).tzinfo).date()
    assert "1 biên bản đã ký không có trong tệp này" in contents
    assert re.search(rf"{day:%d/%m/%Y}\s+Sinh hoạt \S+.*Tạo không thành công", contents), contents


def test_the_printed_invitations_open_clean_without_page_numbers(
    client, tmp_path, cell, make_member, secretary, member
):
    make_member(cell, "Đỗ Văn Không Máy")
    with time_machine.travel("2026-11-20 09:00 +0700"):
        meeting = meeting_services.create_meeting(
            Meeting(cell=cell, starts_at=local(2026, 12, 3, 19, 30), place="Nhà văn hóa thôn Đông")
        )
        meeting_services.confirm(meeting)
        sheet = InvitationSheet.objects.create(meeting=meeting, scope=InvitationSheet.Scope.ALL)
        assert render_invitation_sheet.apply(args=[sheet.pk]).result == "rendered"
        client.force_login(secretary)
        content, name = download(client.get(reverse("meetings:invitation_sheet", args=[meeting.pk])))
    assert name == "giay-moi-p-c1-1-2026-12-03.pdf"
    path = save(tmp_path, name, content)
    info = assert_opens_clean(path)
    assert info["Title"].startswith("Giấy mời: ") and "03/12/2026" in info["Title"]
    assert info["Author"] == "Chi bộ thôn Đông"
    pages = pages_text(path)
    assert len(pages) == 3
    for page in pages:  # each sheet is a letter of its own
        assert not any(re.fullmatch(r"\s*\d+\s*", line) for line in page.splitlines())


def test_the_monthly_report_opens_clean_with_its_metadata(client, tmp_path, commune, cell, commune_viewer):
    report = DashboardReport.objects.create(unit=commune, month=date(2026, 10, 1))
    assert build_dashboard_report.apply(args=[report.pk]).get() == "ready"
    client.force_login(commune_viewer)
    content, name = download(client.get(reverse("meetings:report_file", args=[report.pk])))
    assert name == "bao-cao-p-c1-2026-10.pdf"
    path = save(tmp_path, name, content)
    info = assert_opens_clean(path, size=A4_LANDSCAPE)
    assert info["Author"] == commune.name and "10/2026" in info["Subject"]
    assert "tháng 10 năm 2026" in info["Title"]
    pages = pages_text(path)
    assert not re.fullmatch(r"\d+", first_line(pages[0]))
    assert len(pages) >= 2  # the tables run onto a second page: numbered from there
    assert_numbered_from_page_two(pages)
