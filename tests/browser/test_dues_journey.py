"""Party dues as a cell lives them (issue 16, "Done when"), at phone size, from the home page and clicking only
what is on the screen: the secretary collects a month's dues in the dues book, the regular meeting's minutes open
with the dues report, the member three months behind is flagged for dues (not absence), and the commune sees the
collection rate on its dashboard."""

from datetime import date

import pytest
import time_machine

from dashboards import summaries
from dues.models import DuesEntry
from members.models import Member
from tests.dashboards.test_dashboard_views import hold
from tests.dues.helpers import book_lines
from tests.meetings.conftest import local

from .conftest import log_in

pytestmark = pytest.mark.browser

JULY = range(1, 8)  # January to July 2026, 10.000 đồng a month


@pytest.fixture
def dues_book(cell, secretary, member, make_member, django_capture_on_commit_callbacks):
    """Bí paid the whole year so far on 2 July; Hoa paid January–May (June owed); Nợ paid January–March (April,
    May and June owed: three months without a reason). July's regular meeting was held on the 8th."""
    bi, hoa = Member.objects.get(user=secretary), Member.objects.get(user=member)
    behind = make_member(cell, "Ngô Văn Nợ")
    with django_capture_on_commit_callbacks(execute=True):
        book_lines(cell, bi, 2026, JULY, due=10_000, paid=10_000, paid_on=date(2026, 7, 2))
        book_lines(cell, hoa, 2026, JULY, due=10_000, paid=dict.fromkeys(range(1, 6), 10_000))
        book_lines(cell, behind, 2026, JULY, due=10_000, paid=dict.fromkeys(range(1, 4), 10_000))
        meeting = hold(cell, local(2026, 7, 8, 19, 30))
    summaries.rebuild()  # the nightly recount: lines opened in bulk send no signal
    return hoa, behind, meeting


def test_a_secretary_collects_dues_and_the_commune_sees_the_rate(
    phone, live_server, commune, cell, secretary, commune_viewer, dues_book
):
    hoa, behind, meeting = dues_book
    with time_machine.travel(local(2026, 7, 10, 9, 0), tick=True):
        log_in(phone, live_server, "secretary")

        # The dues book, from the menu: the cell, then its book.
        phone.locator(".navbar-toggler").click()
        phone.get_by_role("link", name="Chi bộ của tôi").click()
        phone.get_by_role("link", name="Sổ đảng phí").click()
        assert phone.locator("#total-owed").inner_text() == "40.000 đ"  # Hoa's June and Nợ's April–June
        row = phone.locator(f'[data-phone-member="{hoa.pk}"]')
        assert "Còn nợ: 06/2026" in row.inner_text()
        row.get_by_role("link", name="Thu").click()
        assert phone.locator("#id_member option:checked").inner_text() == "Lê Thị Hoa"
        phone.fill("#id_amount", "10.000")
        phone.get_by_role("button", name="Ghi nhận", exact=True).click()
        assert "Đã ghi 10.000 đồng của Lê Thị Hoa (các tháng 06/2026)." in phone.locator(".alert-success").inner_text()
        assert phone.locator("#total-owed").inner_text() == "30.000 đ"  # the arrears went down
        assert "Còn nợ" not in phone.locator(f'[data-phone-member="{hoa.pk}"]').inner_text()
        phone.get_by_role("button", name="Xem cả năm").click()
        june = phone.locator(f'#dues-book tr[data-member="{hoa.pk}"] td').nth(5)
        assert june.inner_text() == "✓"
        entry = DuesEntry.objects.get(member=hoa, month=date(2026, 6, 1))
        assert (entry.paid, entry.paid_on) == (10_000, date(2026, 7, 10))

        # The member three months behind is flagged on the member list, for dues and not for absence.
        phone.locator(".navbar-toggler").click()
        phone.get_by_role("link", name="Chi bộ của tôi").click()
        listing = phone.locator("main").inner_text()
        assert listing.count("3 tháng không nộp đảng phí") == 1
        assert "vắng không lý do" not in listing
        phone.get_by_role("link", name=behind.full_name).click()
        phone.wait_for_url(f"**/members/{behind.pk}/")
        assert "các tháng 4, 5, 6 năm 2026" in phone.locator("#dues-removal-flag").inner_text()
        assert phone.locator("#removal-flag").count() == 0

        # July's regular meeting: its minutes open with the dues report.
        phone.locator(".navbar-toggler").click()
        phone.get_by_role("link", name="Sinh hoạt chi bộ").click()
        phone.locator(f"main a[href$='/meetings/{meeting.pk}/']").first.click()
        phone.get_by_role("link", name="Biên bản", exact=True).click()
        phone.get_by_role("button", name="Viết biên bản").click()
        phone.fill("#id_conclusion", "Chi bộ thống nhất các nội dung đã bàn.")
        phone.get_by_role("button", name="Lưu biên bản").click()
        minutes = phone.locator("main").inner_text()
        assert (
            "Báo cáo đảng phí tháng 07/2026: đã thu trong tháng 80.000 đồng; 1/3 đảng viên đã nộp đảng phí tháng "
            "này. Còn nợ đảng phí: đ/c Ngô Văn Nợ (04/2026, 05/2026, 06/2026)."
        ) in minutes
        assert minutes.index("Báo cáo đảng phí") < minutes.index("Tổng số đảng viên")  # opening, before section I

        # The commune viewer: the collection rate on the commune's dashboard (160.000 of 210.000 đồng).
        phone.context.clear_cookies()
        log_in(phone, live_server, "commune_viewer")
        phone.locator(".home-committee").get_by_role("link", name="Bảng theo dõi").click()
        phone.get_by_role("heading", name=f"Bảng theo dõi: {commune.name}").wait_for()
        assert phone.locator('[data-figure="dues_rate"]').first.inner_text() == "76,2 %"
        assert "160.000 trên 210.000 đồng phải nộp" in phone.locator("main").inner_text()
        assert "1 đảng viên nợ đảng phí (30.000 đ)" in phone.locator("main").inner_text()
