"""The dues report at the opening of the regular meeting: its page, its minutes."""

from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from dues import services
from meetings import services as meeting_services
from meetings.models import Attendance, Meeting
from members.models import Member
from minutes import workflow

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = (date(2026, m, 1) for m in (1, 2, 3))


@pytest.fixture
def march(cell, make_member, secretary):
    late = make_member(cell, "Đinh Văn Chậm")
    on_time = make_member(cell, "Mai Thị Đúng")
    services.open_months(cell, [JAN, FEB, MAR])
    services.record_payment(cell, on_time, 30_000, date(2026, 3, 2), secretary)
    services.record_payment(cell, late, 10_000, date(2026, 3, 2), secretary)  # January only
    meeting = meeting_services.create_meeting(Meeting(
        cell=cell, kind=Meeting.Kind.REGULAR, starts_at=timezone.make_aware(datetime(2026, 3, 3, 19, 30)),
        place="Nhà văn hóa", status=Meeting.Status.HELD,
    ))  # fmt: skip
    return meeting, late


def test_month_summary(cell, march, secretary):
    summary = services.month_summary(cell, MAR)
    assert summary["collected"] == 40_000
    assert (summary["members_paid"], summary["members_due"]) == (1, 3)
    names = {str(row["member"]): row["months"] for row in summary["arrears"]}
    assert names == {"Đinh Văn Chậm": [FEB], "Trần Văn Bí": [JAN, FEB]}


def test_the_meeting_page_opens_with_the_dues_report(client, march, secretary):
    meeting, _late = march
    client.force_login(secretary)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Báo cáo đảng phí tháng 03/2026" in page
    assert "Đinh Văn Chậm (02/2026)" in page


def test_the_minutes_open_with_the_dues_report_and_keep_it_once_signed(client, march, secretary):
    meeting, late = march
    present = {m.pk: (Attendance.Status.PRESENT, "") for m in Member.objects.filter(cell=meeting.cell)}
    with time_machine.travel("2026-03-03 21:00 +0700"):
        meeting_services.record_attendance(meeting, present)
    minutes = workflow.start(meeting, by=secretary)
    client.force_login(secretary)
    page = client.get(reverse("meetings:minutes", args=[meeting.pk])).content.decode()
    assert "đã thu trong tháng 40.000 đồng" in page
    assert "đ/c Đinh Văn Chậm (02/2026)" in page
    with time_machine.travel("2026-03-03 21:30 +0700"):
        workflow.approve(minutes, secretary)
        workflow.sign(minutes, secretary)
    services.record_payment(meeting.cell, late, 10_000, date(2026, 3, 20), secretary)
    minutes.refresh_from_db()
    assert "40.000" in workflow.content(minutes)["opening"][0]


def test_a_thematic_meeting_has_no_dues_report(client, cell, secretary):
    meeting = meeting_services.create_meeting(Meeting(
        cell=cell, kind=Meeting.Kind.THEMATIC, starts_at=timezone.make_aware(datetime(2026, 3, 20, 19, 30)),
        place="Nhà văn hóa",
    ))  # fmt: skip
    client.force_login(secretary)
    assert "dues-opening" not in client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
