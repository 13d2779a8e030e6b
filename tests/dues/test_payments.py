"""Recording payments over several months, corrections with their history, the payment form."""

from datetime import date

import pytest
from django.urls import reverse

from dues import services
from dues.models import DuesAllocation, DuesCorrection, DuesEntry, DuesPayment

pytestmark = pytest.mark.django_db

JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))


def paid(member):
    return list(DuesEntry.objects.filter(member=member).order_by("month").values_list("month", "paid"))


def test_one_payment_goes_to_the_oldest_arrears_first_then_ahead(cell, book_member, secretary):
    services.open_months(cell, [JAN, FEB, MAR])
    services.record_payment(cell, book_member, 35_000, date(2026, 3, 10), secretary)
    assert paid(book_member)[:4] == [(JAN, 10_000), (FEB, 10_000), (MAR, 10_000), (APR, 5_000)]
    payment = DuesPayment.objects.get()
    assert sorted(DuesAllocation.objects.filter(payment=payment).values_list("amount", flat=True)) == [
        5_000, 10_000, 10_000, 10_000,
    ]  # fmt: skip


def test_a_payment_for_the_months_ticked(cell, book_member, secretary, secretary_member):
    services.open_months(cell, [JAN, FEB, MAR])
    services.record_payment(cell, book_member, 20_000, date(2026, 3, 10), secretary,
                            collected_by=secretary_member, months=[MAR, FEB])  # fmt: skip
    assert paid(book_member) == [(JAN, 0), (FEB, 10_000), (MAR, 10_000)]
    entry = DuesEntry.objects.get(member=book_member, month=MAR)
    assert (entry.paid_on, entry.collected_by) == (date(2026, 3, 10), secretary_member)


def test_more_than_is_owed_is_refused_and_nothing_changes(cell, book_member, secretary):
    services.open_months(cell, [JAN])
    with pytest.raises(services.ValidationError):
        services.record_payment(cell, book_member, 20_000, date(2026, 1, 10), secretary, months=[JAN])
    assert not DuesPayment.objects.exists()
    assert paid(book_member) == [(JAN, 0)]


def test_a_correction_keeps_who_when_before_after_and_why(cell, book_member, secretary):
    services.open_months(cell, [JAN])
    entry = DuesEntry.objects.get(member=book_member)
    services.correct_entry(entry, "paid", 10_000, "Nộp tiền mặt, quên ghi sổ", secretary)
    services.correct_entry(entry, "paid", 8_000, "Ghi nhầm số tiền", secretary)
    entry.refresh_from_db()
    assert entry.paid == 8_000
    history = list(DuesCorrection.objects.filter(entry=entry).values_list("old_value", "new_value", "reason", "by"))
    assert history == [(0, 10_000, "Nộp tiền mặt, quên ghi sổ", secretary.pk), (10_000, 8_000, "Ghi nhầm số tiền",
                                                                                 secretary.pk)]  # fmt: skip
    with pytest.raises(services.ValidationError):
        services.correct_entry(entry, "due", 0, "  ", secretary)


def test_the_secretary_records_a_payment_on_the_form(client, cell, book_member, secretary, secretary_member):
    client.force_login(secretary)
    url = reverse("dues:pay", args=[cell.pk])
    page = client.get(url, {"member": book_member.pk})
    assert "Ghi nhận nộp đảng phí" in page.content.decode()
    response = client.post(url + "?year=2026", {
        "member": book_member.pk, "amount": "20.000", "spread": "months", "months": ["2026-01-01", "2026-02-01"],
        "paid_on": "10/02/2026", "collected_by": secretary_member.pk,
    })  # fmt: skip
    assert response.status_code == 302
    assert paid(book_member)[:2] == [(JAN, 10_000), (FEB, 10_000)]
    book = client.get(response["Location"]).content.decode()
    assert "20.000 đồng" in book


def test_the_form_says_what_is_wrong_and_records_nothing(client, cell, book_member, secretary):
    client.force_login(secretary)
    url = reverse("dues:pay", args=[cell.pk])
    services.open_months(cell, [JAN])
    response = client.post(url + "?year=2026", {
        "member": book_member.pk, "amount": "90.000", "spread": "months", "months": ["2026-01-01"],
        "paid_on": "10/02/2026",
    })  # fmt: skip
    assert response.status_code == 200
    assert "là nhiều hơn" in response.content.decode()
    response = client.post(url, {"member": book_member.pk, "amount": "10000", "spread": "months", "paid_on": "x"})
    assert "Hãy đánh dấu các tháng" in response.content.decode()
    assert not DuesPayment.objects.exists()


def test_a_correction_on_the_month_page(client, cell, book_member, secretary, member):
    services.open_months(cell, [JAN])
    entry = DuesEntry.objects.get(member=book_member)
    client.force_login(secretary)
    url = reverse("dues:entry", args=[entry.pk])
    response = client.post(url, {"field": "due", "new_value": "5000", "reason": "Hoàn cảnh khó khăn"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Hoàn cảnh khó khăn" in page and "10.000 → 5.000" in page
    client.force_login(member)
    assert client.post(url, {"field": "due", "new_value": "0", "reason": "x"}).status_code == 403
