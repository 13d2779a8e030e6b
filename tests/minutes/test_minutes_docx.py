"""The minutes' Word file: named after the cell and the day, "DỰ THẢO" until signed, laid out like the PDF."""

import io
import re
from datetime import date

import pytest
from django.urls import reverse
from docx import Document
from docx.shared import Pt

from chibo import filenames, word
from members.models import OrgUnit
from minutes import workflow
from minutes.models import Minutes

from .test_minutes import edit_data, make_held, post_edit, vote

pytestmark = pytest.mark.django_db
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def held(cell, make_member, make_meeting, secretary, member):
    return make_held(cell, make_member, make_meeting, secretary, member)


@pytest.fixture
def editor(client, secretary):
    client.force_login(secretary)
    return client


def download(client, meeting):
    response = client.get(reverse("meetings:minutes_docx", args=[meeting.pk]))
    assert response.status_code == 200
    name = re.search(r'filename="([^"]+)"', response["Content-Disposition"]).group(1)
    return name, Document(io.BytesIO(response.content))


def header_text(document):
    return " ".join(p.text for section in document.sections for p in section.header.paragraphs)


def with_a_task(editor, held):
    minutes = workflow.start(held)
    task = {"tasks-TOTAL_FORMS": 1, "tasks-0-member": held.people["o1"].pk,
            "tasks-0-description": "Sửa đường liên thôn", "tasks-0-deadline": "30/11/2026"}  # fmt: skip
    assert post_edit(editor, held, edit_data(minutes, **vote("Nghị quyết tháng 10", 5), **task)).status_code == 302
    return minutes


def test_minutes_say_du_thao_until_they_are_signed_and_are_named_so(editor, held, secretary):
    minutes = with_a_task(editor, held)
    name, document = download(editor, held)
    assert name == "bien-ban-p-c1-1-2026-10-03-du-thao.docx"
    assert "DỰ THẢO" in header_text(document)
    assert document.core_properties.content_status == "DỰ THẢO"
    workflow.approve(minutes, secretary)  # approved at the meeting, not yet signed: still a draft
    name, document = download(editor, held)
    assert name.endswith("-du-thao.docx") and "DỰ THẢO" in header_text(document)
    workflow.sign(minutes, secretary)
    name, document = download(editor, held)
    assert name == "bien-ban-p-c1-1-2026-10-03.docx"
    assert "DỰ THẢO" not in header_text(document) and document.core_properties.content_status == ""
    assert "Đã ký trên Chibo ngày" in "\n".join(p.text for t in document.tables for c in t._cells for p in c.paragraphs)


def test_the_word_file_is_a4_with_the_pdf_margins_in_times_new_roman(editor, held, settings):
    settings.PDF_MARGINS_MM = [25, 20, 30, 15]
    workflow.start(held)
    _name, document = download(editor, held)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # stored in twips
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(margin.mm, 1) for margin in margins] == [25, 20, 30, 15]
    normal = document.styles["Normal"]
    assert (normal.font.name, normal.font.size) == ("Times New Roman", Pt(14))
    fonts = normal.element.rPr.find(f"{W}rFonts")
    assert {fonts.get(f"{W}{script}") for script in ("ascii", "hAnsi", "cs", "eastAsia")} == {"Times New Roman"}
    assert normal.element.rPr.find(f"{W}lang").get(f"{W}val") == "vi-VN"
    title = next(p for p in document.paragraphs if p.text == "BIÊN BẢN")
    assert title.style.name == "Heading 1" and title.style.paragraph_format.alignment == word.CENTER
    assert str(document.styles["Heading 2"].font.color.rgb) == "000000"  # not Word's blue


def test_the_party_header_is_a_borderless_two_column_table(editor, held):
    workflow.start(held)
    _name, document = download(editor, held)
    header = document.tables[0]
    left, right = (list(cell.paragraphs) for cell in header.rows[0].cells)
    assert [p.text for p in left] == ["ĐẢNG BỘ XÃ TÂN HƯNG", "CHI BỘ THÔN ĐÔNG", "*"]
    assert left[1].runs[0].bold
    assert right[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM" and right[0].runs[0].underline and right[0].runs[0].bold
    assert right[1].text == "Tân Hưng, ngày 03 tháng 10 năm 2026" and right[1].runs[0].italic
    assert header.style is None or header.style.name != "Table Grid"
    assert header._tbl.find(f"{W}tblPr/{W}tblBorders") is None


def test_the_task_table_repeats_its_header_and_the_signatures_stay_on_one_page(editor, held):
    minutes = with_a_task(editor, held)
    Minutes.objects.filter(pk=minutes.pk).update(minute_taker=held.people["o1"])
    _name, document = download(editor, held)
    tasks, signatures = document.tables[1], document.tables[-1]
    assert [c.text for c in tasks.rows[0].cells] == ["Nhiệm vụ", "Người thực hiện", "Thời hạn"]
    assert [c.text for c in tasks.rows[1].cells] == ["Sửa đường liên thôn", "đ/c Nguyễn Văn Một", "30/11/2026"]
    assert tasks.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None
    assert all(row._tr.trPr.find(f"{W}cantSplit") is not None for row in tasks.rows)
    assert [c.paragraphs[0].text for c in signatures.rows[0].cells] == ["THƯ KÝ", "CHỦ TRÌ"]
    names = [c.paragraphs[0].text for c in signatures.rows[1].cells]
    assert names == ["Nguyễn Văn Một", "Trần Văn Bí"]  # the two names on one line
    assert all(row._tr.trPr.find(f"{W}cantSplit") is not None for row in signatures.rows)
    assert all(p.paragraph_format.keep_with_next for c in signatures.rows[0].cells for p in c.paragraphs)
    closing = document.paragraphs[-1]
    assert closing.text.startswith("Buổi sinh hoạt kết thúc lúc 21:15") and closing.paragraph_format.keep_with_next
    vote_line = next(p.text for p in document.paragraphs if p.text.startswith("Hình thức"))
    assert "tán thành 5/7" in vote_line


def test_a_missing_meeting_is_not_found(editor, held):
    assert editor.get(reverse("meetings:minutes_docx", args=[held.pk + 1000])).status_code == 404
    # A held meeting whose minutes were never started has no Word file either.
    assert editor.get(reverse("meetings:minutes_docx", args=[held.pk])).status_code == 404


@pytest.mark.parametrize(
    ("code", "name", "expected"),
    [
        ("P.C1.1", "Chi bộ thôn Đông", "bien-ban-p-c1-1-2026-11-05.docx"),
        ("", "Chi bộ Đường Điện", "bien-ban-chi-bo-duong-dien-2026-11-05.docx"),
        ("CB Ấp 3/ĐH", "x", "bien-ban-cb-ap-3-dh-2026-11-05.docx"),
    ],
)
def test_file_names_are_ascii_and_say_whose_they_are(code, name, expected):
    cell = OrgUnit(code=code, name=name, kind=OrgUnit.Kind.CELL)
    assert filenames.minutes(cell, date(2026, 11, 5), "docx") == expected
    draft = expected.replace(".docx", "-du-thao.docx")
    assert filenames.minutes(cell, date(2026, 11, 5), "docx", draft=True) == draft
    assert filenames.minutes(cell, date(2026, 11, 5)) == expected.replace(".docx", ".pdf")
