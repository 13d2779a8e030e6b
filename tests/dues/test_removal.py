"""Months of dues unpaid without a reason count toward removal (domain §3, §11); the flag says which."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from dues import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def behind(cell, book_member, secretary):
    """Paid January and February 2026 only; exempt from dues in May."""
    services.open_months(cell, [date(2026, m, 1) for m in range(1, 8)], members=[book_member])
    services.record_payment(cell, book_member, 20_000, date(2026, 2, 5), secretary)
    services.record_exemption(book_member, date(2026, 5, 1), date(2026, 5, 1), "Nằm viện", secretary)
    return book_member


def test_months_unpaid_without_reason(behind):
    assert services.months_unpaid_without_reason(behind, 2026, date(2026, 5, 20)) == [
        date(2026, 3, 1), date(2026, 4, 1),
    ]  # fmt: skip
    # May was exempt; June is over from July on; the month under way never counts.
    assert [m.month for m in services.months_unpaid_without_reason(behind, 2026, date(2026, 7, 2))] == [3, 4, 6]
    assert services.months_unpaid_without_reason(behind, 2025, date(2026, 7, 2)) == []


@time_machine.travel("2026-07-02 09:00 +0700")
def test_the_member_list_and_page_flag_unpaid_dues_apart_from_absence(client, cell, behind, secretary):
    client.force_login(secretary)
    listing = client.get(reverse("members:list", args=[cell.pk])).content.decode()
    assert listing.count("3 tháng không nộp đảng phí") == 1
    assert "3 tháng vắng không lý do" not in listing
    page = client.get(reverse("members:detail", args=[behind.pk])).content.decode()
    assert 'id="dues-removal-flag"' in page and "3, 4, 6" in page
    assert 'id="removal-flag"' not in page


@time_machine.travel("2026-05-20 09:00 +0700")
def test_two_months_are_not_flagged(client, cell, behind, secretary):
    client.force_login(secretary)
    assert "dues-removal-flag" not in client.get(reverse("members:detail", args=[behind.pk])).content.decode()
