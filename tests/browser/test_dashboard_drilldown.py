import pytest
from django.utils import timezone

from members.models import Member
from tests.dashboards.test_dashboard_views import hold
from tests.meetings.conftest import local

from .conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def held_meetings(cell, other_cell, secretary, member, outsider, make_member):
    absent = make_member(cell, "Bùi Văn Vắng")
    year = timezone.localdate().year
    meetings = [hold(cell, local(year, month, 3, 19, 30), absent=[absent]) for month in (1, 2)]
    hold(other_cell, local(year, 2, 5, 19, 30))
    return meetings


def test_a_provincial_viewer_drills_down_from_the_province_to_a_meeting(
    page, live_server, province_viewer, province, commune, cell, held_meetings
):
    log_in(page, live_server, "province_viewer")
    page.get_by_role("link", name="Bảng theo dõi").first.click()
    page.get_by_role("heading", name=f"Bảng theo dõi: {province.name}").wait_for()
    # The twelve-month trend is drawn by the vendored Chart.js, one chart per measure (once its script ran).
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))")
    charts = page.evaluate("Array.from(document.querySelectorAll('canvas[data-chart]')).map(c => !!Chart.getChart(c))")
    assert len(charts) == 8 and all(charts)
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (.xlsx)").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.locator("#children").get_by_role("link", name=commune.name).click()
    page.get_by_role("heading", name=f"Bảng theo dõi: {commune.name}").wait_for()
    assert "Chi bộ khu phố 1" not in page.locator("#children").inner_text()
    page.locator("#children").get_by_role("link", name=cell.name).click()
    page.get_by_role("heading", name=f"Bảng theo dõi: {cell.name}").wait_for()
    members = page.locator("#members").inner_text()
    assert "Bùi Văn Vắng" in members and "2/2" not in members.split("Bùi Văn Vắng")[1].splitlines()[0]
    page.locator("#meetings").get_by_role("link").first.click()
    page.wait_for_url(f"**/meetings/{held_meetings[0].pk}/")
    assert page.get_by_text("Sinh hoạt thường kỳ").first.is_visible()


def test_a_secretary_reads_the_cells_dashboard_on_a_phone(phone, live_server, secretary, cell, held_meetings):
    log_in(phone, live_server, "secretary")
    phone.get_by_role("link", name="Bảng theo dõi").click()
    phone.get_by_role("heading", name=f"Bảng theo dõi: {cell.name}").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert Member.objects.filter(cell=cell).count() == 3
    # 2 of 3 present at each of the two meetings
    assert phone.locator('[data-figure="attendance_rate"]').inner_text() == "66,7 %"


def test_the_period_chooser_shows_only_the_fields_of_the_chosen_period(page, live_server, commune_viewer, commune):
    log_in(page, live_server, "commune_viewer")
    page.locator(".home-committee").get_by_role("link", name="Bảng theo dõi").click()
    page.get_by_role("heading", name=f"Bảng theo dõi: {commune.name}").wait_for()
    month, start, end = (page.locator(f"#id_{name}") for name in ("month", "start", "end"))
    assert month.is_visible() and not start.is_visible() and not end.is_visible()  # a year: which one
    page.select_option("#id_period", "custom")
    assert start.is_visible() and end.is_visible() and not month.is_visible()
    page.fill("#id_start", "2026-03")
    page.fill("#id_end", "2026-05")
    page.get_by_role("button", name="Xem").click()
    page.get_by_role("heading", name=f"Bảng theo dõi: {commune.name}").wait_for()
    assert "03/2026" in page.locator("#period-label").inner_text()
    assert start.is_visible() and not month.is_visible()  # the page comes back as it was left
    page.select_option("#id_period", "quarter")
    assert month.is_visible() and not start.is_visible()
