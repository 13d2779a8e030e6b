from datetime import date

import pytest

from meetings import services as meeting_services
from meetings.models import Meeting
from members.models import Member
from minutes import workflow
from minutes.models import Vote
from resolutions import services
from resolutions.models import Resolution, Task

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_a_member_reports_progress_on_a_task_from_a_phone(phone, live_server, secretary, member, cell):
    from datetime import timedelta

    from django.utils import timezone

    meeting = meeting_services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() - timedelta(days=3), place="Nhà văn hóa")
    )
    vote = Vote.objects.create(minutes=workflow.start(meeting), subject="NQ", votes_for=2, base=2, passed=True)
    resolution = services.issue(Resolution.objects.create(cell=cell, meeting=meeting, vote=vote, title="Nghị quyết"))
    task = Task.objects.create(resolution=resolution, title="Vận động nhân dân trồng cây",
                               responsible=Member.objects.get(user=member), deadline=date(2030, 1, 31))  # fmt: skip
    log_in(phone, live_server, "member")
    phone.goto(f"{live_server.url}/my/tasks/")
    phone.get_by_text("Vận động nhân dân trồng cây").click()
    phone.select_option("#id_status", "in_progress")
    phone.fill("#id_percent", "60")
    phone.fill("#id_note", "Đã trồng 30 cây ở xóm Đông")
    button = phone.get_by_role("button", name="Gửi báo cáo")
    assert button.bounding_box()["width"] >= 300
    button.click()
    phone.locator("#my-tasks").wait_for()  # back on their tasks, the report shown under the task
    assert "Đã trồng 30 cây ở xóm Đông" in phone.locator("#my-tasks").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    task.refresh_from_db()
    assert (task.status, task.percent) == ("in_progress", 60)
    assert task.updates.get().note == "Đã trồng 30 cây ở xóm Đông"
