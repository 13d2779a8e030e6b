import re
from datetime import timedelta

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import Invitation, Meeting
from members.models import Member

pytestmark = pytest.mark.browser


def test_a_member_without_e_mail_logs_in_with_a_code_and_replies_on_a_phone(phone, live_server, provider, secretary,
                                                                            cell):  # fmt: skip
    """The member has a phone with Zalo and no e-mail: the invitation reaches them by Zalo, they log in with a
    code sent by Zalo, and reply, on a phone-sized screen."""
    lan = Member.objects.create(cell=cell, full_name="Nguyễn Thị Lan", gender="female", admitted_on="1990-01-01",
                                official_on="1991-01-01", phone="+84912345678")  # fmt: skip
    meeting = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() + timedelta(days=3), place="Nhà văn hóa")
    )
    services.confirm(meeting)
    assert [sent[1] for sent in provider.zalo_sent] == ["t-invitation"]  # the invitation, by Zalo

    phone.goto(live_server.url + "/accounts/login/")
    phone.get_by_role("link", name="Đăng nhập bằng số điện thoại").click()
    phone.fill("#id_phone", "0912 345 678")
    phone.get_by_role("button", name="Gửi mã cho tôi").click()
    phone.locator("#id_code").wait_for()
    code = provider.zalo_sent[-1][2]["otp"]
    assert re.fullmatch(r"\d{6}", code)
    assert phone.locator("#id_code").get_attribute("autocomplete") == "one-time-code"
    phone.fill("#id_code", code)
    phone.get_by_role("button", name="Tiếp tục").click()
    phone.wait_for_url(f"{live_server.url}/")
    assert "Nguyễn Thị Lan" in phone.content()

    phone.goto(f"{live_server.url}/my/meetings/")
    phone.locator("#upcoming a").first.click()
    phone.get_by_role("link", name="Trả lời", exact=True).click()
    phone.get_by_role("button", name="✔ Tôi sẽ dự họp").click()
    phone.locator("#reply-done").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert Invitation.objects.get(meeting=meeting, member=lan).reply == "yes"
