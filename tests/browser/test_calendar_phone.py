"""A month's calendar on a 390 px phone: the seven days side by side, without sideways scrolling, in normal
and large text; each meeting still says its kind to a screen reader."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import Meeting

from .conftest import log_in

pytestmark = pytest.mark.browser


def seven_days_fit(phone):
    header = phone.locator(".calendar-table thead th")
    assert header.count() == 7
    right = max(header.nth(i).bounding_box()["x"] + header.nth(i).bounding_box()["width"] for i in range(7))
    assert right <= 390, right
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    box = phone.locator(".table-responsive").first
    assert box.evaluate("el => el.scrollWidth <= el.clientWidth")


def test_the_month_shows_seven_days_on_a_phone(phone, live_server, cell, secretary):
    for days, kind in ((2, Meeting.Kind.REGULAR), (3, Meeting.Kind.COMMITTEE)):
        services.create_meeting(
            Meeting(cell=cell, starts_at=timezone.now() + timedelta(days=days), place="X", kind=kind)
        )
    log_in(phone, live_server, "secretary")
    phone.goto(live_server.url + reverse("meetings:calendar", args=[cell.pk]))
    seven_days_fit(phone)
    chips = phone.locator(".calendar-table a.meeting-chip")
    assert chips.count() >= 1
    assert "Sinh hoạt" in chips.first.evaluate("el => el.textContent")  # the kind, read out though hidden
    with phone.expect_navigation():  # the switch posts; the page comes back with its styles loaded
        phone.get_by_role("button", name="Chữ lớn").click()
    phone.wait_for_function("document.documentElement.classList.contains('text-large')")
    seven_days_fit(phone)
