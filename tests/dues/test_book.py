"""The cell's dues book page: who sees it, what it shows, and how many queries it takes."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from dues import services
from members.models import Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def twenty(cell, make_member, secretary):
    """A cell of 20 members (the secretary among them), January to March 2026 open, some paid."""
    members = [Member.objects.get(user=secretary)] + [make_member(cell) for _ in range(19)]
    with time_machine.travel("2026-03-15 09:00 +0700"):
        services.open_months(cell, [date(2026, m, 1) for m in (1, 2, 3)])
        for member in members[:15]:
            services.record_payment(cell, member, 20_000, date(2026, 2, 10), secretary)
    return members


@time_machine.travel("2026-03-15 09:00 +0700")
def test_the_book_shows_months_paid_arrears_and_totals(client, cell, twenty, secretary):
    client.force_login(secretary)
    page = client.get(reverse("dues:book", args=[cell.pk]), {"year": 2026}).content.decode()
    assert "Sổ thu nộp đảng phí năm 2026" in page
    assert page.count('data-member="') == 20
    assert 'id="total-due">600.000 đ' in page  # 20 members × 3 months × 10.000
    assert 'id="total-paid">300.000 đ' in page
    # Five members owe January and February (March is not over yet).
    assert 'id="total-owed">100.000 đ' in page


@time_machine.travel("2026-03-15 09:00 +0700")
def test_the_book_takes_the_same_queries_for_twenty_members(client, cell, twenty, secretary, django_assert_num_queries):
    client.force_login(secretary)
    url = reverse("dues:book", args=[cell.pk])
    client.get(url)  # the session and the months already open
    # session, the user with their access and their cell (the book's: no query of its own); opening the
    # months: the book's first month, the members, their profiles, their exemptions, the lines already open,
    # their stays in the cell, the rates above, their status history; the year's lines with their members, the
    # arrears of earlier years.
    with django_assert_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200


def test_who_sees_the_book(client, cell, secretary, member, outsider, commune_viewer, viewer_other_branch):
    url = reverse("dues:book", args=[cell.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user, status in [(secretary, 200), (commune_viewer, 200), (member, 403), (outsider, 404),
                         (viewer_other_branch, 404)]:  # fmt: skip
        client.force_login(user)
        assert client.get(url).status_code == status, user


def test_it_checks_ownership_of_every_page(client, cell, book_member, outsider, member):
    services.open_months(cell, [date(2026, 1, 1)])
    entry = book_member.dues_entries.get()
    client.force_login(outsider)
    urls = [
        reverse("dues:pay", args=[cell.pk]),
        reverse("dues:entry", args=[entry.pk]),
        reverse("dues:member", args=[book_member.pk]),
        reverse("dues:report", args=[cell.pk, 2026, 1]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url in [reverse("dues:profile", args=[book_member.pk]), reverse("dues:exemption", args=[book_member.pk])]:
        assert client.post(url, {}).status_code == 404, url
    client.force_login(member)  # same cell, no right to others' dues or to record
    assert client.get(urls[0]).status_code == 403
    assert client.get(urls[2]).status_code == 403
    assert client.post(reverse("dues:profile", args=[book_member.pk]), {}).status_code == 403


def test_a_member_sees_what_they_owe_and_paid(client, cell, member, secretary):
    own = Member.objects.get(user=member)
    services.open_months(cell, [date(2026, m, 1) for m in (1, 2, 3)])
    services.record_payment(cell, own, 10_000, date(2026, 1, 8), secretary)
    client.force_login(member)
    with time_machine.travel("2026-04-02 09:00 +0700"):
        page = client.get(reverse("dues:member", args=[own.pk])).content.decode()
    assert "Còn nợ 20.000 đồng" in page and "02/2026, 03/2026" in page
    assert "08/01/2026" in page


def test_the_secretary_records_a_basis_and_an_exemption_on_the_member_page(client, cell, book_member, secretary):
    client.force_login(secretary)
    response = client.post(reverse("dues:profile", args=[book_member.pk]),
                           {"valid_from": "01/2026", "category": "salaried", "base": ""})  # fmt: skip
    assert "Hãy kê khai mức lương" in response.content.decode()
    response = client.post(reverse("dues:profile", args=[book_member.pk]),
                           {"valid_from": "01/2026", "category": "salaried", "base": "7.000.000"})  # fmt: skip
    assert response.status_code == 302
    assert book_member.dues_profiles.get().base == 7_000_000
    response = client.post(reverse("dues:exemption", args=[book_member.pk]),
                           {"from_month": "13/2026", "reason": "Ốm"})  # fmt: skip
    assert "mm/yyyy" in response.content.decode()
    response = client.post(reverse("dues:exemption", args=[book_member.pk]),
                           {"from_month": "02/2026", "to_month": "04/2026", "reason": "Ốm nặng"})  # fmt: skip
    assert response.status_code == 302
    assert book_member.dues_exemptions.get().to_month == date(2026, 4, 1)


@time_machine.travel("2026-06-15 09:00 +0700")
def test_a_new_book_starts_with_the_current_month_and_other_years_are_not_opened(client, cell, book_member, secretary):
    client.force_login(secretary)
    client.get(reverse("dues:book", args=[cell.pk]), {"year": 2025})
    assert not book_member.dues_entries.exists()
    client.get(reverse("dues:book", args=[cell.pk]))
    assert list(book_member.dues_entries.values_list("month", flat=True)) == [date(2026, 6, 1)]
    with time_machine.travel("2026-08-02 09:00 +0700"):
        client.force_login(secretary)  # the June session has expired
        client.get(reverse("dues:book", args=[cell.pk]))
    assert list(book_member.dues_entries.order_by("month").values_list("month", flat=True)) == [
        date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 1),
    ]  # fmt: skip
