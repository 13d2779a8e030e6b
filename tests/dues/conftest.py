from datetime import date

import pytest

from dues import services
from dues.models import Category
from members.models import Member

from .helpers import entered_long_ago


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
    """Members on the roll, and in Chibo, long before the months these tests open."""
    return entered_long_ago(make_member)
