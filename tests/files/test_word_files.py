"""The Word files (.docx) of minutes and resolutions, downloaded as the secretary downloads them and opened by
LibreOffice: converted to PDF, their text has the blocks of the official PDF rendered from the same record."""

import re
import unicodedata
import zipfile
from datetime import UTC, date, timedelta

import pytest
from django.urls import reverse
from docx import Document
from lxml import etree

from members.models import Member
from minutes import workflow
from minutes.models import Minutes
from resolutions import documents, services
from resolutions.models import Resolution, Task
from tests.meetings.conftest import make_meeting  # noqa: F401 (a fixture)
from tests.minutes.test_minutes import edit_data, make_held, post_edit, vote
from tests.resolutions.conftest import held_meeting, make_resolution  # noqa: F401 (fixtures)

from .conftest import pdf_text, pdfinfo

pytestmark = pytest.mark.django_db
# The section headings of the official PDFs: "I. THÀNH PHẦN", "2. Ý kiến thảo luận"…
HEADING = re.compile(r"^\s*((?:I|II|III|IV|V)\. \S.*|\d+\. \S.*)$")


def flat(text):
    """The text with its spacing folded, so that a line broken elsewhere still matches."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def headings(text):
    """The headings of a PDF's text, each cut at a wide gap (pdftotext's layout keeps columns apart)."""
    found = []
    for line in text.splitlines():
        if match := HEADING.match(line):
            found.append(flat(re.split(r"\s{3,}", match.group(1))[0]))
    return found


def download(client, name, pk, tmp_path):
    """The file as the browser saves it: under the name the response gives."""
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    filename = re.search(r'filename="([^"]+)"', response["Content-Disposition"]).group(1)
    path = tmp_path / filename
    path.write_bytes(response.content)
    return path


def written_by_libreoffice(libreoffice, docx_path):
    """The .docx converted to PDF by LibreOffice: its pdfinfo and its text."""
    converted = libreoffice(docx_path, "pdf")
    return pdfinfo(converted), pdf_text(converted)


def official_text(pdf_bytes, tmp_path):
    path = tmp_path / "official.pdf"
    path.write_bytes(pdf_bytes)
    return pdf_text(path)


def assert_a4(info):
    width, height = (float(n) for n in re.match(r"([\d.]+) x ([\d.]+)", info["Page size"]).groups())
    assert (round(width), round(height)) == (595, 842), info["Page size"]


def assert_vietnamese_with_properties(path, author, title_parts):
    """w:lang vi-VN on the document defaults and the Normal style; the core properties Writer and Word show."""
    with zipfile.ZipFile(path) as package:
        styles = package.read("word/styles.xml").decode()
    assert re.search(r'<w:rPrDefault><w:rPr>.*?<w:lang w:val="vi-VN"', styles, re.S)
    assert re.search(r'w:styleId="Normal">.*?<w:lang w:val="vi-VN".*?</w:style>', styles, re.S)
    properties = Document(path).core_properties
    assert (properties.author, properties.last_modified_by, properties.language) == (author, author, "vi-VN")
    for part in title_parts:
        assert part in properties.title
    created = properties.created.replace(tzinfo=UTC)  # stored in UTC, to the second
    made = path.stat().st_mtime  # the download saved just now: made when it was asked for, not copied from a template
    assert abs(created.timestamp() - made) < 60 and properties.modified == properties.created


# The order the schema (ECMA-376 Part 1, CT_RPr, CT_PPrBase, CT_TrPrBase) gives the properties Chibo writes. Word
# refuses a file with them out of order ("unreadable content") where LibreOffice reads it without a word.
SCHEMA_ORDER = {
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
           "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl "
           "cs em lang eastAsianLayout specVanish oMath",
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
           "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
           "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
           "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "trPr": "cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader tblCellSpacing jc hidden",
}  # fmt: skip


def assert_schema_order(path):
    namespace = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(path) as package:
        parts = [name for name in package.namelist() if re.fullmatch(r"word/(styles|document|header\d+)\.xml", name)]
        roots = {name: etree.fromstring(package.read(name)) for name in parts}
    for name, root in roots.items():
        for tag, order in SCHEMA_ORDER.items():
            known = order.split()
            for element in root.iter(namespace + tag):
                children = [child.tag.replace(namespace, "") for child in element]
                assert all(child in known for child in children), (name, children)
                assert children == sorted(children, key=known.index), (name, children)


@pytest.fixture
def held(cell, make_member, make_meeting, secretary, member):  # noqa: F811
    return make_held(cell, make_member, make_meeting, secretary, member)


@pytest.fixture
def written(client, held, secretary):
    """Minutes written by the secretary: a section, a contribution, a vote that passed and an assigned task."""
    client.force_login(secretary)
    minutes = workflow.start(held)
    people = held.people
    data = edit_data(
        minutes, conclusion="Chi bộ thống nhất triển khai kế hoạch tháng 11.", praise_criticism="Biểu dương đ/c Hai.",
        **vote("Thông qua nghị quyết tháng 10", 5),
        **{"sections-TOTAL_FORMS": 1, "sections-0-order": 9, "sections-0-heading": "Thông tin thời sự",
           "sections-0-text": "Quán triệt Chỉ thị số 12.",
           "contributions-TOTAL_FORMS": 1, "contributions-0-member": people["o1"].pk,
           "contributions-0-summary": "Đề nghị sửa đường liên thôn trước mùa mưa.",
           "tasks-TOTAL_FORMS": 1, "tasks-0-member": people["o1"].pk,
           "tasks-0-description": "Sửa đường liên thôn", "tasks-0-deadline": "30/11/2026"},
    )  # fmt: skip
    assert post_edit(client, held, data).status_code == 302
    return Minutes.objects.get(pk=minutes.pk)


def test_signed_minutes_open_in_writer_with_the_blocks_of_the_official_pdf(client, held, written, secretary,
                                                                           tmp_path, libreoffice):  # fmt: skip
    workflow.approve(written, secretary)
    workflow.sign(written, secretary)
    minutes = Minutes.objects.get(pk=written.pk)
    path = download(client, "meetings:minutes_docx", held.pk, tmp_path)
    assert path.name == "bien-ban-p-c1-1-2026-10-03.docx"
    info, text = written_by_libreoffice(libreoffice, path)
    assert_a4(info)
    official = official_text(workflow.render_pdf(minutes), tmp_path)
    expected = headings(official)
    assert len(expected) >= 9, expected  # I–V and the numbered parts of II
    assert headings(text) == expected
    key_lines = [
        "ĐẢNG CỘNG SẢN VIỆT NAM", "CHI BỘ THÔN ĐÔNG", "ĐẢNG BỘ XÃ TÂN HƯNG", "Tân Hưng, ngày 03 tháng 10 năm 2026",
        "BIÊN BẢN", "Sinh hoạt chi bộ thường kỳ tháng 10/2026", "Thời gian: bắt đầu lúc 19:30 ngày 03/10/2026",
        "Tổng số đảng viên: 12 (chính thức 10, dự bị 1, sinh hoạt tạm thời 1).", "Có mặt: 7/9 (77,8%).",
        "Miễn sinh hoạt: 2; đi sinh hoạt tạm thời nơi khác: 1.", "Trong đó 1 đồng chí đến muộn.",
        "(đ/c Phạm Văn Bận: Ốm)", "(đ/c Hoàng Văn Vắng)",
        "Quán triệt Chỉ thị số 12.", "Đồng chí Nguyễn Văn Một: Đề nghị sửa đường liên thôn trước mùa mưa.",
        "Phân công nhiệm vụ", "Sửa đường liên thôn", "30/11/2026",
        "Thông qua nghị quyết tháng 10", "tán thành 5/7", "Thông qua.",
        "THƯ KÝ", "CHỦ TRÌ", "T/M CHI BỘ", "BÍ THƯ", "Trần Văn Bí",
    ]  # fmt: skip
    for line in key_lines:
        assert flat(line) in flat(official), f"not in the official PDF: {line}"
        assert flat(line) in flat(text), f"not in the Word file: {line}"
    assert "DỰ THẢO" not in text
    assert_vietnamese_with_properties(path, "Chi bộ thôn Đông", ["Biên bản", "Chi bộ thôn Đông", "03/10/2026"])
    assert_schema_order(path)


def test_draft_minutes_say_du_thao_on_every_page_and_are_named_so(client, held, written, tmp_path, libreoffice):
    path = download(client, "meetings:minutes_docx", held.pk, tmp_path)
    assert path.name == "bien-ban-p-c1-1-2026-10-03-du-thao.docx"
    info, text = written_by_libreoffice(libreoffice, path)
    pages = text.split("\f")[: int(info["Pages"])]
    assert int(info["Pages"]) >= 2 and all("DỰ THẢO" in page for page in pages)
    assert Document(path).core_properties.content_status == "DỰ THẢO"
    assert_schema_order(path)  # with the header the mark is in


def test_an_issued_resolution_with_forty_tasks_opens_in_writer_like_its_pdf(client, secretary, member, tmp_path,
                                                                           make_resolution, libreoffice):  # noqa: F811 # fmt: skip
    draft = make_resolution(title="Nghị quyết về xây dựng nông thôn mới", purpose="Nâng cao đời sống Nhân dân.",
                            tasks_text="Bê tông hóa đường thôn.", solutions="Huy động sức dân.",
                            checking="Chi ủy kiểm tra hằng tháng.")  # fmt: skip
    resolution = services.issue(draft, on=date(2026, 11, 5))
    responsible = Member.objects.get(user=member)
    Task.objects.bulk_create(
        Task(resolution=resolution, title=f"Nhiệm vụ số {n:02d}: làm đường bê tông đoạn {n}", responsible=responsible,
             deadline=date(2026, 12, 1) + timedelta(days=n))
        for n in range(1, 41)
    )  # fmt: skip
    client.force_login(secretary)
    path = download(client, "resolutions:docx", resolution.pk, tmp_path)
    assert path.name == "nghi-quyet-p-c1-1-01-2026.docx"
    info, text = written_by_libreoffice(libreoffice, path)
    assert_a4(info)
    official = official_text(documents.render_pdf(Resolution.objects.get(pk=resolution.pk)), tmp_path)
    expected = headings(official)
    assert [h.split(".")[0] for h in expected if not h[0].isdigit()] == ["I", "II", "III", "IV", "V"]
    assert [h for h in headings(text) if not h[0].isdigit()] == [h for h in expected if not h[0].isdigit()]
    key_lines = [
        "ĐẢNG CỘNG SẢN VIỆT NAM", "CHI BỘ THÔN ĐÔNG", "Số 01-NQ/CB", "Tân Hưng, ngày 05 tháng 11 năm 2026",
        "NGHỊ QUYẾT", "Nghị quyết về xây dựng nông thôn mới", "Nâng cao đời sống Nhân dân.", "Huy động sức dân.",
        "Nhiệm vụ số 01: làm đường bê tông đoạn 1", "Nhiệm vụ số 40: làm đường bê tông đoạn 40", "10/01/2027",
        "Nơi nhận", "Đảng ủy cấp trên", "Lưu chi bộ", "T/M CHI BỘ", "BÍ THƯ", "Trần Văn Bí",
    ]  # fmt: skip
    for line in key_lines:
        assert flat(line) in flat(official), f"not in the official PDF: {line}"
        assert flat(line) in flat(text), f"not in the Word file: {line}"
    pages = text.split("\f")[: int(info["Pages"])]
    # The assignment table goes on over pages, its header row repeated; the signatures stay with the closing text.
    table_pages = [page for page in pages if "Nhiệm vụ số" in page]
    assert len(table_pages) >= 2
    assert all(re.search(r"Nhiệm vụ\s+Người thực hiện\s+Thời hạn", page) for page in table_pages)
    signing_page = next(page for page in pages if "T/M CHI BỘ" in page)
    assert "Chi ủy kiểm tra hằng tháng." in signing_page and "Trần Văn Bí" in signing_page
    assert "DỰ THẢO" not in text
    assert_vietnamese_with_properties(path, "Chi bộ thôn Đông", ["Nghị quyết 01-NQ/CB", "05/11/2026"])
    assert_schema_order(path)
