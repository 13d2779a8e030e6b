"""First visits, at phone size, starting from the home page and clicking only what is on the screen (no typed
address after the login)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from meetings import services
from meetings.models import Invitation, Meeting
from members.models import Member
from resolutions.models import Resolution, Task
from tests.dashboards.test_dashboard_views import hold
from tests.meetings.conftest import local

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_a_member_replies_and_reports_on_a_task_from_the_home_page(phone, live_server, cell, secretary, member):
    """An elderly member's month: the home page says what waits; they answer the invitation and report on
    their task, and find their report where they left it."""
    lan = Member.objects.get(user=member)
    meeting = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() + timedelta(days=4), place="Nhà văn hóa thôn Đông")
    )
    services.confirm(meeting)
    earlier = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() - timedelta(days=30), place="Nhà văn hóa thôn Đông")
    )
    resolution = Resolution.objects.create(cell=cell, meeting=earlier, title="Nghị quyết tháng trước",
                                           status=Resolution.Status.ISSUED, year=2026, number=7)  # fmt: skip
    Task.objects.create(resolution=resolution, title="Vận động các hộ đóng quỹ khuyến học", responsible=lan,
                        deadline=timezone.localdate() + timedelta(days=10))  # fmt: skip

    log_in(phone, live_server, "member")
    next_meeting = phone.locator("#home-next-meeting")
    next_meeting.get_by_role("button", name="Tôi sẽ dự họp").click()
    phone.locator("#reply-done").wait_for()
    assert "đồng chí sẽ dự họp" in phone.locator("#reply-done").inner_text()
    assert Invitation.objects.get(meeting=meeting, member=lan).reply == "yes"

    phone.get_by_role("link", name="Chibo", exact=True).click()  # the name at the top leads home
    assert "Sẽ dự" in phone.locator("#home-next-meeting").inner_text()  # the home now shows the answer
    tasks = phone.locator("#home-tasks")
    assert "Vận động các hộ đóng quỹ khuyến học" in tasks.inner_text()
    tasks.get_by_role("link", name="Báo cáo").click()
    phone.select_option("#id_status", "in_progress")
    phone.fill("#id_percent", "50")
    phone.fill("#id_note", "Đã vận động được 12 hộ.")
    phone.get_by_role("button", name="Gửi báo cáo").click()
    phone.locator("#my-tasks").wait_for()
    assert "Đã vận động được 12 hộ." in phone.locator("#my-tasks").inner_text()
    task = Task.objects.get(responsible=lan)
    assert (task.status, task.percent, task.updates.get().note) == ("in_progress", 50, "Đã vận động được 12 hộ.")


def test_a_commune_viewer_finds_the_weakest_cell_and_opens_its_last_meeting(
    phone, live_server, commune, cell, sibling_cell, commune_viewer, secretary, member, make_member
):
    absent = make_member(cell, "Bùi Văn Vắng")
    year = timezone.localdate().year
    last = [hold(cell, local(year, month, 3, 19, 30), absent=[absent]) for month in (1, 2)][-1]
    make_member(sibling_cell, "Cao Thị Đủ")
    hold(sibling_cell, local(year, 2, 5, 19, 30))

    log_in(phone, live_server, "commune_viewer")
    phone.locator(".home-committee").get_by_role("link", name="Bảng theo dõi").click()
    phone.get_by_role("heading", name=f"Bảng theo dõi: {commune.name}").wait_for()
    attendance = phone.locator('#weakest [data-measure="attendance"]')
    assert attendance.get_by_role("link").first.inner_text() == cell.name  # the weakest on attendance
    attendance.get_by_role("link", name=cell.name).click()
    phone.get_by_role("heading", name=f"Bảng theo dõi: {cell.name}").wait_for()
    phone.locator("#meetings").get_by_role("link").last.click()  # the year's meetings, oldest first
    phone.wait_for_url(f"**/meetings/{last.pk}/")
    assert "Bùi Văn Vắng" in phone.content()  # who was absent, on the meeting's page


def test_a_secretary_prepares_holds_and_closes_a_meeting_from_the_home_page(phone, live_server, cell, secretary,
                                                                             member):  # fmt: skip
    """The month path leads the secretary through it: plan, confirm (the invitations go), then, once the
    meeting is over, attendance and the minutes, signed."""
    log_in(phone, live_server, "secretary")
    path = phone.locator("#home-path")
    path.get_by_role("link", name="Lập kế hoạch sinh hoạt thường kỳ tháng này").click()
    day = timezone.localdate() + timedelta(days=2)
    phone.fill("#id_date", day.strftime("%d/%m/%Y"))
    phone.fill("#id_time", "19:30")
    phone.fill("#id_place", "Nhà văn hóa thôn Đông")
    phone.get_by_role("button", name="Lưu", exact=True).click()
    phone.get_by_role("button", name="Chốt lịch và gửi giấy mời").click()
    meeting = Meeting.objects.get(cell=cell, kind=Meeting.Kind.REGULAR)
    assert meeting.status == Meeting.Status.CONFIRMED and meeting.invitations.count() == 2

    # Two hours after it began, in the server's clock (the live server runs in this process).
    with time_machine.travel(meeting.starts_at + timedelta(hours=2), tick=True):
        phone.get_by_role("link", name="Chibo", exact=True).click()
        if timezone.localtime(meeting.starts_at).month == timezone.localdate().month:
            phone.locator("#home-path").get_by_role("link", name="Đã ghi nhận điểm danh").click()
        else:  # planned into next month: the path shows it once that month has come
            phone.locator("#home-next-meeting").get_by_role("link", name="Trang của buổi sinh hoạt").click()
            phone.locator("main a[href$='/attendance/']").first.click()
        for row in phone.locator(".attendance-row").all():
            row.get_by_text("Có mặt", exact=True).click()
        phone.get_by_role("button", name="Lưu điểm danh").click()
        phone.get_by_role("link", name="Biên bản", exact=True).click()
        phone.get_by_role("button", name="Viết biên bản").click()
        phone.fill("#id_conclusion", "Chi bộ thống nhất các nội dung đã bàn.")
        phone.get_by_role("button", name="Lưu biên bản").click()
        phone.get_by_role("button", name="Đã thông qua tại buổi sinh hoạt").click()
        phone.locator("#confirm-sign").check()
        phone.get_by_role("button", name="Ký và khóa").click()
        assert phone.locator("#minutes-status").inner_text() == "Đã ký và khóa"
    meeting.refresh_from_db()
    assert meeting.attendance_recorded_at is not None
    assert meeting.minutes.status == "locked" and meeting.attendances.filter(status="present").count() == 2
