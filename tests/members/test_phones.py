"""Phone numbers are stored as E.164, read as people write them, and refused when they are not numbers."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from members import phones


@pytest.mark.parametrize(
    "written, stored",
    [
        ("0912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("+84 912-345-678", "+84912345678"),
        ("096.123.4567", "+84961234567"),
        ("01681234567", "+84381234567"),  # renumbered in 2018: 0168 → 038
        ("0243 826 1234", "+842438261234"),  # a Hà Nội landline
        ("0086 138 0013 8000", "+8613800138000"),
        ("", ""),
    ],
)
def test_numbers_are_read_as_people_write_them(written, stored):
    assert phones.normalise(written) == stored


@pytest.mark.parametrize("written", ["12345", "0912", "09123456789", "0123 456 789", "số nhà 12", "0" * 40])
def test_what_is_not_a_phone_number_is_refused_with_a_message(written):
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        phones.normalise(written)
    assert "không phải là số điện thoại" in refused.value.messages[0]


def test_only_vietnamese_mobile_numbers_take_sms_and_zalo():
    assert phones.is_mobile("+84912345678") and phones.is_mobile("+84381234567")
    assert not phones.is_mobile("+842438261234")  # landline
    assert not phones.is_mobile("+8613800138000")  # abroad
    assert not phones.is_mobile("0912")


def test_the_secretary_writes_a_number_as_people_do_and_reads_it_back(client, secretary, cell, make_member):
    member = make_member(cell, "Đinh Thị Số")
    client.force_login(secretary)
    url = reverse("members:edit", args=[member.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update(phone="0912 345 678", birth_date="", admitted_on=member.admitted_on.strftime("%d/%m/%Y"),
                official_on=member.official_on.strftime("%d/%m/%Y") if member.official_on else "")  # fmt: skip
    assert client.post(url, data).status_code == 302
    member.refresh_from_db()
    assert member.phone == "+84912345678"
    assert client.get(url).context["form"].initial["phone"] == "0912 345 678"
    data["phone"] = "0912"
    response = client.post(url, data)
    assert response.status_code == 200 and "phone" in response.context["form"].errors
    member.refresh_from_db()
    assert member.phone == "+84912345678"  # nothing changed
