"""The resolution's PDF: named after the cell, number and year; the signature kept with the last section;
PDF/A with the document's metadata (issue 15). The real programs open it in tests/files/test_pdf_files.py."""

import io
import unicodedata
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from members.models import Member
from resolutions import documents, services
from resolutions.models import Task
from resolutions.tasks import render_resolution_pdf

pytestmark = pytest.mark.django_db


def pages(content):
    return [unicodedata.normalize("NFC", page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


@pytest.fixture
def issued(make_resolution):
    draft = make_resolution(title="Nghị quyết về xây dựng nông thôn mới", purpose="Nâng cao đời sống Nhân dân.",
                            checking="Chi ủy kiểm tra việc thực hiện hằng tháng.")  # fmt: skip
    return services.issue(draft, on=date(2026, 5, 5), render=False)


def test_the_pdf_is_named_after_the_cell_the_number_and_the_year(client, issued, member):
    assert render_resolution_pdf.apply(args=[issued.pk]).result == "rendered"
    client.force_login(member)
    response = client.get(reverse("resolutions:pdf", args=[issued.pk]))
    assert response["Content-Disposition"] == 'inline; filename="nghi-quyet-p-c1-1-01-2026.pdf"'
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    assert (
        reader.metadata.title
        == "Nghị quyết tháng 01-NQ/CB: Nghị quyết về xây dựng nông thôn mới – Chi bộ thôn Đông – 05/05/2026"
    )
    assert reader.metadata.author == "Chi bộ thôn Đông"
    assert (
        reader.metadata.subject == "Nghị quyết số 01-NQ/CB của Chi bộ thôn Đông: Nghị quyết về xây dựng nông thôn mới"
    )
    assert reader.xmp_metadata.pdfaid_part in ("3", 3) and reader.trailer["/Root"]["/Lang"] == "vi"


def test_the_signature_always_stays_with_the_last_section(issued, member):
    """Tasks added one by one push the end over a page break: the signature never stands alone on a page."""
    responsible = Member.objects.get(user=member)
    counts = set()
    for number in range(14):
        texts = pages(documents.render_pdf(issued))
        counts.add(len(texts))
        signature = [index for index, text in enumerate(texts) if "T/M CHI BỘ" in text]
        checking = [index for index, text in enumerate(texts) if "V. KIỂM TRA" in text]
        assert signature == checking and len(signature) == 1, (number, texts[-1])
        assert "hằng tháng" in texts[signature[0]]
        Task.objects.create(resolution=issued, responsible=responsible, deadline=date(2026, 6, 1 + number),
                            title=f"Việc số {number}: vận động nhân dân làm đường bê tông liên thôn")  # fmt: skip
    assert len(counts) > 1  # the lengths tried did cross a page break
