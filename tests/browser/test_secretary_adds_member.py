import pytest

from members.models import Member

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_secretary_logs_in_and_adds_a_member(page, live_server, secretary, member, cell):
    log_in(page, live_server, "secretary@example.vn")
    page.get_by_role("link", name="Đảng viên của chi bộ").click()
    assert page.locator("h1").inner_text() == "Chi bộ thôn Đông"
    assert page.locator("[data-count=on_roll]").inner_text() == "2"

    page.get_by_role("link", name="Thêm đảng viên").first.click()
    page.fill("#id_full_name", "Nguyễn Thị Thu Hằng")
    page.select_option("#id_gender", "female")
    page.fill("#id_birth_date", "12/08/1978")
    page.fill("#id_card_number", "20251234")
    page.fill("#id_admitted_on", "03/02/2004")
    page.fill("#id_official_on", "03/02/2005")
    page.fill("#id_phone", "0903123456")
    page.get_by_role("button", name="Lưu", exact=True).click()

    assert page.locator("h1").inner_text() == "Nguyễn Thị Thu Hằng"
    assert "12/08/1978" in page.content()
    added = Member.objects.get(card_number="20251234")
    assert added.cell == cell and added.full_name == "Nguyễn Thị Thu Hằng"

    page.get_by_role("link", name="Chi bộ thôn Đông").first.click()
    assert page.locator("[data-count=on_roll]").inner_text() == "3"
    assert page.get_by_role("link", name="Nguyễn Thị Thu Hằng").is_visible()


def test_a_bad_date_is_explained_on_the_form(page, live_server, secretary, cell):
    log_in(page, live_server, "secretary")
    page.goto(f"{live_server.url}/cells/{cell.pk}/members/new/")
    page.fill("#id_full_name", "Trần Văn Sai")
    page.select_option("#id_gender", "male")
    page.fill("#id_admitted_on", "31/02/2004")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.locator(".invalid-feedback").first.wait_for()  # the form comes back with the error
    assert not Member.objects.filter(full_name="Trần Văn Sai").exists()


def test_a_member_reads_the_cell_list_on_a_phone(phone, live_server, member, secretary, cell):
    log_in(phone, live_server, "member")
    phone.goto(f"{live_server.url}/cells/{cell.pk}/members/")
    assert phone.get_by_role("link", name="Trần Văn Bí").is_visible()
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # The menu is folded behind the toggler.
    assert phone.locator(".navbar-toggler").is_visible()
    assert not phone.get_by_role("link", name="Thêm đảng viên").is_visible()
