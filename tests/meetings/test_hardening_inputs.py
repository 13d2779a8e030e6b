"""Inputs found by attacking the pages that answered 500: each is now a message, and nothing changes."""

from django.urls import reverse

from dashboards.models import DashboardReport
from meetings.models import Attendance
from members.models import Member

from .conftest import local

HUGE_MONTHS = ["01/99999999999999999999", "99999999999999999999-01", "01/2147483648"]


def test_a_month_of_twenty_digits_on_the_dashboard_is_a_form_error(client, commune_viewer, commune):
    client.force_login(commune_viewer)
    for month in HUGE_MONTHS:
        page = client.get(reverse("meetings:dashboard", args=[commune.pk]), {"period": "month", "month": month})
        assert page.status_code == 200
        custom = {"period": "custom", "start": "2026-01", "end": month}
        assert client.get(reverse("meetings:dashboard_cells", args=[commune.pk]), custom).status_code == 200
        response = client.post(reverse("meetings:report_request", args=[commune.pk]), {"month": month}, follow=True)
        assert "Hãy chọn tháng của báo cáo." in response.content.decode()
    assert not DashboardReport.objects.exists()


def test_a_nul_character_in_an_absence_reason_is_refused(client, secretary, cell, make_meeting):
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30))
    client.force_login(secretary)
    members = list(Member.objects.filter(cell=cell))
    data = {f"status-{m.pk}": "present" for m in members}
    data[f"status-{members[0].pk}"] = "excused"
    data[f"reason-{members[0].pk}"] = "ốm\x00"
    response = client.post(reverse("meetings:attendance", args=[meeting.pk]), data)
    assert response.status_code == 200
    assert any("không lưu được" in str(error) for error in response.context["errors"])
    assert not Attendance.objects.exists()
