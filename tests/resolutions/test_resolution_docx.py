"""A resolution's Word file: a draft says "DỰ THẢO" and leaves its number and date blank; an issued one is named
after the cell, its number and year; the blocks of the PDF, "Nơi nhận" and the signature kept on one page."""

import io
import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from members.models import Member
from resolutions import services
from resolutions.models import Task

pytestmark = pytest.mark.django_db
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def download(client, resolution):
    response = client.get(reverse("resolutions:docx", args=[resolution.pk]))
    assert response.status_code == 200
    name = re.search(r'filename="([^"]+)"', response["Content-Disposition"]).group(1)
    return name, Document(io.BytesIO(response.content))


def header_text(document):
    return " ".join(p.text for section in document.sections for p in section.header.paragraphs)


def cell_lines(table):
    return [[p.text for p in cell.paragraphs] for cell in table.rows[0].cells]


def test_the_secretary_downloads_a_draft_to_edit_in_word(client, make_resolution, secretary):
    draft = make_resolution()
    client.force_login(secretary)
    page = client.get(reverse("resolutions:detail", args=[draft.pk])).content.decode()
    assert f'href="{reverse("resolutions:docx", args=[draft.pk])}" id="draft-docx"' in page


def test_a_draft_resolution_says_du_thao_and_leaves_its_number_and_date_blank(client, make_resolution, member):
    draft = make_resolution(title="Nghị quyết về an ninh trật tự")
    client.force_login(member)
    name, document = download(client, draft)
    day = timezone.localtime(draft.meeting.starts_at).date()
    assert name == f"nghi-quyet-p-c1-1-{day:%Y-%m-%d}-du-thao.docx"
    assert "DỰ THẢO" in header_text(document) and document.core_properties.content_status == "DỰ THẢO"
    left, right = cell_lines(document.tables[0])
    assert left[-1] == "Số …-NQ/CB" and right[-1] == "Tân Hưng, ngày … tháng … năm …"


def test_an_issued_resolution_is_named_after_the_cell_its_number_and_year(client, make_resolution, secretary, member):
    resolution = services.issue(make_resolution(title="Nghị quyết tháng 11"), on=date(2026, 11, 5))
    Task.objects.create(resolution=resolution, title="Làm đường bê tông", deadline=date(2026, 12, 20),
                        responsible=Member.objects.get(user=member))  # fmt: skip
    client.force_login(secretary)
    name, document = download(client, resolution)
    assert name == "nghi-quyet-p-c1-1-01-2026.docx"
    assert "DỰ THẢO" not in header_text(document) and document.core_properties.content_status == ""
    left, right = cell_lines(document.tables[0])
    assert left == ["ĐẢNG BỘ XÃ TÂN HƯNG", "CHI BỘ THÔN ĐÔNG", "*", "Số 01-NQ/CB"]
    assert right == ["ĐẢNG CỘNG SẢN VIỆT NAM", "Tân Hưng, ngày 05 tháng 11 năm 2026"]
    properties = document.core_properties
    assert properties.author == "Chi bộ thôn Đông" and properties.subject == "Nghị quyết tháng 11"
    assert properties.title == "Nghị quyết 01-NQ/CB – Nghị quyết tháng 11 – Chi bộ thôn Đông – 05/11/2026"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["I. MỤC ĐÍCH, YÊU CẦU", "II. NHIỆM VỤ", "III. GIẢI PHÁP", "IV. PHÂN CÔNG",
                        "V. KIỂM TRA, GIÁM SÁT"]  # fmt: skip
    tasks = document.tables[1]
    assert [[c.text for c in row.cells] for row in tasks.rows] == [
        ["Nhiệm vụ", "Người thực hiện", "Thời hạn"], ["Làm đường bê tông", "Lê Thị Hoa", "20/12/2026"]]  # fmt: skip
    assert tasks.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None
    assert all(row._tr.trPr.find(f"{W}cantSplit") is not None for row in tasks.rows)
    signatures = document.tables[-1]
    recipients, signer = cell_lines(signatures)
    assert recipients == ["Nơi nhận:", "- Đảng ủy cấp trên,", "- Đảng viên trong chi bộ,", "- Lưu chi bộ."]
    assert signer == ["T/M CHI BỘ", "BÍ THƯ"]
    assert signatures.rows[1].cells[1].text == "Trần Văn Bí"
    # Neither row splits, and the titles keep with the name: the block is never cut between two pages.
    assert all(row._tr.trPr.find(f"{W}cantSplit") is not None for row in signatures.rows)
    assert all(p.paragraph_format.keep_with_next for c in signatures.rows[0].cells for p in c.paragraphs)
    assert document.paragraphs[-1].paragraph_format.keep_with_next  # the checking text stays with the signatures


def test_it_checks_ownership_of_a_draft(client, make_resolution, outsider):
    draft = make_resolution()
    client.force_login(outsider)
    assert client.get(reverse("resolutions:docx", args=[draft.pk])).status_code == 404
    assert client.get(reverse("resolutions:docx", args=[draft.pk + 1000])).status_code == 404
