"""The resolution's PDF: named after the cell, number and year; the signature kept with the last section;
PDF/A with the document's metadata (issue 15). The real programs open it in tests/files/test_pdf_files.py."""

import io
import unicodedata
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def test_the_context_takes_the_same_queries_for_2_and_60_tasks(issued, member, make_member, cell,
                                                                django_assert_num_queries):  # fmt: skip
    """Issue 17: the worker reads as much for a resolution of 60 tasks, each for another member, as for 2."""
    people = [Member.objects.get(user=member)] + [make_member(cell, f"Đảng viên số {n}") for n in range(59)]

    def assign(count):
        Task.objects.filter(resolution=issued).delete()
        Task.objects.bulk_create(Task(resolution=issued, responsible=people[n], deadline=date(2026, 6, 1),
                                      title=f"Việc số {n}") for n in range(count))  # fmt: skip

    for count in (2, 60):
        assign(count)
        record = documents.pdf_records().get(pk=issued.pk)
        with django_assert_num_queries(1):  # the tasks with who is responsible (the text was frozen when issued)
            context = documents.context(record)
        assert len(context["doc"]["assignments"]) == count and context["doc"]["assignments"][-1]["who"]
        with CaptureQueriesContext(connection) as captured:
            assert render_resolution_pdf.apply(args=[issued.pk]).result == "rendered"
        # The record and its tasks; in a transaction (SAVEPOINT here): the record locked and its tasks again, the
        # stored PDF written on the row, the end of the transaction.
        assert len(captured.captured_queries) == 7
