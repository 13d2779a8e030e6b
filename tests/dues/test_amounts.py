"""The amount due by category, rate history, exemptions and members away (domain §11)."""

from datetime import date
from decimal import Decimal

import pytest

from dues import services
from dues.models import Category, DuesCorrection, DuesEntry
from members.models import Member

pytestmark = pytest.mark.django_db

JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))


def due(member, month):
    return DuesEntry.objects.get(member=member, month=month).due


def test_each_category_pays_by_its_rule_with_the_defaults(cell, make_member, settings):
    settings.DUES_ROUND_TO = 1000
    salaried, pension, student, farmer = (make_member(cell) for _ in range(4))
    services.set_profile(salaried, JAN, Category.SALARIED, 6_250_000, None)  # 1% = 62.500 → 63.000
    services.set_profile(pension, JAN, Category.PENSION, 4_300_000, None)  # 0,5% = 21.500 → 22.000
    services.set_profile(student, JAN, Category.STUDENT, None, None)
    services.open_months(cell, [JAN])
    assert [due(m, JAN) for m in (salaried, pension, student, farmer)] == [63_000, 22_000, 5_000, 10_000]
    entry = DuesEntry.objects.get(member=salaried, month=JAN)
    assert (entry.base, entry.percent, entry.rate) == (6_250_000, Decimal("1.00"), None)


def test_the_nearest_committee_s_newest_rate_applies_and_past_months_keep_their_amount(
    cell, commune, province, book_member
):
    services.set_rate(province, Category.OTHER, JAN, None, amount=8_000)
    services.set_rate(commune, Category.OTHER, JAN, None, amount=12_000)
    services.open_months(cell, [JAN, FEB])
    assert due(book_member, JAN) == 12_000  # the commune is nearer than the province
    services.set_rate(commune, Category.OTHER, MAR, None, amount=15_000)
    services.set_rate(province, Category.OTHER, APR, None, amount=20_000)
    services.open_months(cell, [JAN, FEB, MAR, APR])
    assert [due(book_member, m) for m in (JAN, FEB, MAR, APR)] == [12_000, 12_000, 15_000, 15_000]
    # A rate set later "from January" rewrites nothing already opened.
    services.set_rate(commune, Category.OTHER, JAN, None, amount=30_000)
    services.open_months(cell, [JAN])
    assert due(book_member, JAN) == 12_000


def test_a_new_basis_applies_from_its_month_and_repricing_keeps_a_correction(cell, salaried, secretary):
    services.open_months(cell, [JAN, FEB, MAR])
    services.set_profile(salaried, FEB, Category.SALARIED, 8_000_000, secretary, reprice=True)
    assert [due(salaried, m) for m in (JAN, FEB, MAR)] == [63_000, 80_000, 80_000]
    corrections = DuesCorrection.objects.filter(entry__member=salaried).order_by("entry__month")
    assert [(c.old_value, c.new_value, c.by) for c in corrections] == [(63_000, 80_000, secretary)] * 2


def test_a_member_paying_a_percentage_must_declare_a_base(salaried):
    with pytest.raises(services.ValidationError):
        services.set_profile(salaried, MAR, Category.PENSION, None, None)


def test_exempt_from_activity_still_pays_unless_the_cell_exempts_from_dues(cell, make_member, secretary):
    elderly = make_member(cell, "Hoàng Văn Cao", status=Member.Status.EXEMPT)
    services.open_months(cell, [JAN, FEB])
    assert due(elderly, JAN) == 10_000
    services.record_exemption(elderly, FEB, None, "Hoàn cảnh khó khăn, ốm đau dài ngày", secretary)
    services.open_months(cell, [MAR])
    assert [due(elderly, m) for m in (JAN, FEB, MAR)] == [10_000, 0, 0]
    correction = DuesCorrection.objects.get(entry__member=elderly)
    assert (correction.old_value, correction.new_value) == (10_000, 0)
    assert "ốm đau" in correction.reason
    assert services.months_unpaid_without_reason(elderly, 2026, date(2026, 5, 1)) == [JAN]


def test_members_away_pay_at_their_official_cell_by_default(cell, make_member, settings):
    away = make_member(cell, "Bùi Văn Xa", status=Member.Status.AWAY)
    visiting = make_member(cell, "Ngô Thị Đến", status=Member.Status.VISITING)
    services.open_months(cell, [JAN])
    assert DuesEntry.objects.filter(member=away).exists()
    assert not DuesEntry.objects.filter(member=visiting).exists()
    settings.DUES_AWAY_PAY_AT_HOME_CELL = False
    services.open_months(cell, [FEB])
    assert not DuesEntry.objects.filter(member=away, month=FEB).exists()
    assert DuesEntry.objects.filter(member=visiting, month=FEB).exists()


def test_the_paperwork_can_say_where_a_member_away_pays(cell, make_member):
    away = make_member(cell, "Bùi Văn Xa", status=Member.Status.AWAY)
    services.set_profile(away, JAN, Category.OTHER, None, None, away_pays="host")
    services.open_months(cell, [JAN])
    assert not DuesEntry.objects.filter(member=away).exists()


def test_months_before_admission_are_not_opened(cell, make_member):
    newcomer = make_member(cell, "Lý Văn Mới", admitted_on=date(2026, 2, 14), official_on=None)
    services.open_months(cell, [JAN, FEB])
    assert list(DuesEntry.objects.filter(member=newcomer).values_list("month", flat=True)) == [FEB]
