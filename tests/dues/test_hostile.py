"""From a hostile insider's pass over the dues book: what a cell, a committee member or a token payment must
not be able to do."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from dues import services
from dues.models import DuesEntry, DuesPayment, DuesReport
from members import services as member_services
from members.models import Member, StatusChange

pytestmark = pytest.mark.django_db

JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))
TODAY = "2026-05-10 09:00 +0700"


@pytest.fixture(autouse=True)
def _in_may():
    with time_machine.travel(TODAY, tick=False):
        yield


def dues(member):
    return list(DuesEntry.objects.filter(member=member).order_by("month").values_list("cell_id", "month", "due"))


def test_the_new_cell_cannot_exempt_or_reprice_the_months_owed_to_the_cell_a_member_left(
    client, cell, other_cell, book_member, outsider
):
    services.open_months(cell, [JAN, FEB], members=[book_member])
    member_services.transfer(book_member, other_cell, date(2026, 5, 1))
    book_member.refresh_from_db()
    client.force_login(outsider)  # the secretary of the cell the member moved to
    before = dues(book_member)
    client.post(reverse("dues:exemption", args=[book_member.pk]), {"from_month": "01/2000", "reason": "xóa nợ"})
    client.post(reverse("dues:profile", args=[book_member.pk]),
                {"valid_from": "01/2000", "category": "salaried", "base": "100000000", "reprice": "on"})  # fmt: skip
    assert dues(book_member) == before == [(cell.pk, JAN, 10_000), (cell.pk, FEB, 10_000)]
    # Nor does the old cell's history show on the member's page to the new cell.
    page = client.get(reverse("dues:member", args=[book_member.pk]))
    assert page.context["entries"] == []


def test_a_committee_member_cannot_touch_their_own_dues(client, cell, secretary, secretary_member):
    services.open_months(cell, [JAN], members=[secretary_member])
    entry = DuesEntry.objects.get(member=secretary_member)
    client.force_login(secretary)
    assert client.post(reverse("dues:exemption", args=[secretary_member.pk]),
                       {"from_month": "01/2026", "reason": "tự miễn"}).status_code == 403  # fmt: skip
    assert client.post(reverse("dues:entry", args=[entry.pk]),
                       {"field": "paid", "new_value": "10000", "reason": "x"}).status_code == 403  # fmt: skip
    assert dues(secretary_member) == [(cell.pk, JAN, 10_000)] and DuesEntry.objects.get(pk=entry.pk).paid == 0


def test_a_paid_amount_is_corrected_only_within_the_amount_due(cell, book_member, secretary):
    services.open_months(cell, [JAN], members=[book_member])
    entry = DuesEntry.objects.get(member=book_member)
    with pytest.raises(services.ValidationError):
        services.correct_entry(entry, "paid", 999_999, "x", secretary)
    assert DuesEntry.objects.get(pk=entry.pk).paid == 0


def test_a_payment_dated_in_a_month_already_reported_is_refused_and_a_month_is_reported_once_over(
    cell, book_member, secretary
):
    services.open_months(cell, [MAR, APR], members=[book_member])
    services.send_report(cell, APR, secretary)
    with pytest.raises(services.ValidationError, match="04/2026"):
        services.record_payment(cell, book_member, 10_000, date(2026, 4, 20), secretary)
    assert not DuesPayment.objects.exists()
    with pytest.raises(services.ReportError):
        services.send_report(cell, date(2026, 5, 1), secretary)  # May is not over
    assert not DuesReport.objects.filter(month=date(2026, 5, 1)).exists()


def test_a_token_payment_cannot_open_old_months_as_arrears(cell, book_member, secretary):
    with pytest.raises(services.ValidationError):
        services.record_payment(cell, book_member, 1, date(2026, 5, 10), secretary, months=[JAN, FEB, MAR, APR])
    assert dues(book_member) == [] and not DuesPayment.objects.exists()
    assert services.removal_flags([book_member.pk], 2026, date(2026, 5, 10)) == {}


def test_a_huge_base_is_refused_and_the_book_still_opens(client, cell, book_member, secretary):
    client.force_login(secretary)
    response = client.post(reverse("dues:profile", args=[book_member.pk]),
                           {"valid_from": "05/2026", "category": "salaried", "base": "900000000000000"})  # fmt: skip
    assert response.status_code == 200 and response.context["form"].errors["base"]
    assert not Member.objects.get(pk=book_member.pk).dues_profiles.exists()
    assert client.get(reverse("dues:book", args=[cell.pk])).status_code == 200


@pytest.mark.parametrize(("year", "month"), [(9999, 12), (1, 1), (1999, 12)])
def test_a_report_of_an_impossible_month_is_not_found(client, cell, secretary, year, month):
    client.force_login(secretary)
    assert client.get(reverse("dues:report", args=[cell.pk, year, month])).status_code == 404
    assert client.post(reverse("dues:report", args=[cell.pk, year, month]), {"action": "send"}).status_code == 404
    assert not DuesReport.objects.exists()


# --- from a review of the dues book ---------------------------------------------------------------------------


def test_the_book_opens_no_arrears_for_months_before_a_member_came_or_was_entered(client, cell, other_cell,
                                                                                  secretary, make_member):  # fmt: skip
    """A long-standing member entered in Chibo in May, and one who moved here in May, owe this book nothing for
    January to April: the book opens their months from May."""
    services.open_months(cell, [JAN])  # the cell's book started in January
    entered = make_member(cell, "Lưu Văn Mới")
    Member.objects.filter(pk=entered.pk).update(created_at=datetime(2026, 5, 3, tzinfo=UTC))
    moved = make_member(other_cell, "Tạ Văn Chuyển")
    member_services.transfer(moved, cell, date(2026, 5, 2))
    client.force_login(secretary)
    client.get(reverse("dues:book", args=[cell.pk]))
    for member in (entered, moved):
        months = list(DuesEntry.objects.filter(member=member, cell=cell).values_list("month", flat=True))
        assert months == [date(2026, 5, 1)], member
        assert services.removal_flags([member.pk], 2026, date(2026, 5, 10)) == {}


def test_an_exemption_over_partly_paid_months_takes_them_out_of_the_removal_count(cell, book_member, secretary):
    services.open_months(cell, [JAN, FEB, MAR], members=[book_member])
    DuesEntry.objects.filter(member=book_member).update(paid=1_000)
    assert len(services.removal_flags([book_member.pk], 2026, date(2026, 5, 10))[book_member.pk]) == 3
    services.record_exemption(book_member, JAN, MAR, "Ốm nặng, chi bộ đồng ý miễn", secretary)
    assert services.removal_flags([book_member.pk], 2026, date(2026, 5, 10)) == {}
    assert set(DuesEntry.objects.filter(member=book_member).values_list("due", "paid")) == {(1_000, 1_000)}


def test_the_amount_due_is_not_corrected_below_what_was_paid(cell, book_member, secretary):
    services.open_months(cell, [JAN], members=[book_member])
    services.record_payment(cell, book_member, 10_000, date(2026, 1, 10), secretary, months=[JAN])
    entry = DuesEntry.objects.get(member=book_member)
    with pytest.raises(services.ValidationError):
        services.correct_entry(entry, "due", 5_000, "giảm mức", secretary)


def test_reports_not_sent_last_year_are_still_listed_in_january(cell, book_member, secretary):
    services.open_months(cell, [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)], members=[book_member])
    with time_machine.travel("2027-01-20 09:00 +0700", tick=False):
        assert services.unsent_reports([cell], date(2027, 1, 20)) == [
            (cell, [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)])
        ]


def test_a_correction_counts_the_members_year_again_at_once(cell, book_member, secretary,
                                                           django_capture_on_commit_callbacks):  # fmt: skip
    from dashboards import summaries
    from dashboards.models import MemberYear

    with django_capture_on_commit_callbacks(execute=True):
        services.open_months(cell, [JAN, FEB, MAR], members=[book_member])
    summaries.rebuild()
    assert MemberYear.objects.get(member=book_member, year=2026).dues_unpaid_months == 3
    with django_capture_on_commit_callbacks(execute=True):
        services.correct_entry(DuesEntry.objects.get(member=book_member, month=MAR), "due", 0, "ghi nhầm", secretary)
    assert MemberYear.objects.get(member=book_member, year=2026).dues_unpaid_months == 2
    assert summaries.check() == []


def test_each_month_follows_the_members_status_in_that_month(cell, book_member, secretary):
    """Here on temporary activity until April (dues paid at their official cell), then a member of this cell:
    January to March are not due here, April is."""
    StatusChange.objects.filter(member=book_member).update(since=date(2000, 1, 1))
    member_services.change_status(book_member, Member.Status.VISITING, date(2025, 12, 1),
                                  temporary_reason="work", temporary_until=date(2026, 9, 30))  # fmt: skip
    member_services.change_status(book_member, Member.Status.ACTIVE, date(2026, 4, 1))
    services.open_months(cell, [JAN, FEB, MAR, APR], members=[book_member])
    assert [month for _cell, month, _due in dues(book_member)] == [APR]
