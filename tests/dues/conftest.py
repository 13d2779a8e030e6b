from datetime import UTC, date, datetime

import pytest

from dues import services
from dues.models import Category
from members.models import Member


@pytest.fixture
def book_member(cell, make_member):
    """A farmer on the roll since 2000, paying the fixed amount for other members."""
    return make_member(cell, "Đỗ Văn Nông")


@pytest.fixture
def secretary_member(secretary):
    return Member.objects.get(user=secretary)


@pytest.fixture
def salaried(cell, make_member):
    member = make_member(cell, "Vũ Thị Lương", gender=Member.Gender.FEMALE)
    services.set_profile(member, date(2026, 1, 1), Category.SALARIED, 6_250_000, None)
    return member


@pytest.fixture
def make_member(make_member):
    """Members on the roll, and in Chibo, long before the months these tests open: the book opens a member's
    months only from when their record was entered (`services.open_months(since_joined=True)`)."""

    def make(*args, **kwargs):
        member = make_member(*args, **kwargs)
        member.created_at = datetime(2000, 1, 1, tzinfo=UTC)
        Member.objects.filter(pk=member.pk).update(created_at=member.created_at)
        return member

    return make
