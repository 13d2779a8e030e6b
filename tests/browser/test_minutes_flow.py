from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import Meeting
from members.models import Member
from minutes.models import Minutes
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_secretary_writes_votes_signs_and_downloads_the_minutes(page, live_server, secretary, member, cell):
    chair = Member.objects.get(user=secretary)
    meeting = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() - timedelta(hours=3), place="Nhà văn hóa thôn Đông", chair=chair)
    )
    services.record_attendance(meeting, {m.pk: ("present", "") for m in Member.objects.filter(cell=cell)})
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    page.get_by_role("link", name="Biên bản", exact=True).click()
    page.get_by_role("button", name="Viết biên bản").click()
    page.fill("#id_conclusion", "Chi bộ thống nhất triển khai Nghị quyết tháng này.")
    page.select_option("#id_contributions-0-member", str(Member.objects.get(user=member).pk))
    page.fill("#id_contributions-0-summary", "Đề nghị sửa đường liên thôn.")
    page.fill("#id_votes-0-subject", "Thông qua nghị quyết tháng")
    page.fill("#id_votes-0-votes_for", "2")
    for key in ("conduct", "chairing", "principles", "results", "closing"):
        page.fill(f"#id_{key}", "5")
    page.get_by_role("button", name="Lưu biên bản").click()
    assert "Thông qua." in page.locator("#minutes-votes").inner_text()
    page.get_by_role("button", name="Đã thông qua tại buổi sinh hoạt").click()
    page.get_by_role("button", name="Ký và khóa").click()  # not yet: the box asking to confirm is not ticked
    assert page.locator("#minutes-status").inner_text() != "Đã ký và khóa"
    page.locator("#confirm-sign").check()
    page.get_by_role("button", name="Ký và khóa").click()
    assert page.locator("#minutes-status").inner_text() == "Đã ký và khóa"
    with page.expect_download() as download:
        page.locator("#pdf-link").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    assert Minutes.objects.get(meeting=meeting).pdf_status == "ready"
