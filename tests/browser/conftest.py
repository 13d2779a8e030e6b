"""Real headless Chromium (Debian's), driven by Playwright; never a downloaded browser."""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session", autouse=True)
def _plain_http_live_server():
    """The live server speaks plain HTTP on localhost. Its middleware reads these settings once, when
    the session-wide server starts, so they are set for the session, before it starts."""
    from django.conf import settings

    names = ["SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS"]
    saved = {name: getattr(settings, name) for name in names}
    for name in names:
        setattr(settings, name, 0 if name == "SECURE_HSTS_SECONDS" else False)
    yield
    for name, value in saved.items():
        setattr(settings, name, value)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = "Debian's chromium is needed for the browser tests: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are
    # plain synchronous code, which Django would otherwise refuse inside a loop.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# What Chromium says on the console when a page breaks the Content-Security-Policy or Chibo sends a policy
# it cannot read: the page still loads, but a script, a style or an image is silently missing.
POLICY_COMPLAINTS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy", "Permissions policy")


def _watch_policies(page):
    complaints = []

    def note(message):
        if any(words in message.text for words in POLICY_COMPLAINTS):
            complaints.append(message.text)

    page.on("console", note)
    return complaints


def _no_policy_complaints(complaints):
    if complaints:
        pytest.fail("the page broke the security policies:\n" + "\n".join(complaints))


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(15_000)
    complaints = _watch_policies(page)
    yield page
    context.close()
    _no_policy_complaints(complaints)


@pytest.fixture
def phone(browser):
    """A phone-sized page, as most members use Chibo."""
    context = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 390, "height": 844}, is_mobile=True,
        has_touch=True, device_scale_factor=2,
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    complaints = _watch_policies(page)
    yield page
    context.close()
    _no_policy_complaints(complaints)


def log_in(page, live_server, login):
    from tests.conftest import PASSWORD

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", login)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
