"""The minutes' PDF in the party's layout (HD 36): numbered from page 2, the signature block never alone on a
page, the two signing names on one line, the assignments' table header repeated (issue 15)."""

import io
import unicodedata

import pytest
from django.urls import reverse
from pypdf import PdfReader

from members.models import Member
from minutes import workflow
from minutes.models import Contribution, MinutesSection, MinutesTask

from .test_minutes import lock, make_held

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(cell, make_member, make_meeting, secretary, member):
    return make_held(cell, make_member, make_meeting, secretary, member)


def pages(content):
    return [unicodedata.normalize("NFC", page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


def lines(text):
    return [line.strip() for line in text.splitlines()]


def page_of(texts, needle):
    found = [index for index, text in enumerate(texts) if needle in text]
    assert len(found) == 1, (needle, found)
    return found[0]


def test_the_signature_block_always_stays_with_the_closing_lines(held, member):
    """Speakers added one by one push the end of the minutes over a page break: at no length is the signature
    block left alone on a page, nor parted from the last section and the line saying the minutes were approved."""
    minutes = workflow.start(held)
    MinutesSection.objects.filter(minutes=minutes).delete()
    MinutesSection.objects.create(minutes=minutes, order=1, heading="Thông tin thời sự", text="Nội dung. " * 300)
    speaker = Member.objects.get(user=member)
    counts = set()
    for order in range(16):
        texts = pages(workflow.render_pdf(minutes))
        counts.add(len(texts))
        closing = page_of(texts, "Buổi sinh hoạt kết thúc lúc")
        assert page_of(texts, "THƯ KÝ") == page_of(texts, "T/M CHI BỘ") == closing, (order, texts[-1])
        assert page_of(texts, "TỰ ĐÁNH GIÁ CHẤT LƯỢNG") == closing, (order, texts[-1])
        summary = f"Đề nghị số {order}: chi bộ quan tâm hơn việc sửa đường liên thôn."
        Contribution.objects.create(minutes=minutes, member=speaker, order=order, summary=summary)
    assert len(counts) > 1  # the lengths tried did cross a page break


def test_the_pages_are_numbered_from_the_second_and_the_assignments_header_repeats(held, member):
    minutes = workflow.start(held)
    speaker = Member.objects.get(user=member)
    for number in range(30):
        MinutesTask.objects.create(minutes=minutes, member=speaker, description=f"Việc được giao số {number:02d}")
    texts = pages(workflow.render_pdf(minutes))
    assert len(texts) >= 3
    assert "1" not in lines(texts[0])
    with_tasks = [index for index, text in enumerate(texts) if "Việc được giao số" in text]
    assert len(with_tasks) >= 2
    for index in with_tasks:
        assert "Nhiệm vụ" in texts[index] and "Người thực hiện" in texts[index] and "Thời hạn" in texts[index]
    for number, text in enumerate(texts[1:], start=2):
        assert str(number) in lines(text), text[-80:]


def test_the_file_name_says_whose_minutes_in_plain_letters(client, held, secretary, cell,
                                                           django_capture_on_commit_callbacks):  # fmt: skip
    """bien-ban-<the cell's code>-<the day>.pdf, without Vietnamese marks: every mail client and USB stick keeps it."""
    cell.code = "TH.Đông-01"
    cell.save()
    with django_capture_on_commit_callbacks(execute=True):
        lock(held, secretary)
    client.force_login(secretary)
    response = client.get(reverse("meetings:minutes_pdf", args=[held.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="bien-ban-th-dong-01-2026-10-03.pdf"'
