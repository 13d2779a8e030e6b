"""The secretary asks for the year's minutes book while some signed minutes have no PDF yet: the worker renders
them, the book page follows its progress and then downloads the whole year (issue 15)."""

from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from meetings.demo import seed_cell
from members.models import Member
from minutes.demo import seed_minutes
from minutes.models import Minutes

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_the_book_is_completed_then_downloaded_whole(page, live_server, secretary, member, cell, make_member):
    for number in range(6):
        make_member(cell, f"Nguyễn Văn Thành {number}", position=Member.Position.COMMITTEE if number < 2 else "member")
    seed_cell(cell, today=date(2026, 12, 1))
    seed_minutes(cell, today=date(2026, 12, 1))  # signed, their PDFs never rendered
    signed = Minutes.objects.filter(meeting__cell=cell, meeting__starts_at__year=2026)
    assert signed.count() >= 10 and not signed.filter(pdf_status="ready").exists()
    log_in(page, live_server, "secretary")
    page.goto(f"{live_server.url}/cells/{cell.pk}/minutes/?year=2026")
    assert "chưa có tệp PDF" in page.locator("#book-missing").inner_text()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("link", name="Sổ năm 2026 thành một tệp PDF").click()
    assert download.value.suggested_filename == "so-bien-ban-p-c1-1-2026.pdf"
    reader = PdfReader(Path(download.value.path()))
    # The contents, then every signed minutes of the year (each with its own sections nested under it).
    top_level = [item for item in reader.outline if not isinstance(item, list)]
    assert len(top_level) == signed.count() + 1
    assert not signed.exclude(pdf_status="ready").exists()
    assert "Sổ biên bản đã sẵn sàng." in page.locator("#book-progress").inner_text()
