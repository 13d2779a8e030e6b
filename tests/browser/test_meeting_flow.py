import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from meetings.models import Invitation, Meeting

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_the_secretary_schedules_and_a_member_replies_from_a_phone(page, phone, live_server, secretary, member,
                                                                   cell):  # fmt: skip
    day = (timezone.localdate() + timedelta(days=10)).strftime("%d/%m/%Y")
    log_in(page, live_server, "secretary")
    page.get_by_role("link", name="Sinh hoạt chi bộ").first.click()
    page.get_by_role("link", name="Lên lịch họp").click()
    page.select_option("#id_kind", "regular")
    page.fill("#id_date", day)
    page.fill("#id_time", "19:30")
    page.fill("#id_place", "Nhà văn hóa thôn Đông")
    page.get_by_role("button", name="Lưu", exact=True).click()
    assert "Sinh hoạt thường kỳ" in page.locator("h1").inner_text()
    page.get_by_role("button", name="Chốt lịch và gửi giấy mời").click()
    assert page.locator("#meeting-status").inner_text() == "Đã chốt lịch"
    meeting = Meeting.objects.get()
    assert meeting.invitations.count() == 2

    # The member opens the link from the e-mail on a phone, without logging in.
    body = next(m.body for m in mail.outbox if m.to == ["member@example.vn"])
    link = re.search(r"https?://\S+/r/\S+/", body).group(0)
    path = link.split("/r/", 1)[1]
    phone.goto(f"{live_server.url}/r/{path}")
    assert phone.get_by_text(day).is_visible()
    button = phone.get_by_role("button", name="✔ Tôi sẽ dự họp")
    box = button.bounding_box()
    assert box["height"] >= 56 and box["width"] >= 300  # a big target for an elderly thumb
    button.click()
    assert "Cảm ơn đồng chí" in phone.locator("#reply-done").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert Invitation.objects.get(meeting=meeting, member__user=member).reply == "yes"

    # The secretary sees the reply.
    page.reload()
    assert page.locator("[data-replies=yes]").inner_text().strip() == "✔ 1"
    assert page.locator("[data-replies=none]").inner_text().strip() == "? 1"


def test_a_member_cannot_attend_and_says_why_on_a_phone(phone, live_server, secretary, member, cell):
    from meetings import services

    meeting = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() + timedelta(days=3), place="Nhà văn hóa")
    )
    services.confirm(meeting)
    log_in(phone, live_server, "member")
    phone.goto(f"{live_server.url}/my/meetings/")
    phone.locator("#upcoming a").first.click()
    phone.get_by_role("link", name="Trả lời", exact=True).click()
    phone.get_by_role("button", name="✘ Tôi không dự được").click()
    phone.locator(".invalid-feedback").wait_for()  # the reason is needed
    phone.fill("#id_reason", "Đi khám bệnh ở huyện")
    phone.get_by_role("button", name="✘ Tôi không dự được").click()
    phone.locator("#reply-done").wait_for()
    invitation = Invitation.objects.get(meeting=meeting, member__user=member)
    assert (invitation.reply, invitation.reason) == ("no", "Đi khám bệnh ở huyện")
