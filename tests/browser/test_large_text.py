import pytest

from .conftest import log_in
from .test_accessibility import axe_violations

pytestmark = pytest.mark.browser

ROOT_SIZE = "getComputedStyle(document.documentElement).fontSize"


def test_a_member_switches_to_large_text_on_a_phone_and_it_stays(phone, live_server, member, cell):
    log_in(phone, live_server, "member")
    phone.wait_for_url(f"{live_server.url}/")
    assert phone.evaluate(ROOT_SIZE) == "18px"
    switch = phone.get_by_role("button", name="Chữ lớn")
    assert switch.is_visible()  # outside the collapsed menu: one tap away
    assert switch.get_attribute("aria-pressed") == "false"
    with phone.expect_navigation():  # the switch posts, and the page comes back with its styles loaded
        switch.click()
    phone.wait_for_function("document.documentElement.classList.contains('text-large')")
    assert phone.url == f"{live_server.url}/"  # back on the page it was pressed on
    assert phone.evaluate(ROOT_SIZE) == "22px"

    phone.reload()
    assert phone.evaluate(ROOT_SIZE) == "22px"
    assert phone.get_by_role("button", name="Chữ lớn").get_attribute("aria-pressed") == "true"
    phone.goto(f"{live_server.url}/my/meetings/")
    assert phone.evaluate(ROOT_SIZE) == "22px"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    button = phone.locator("main .btn").first
    if button.count():
        assert button.bounding_box()["height"] >= 44

    violations = axe_violations(phone, live_server)  # the pressed switch and the larger page
    assert not violations, "\n".join(violations)

    with phone.expect_navigation():
        phone.get_by_role("button", name="Chữ lớn").click()
    phone.wait_for_function("!document.documentElement.classList.contains('text-large')")
    assert phone.evaluate(ROOT_SIZE) == "18px"
