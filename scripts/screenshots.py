#!/usr/bin/env python3
"""Take the README's screenshots from a running Chibo with the demo data (`make run` in another shell).

.venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000] [dashboards]

With "dashboards", only the dashboard screens and the monthly report's first page (pdftoppm) are taken; with
"reach", only the screens that reach members without e-mail (the secretary opens the next meeting's reach
page and prints its invitation sheets; a member logs in with a phone number); with "homes", the home page of
a member, a secretary and a commune committee on a phone.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
ONLY = sys.argv[2] if len(sys.argv) > 2 else ""
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = "chibo-demo-2026"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip


def log_in(page, login):
    page.goto(BASE + "/accounts/login/")
    page.fill("#id_username", login)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def dashboards(browser):
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN").new_page()
    log_in(page, "tinhuy")
    page.get_by_role("link", name="Bảng theo dõi").first.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=OUT / "dashboard-province.png", full_page=True)
    page.locator("#children a").first.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=OUT / "dashboard-commune.png", full_page=True)
    page.get_by_role("button", name="Lập báo cáo").click()
    link = page.locator("[data-report] [data-role=link]").first
    link.wait_for(state="visible", timeout=120_000)
    with page.expect_download() as download:
        link.click()
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "report.pdf"
        download.value.save_as(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", pdf, OUT / "report-pdf"], check=True)
        (OUT / "report-pdf-1.png").replace(OUT / "report-pdf-page1.png")
    page.locator("#children a").first.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=OUT / "dashboard-cell.png", full_page=True)


def reach(browser):
    phone_size = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "device_scale_factor": 2,
                  "locale": "vi-VN"}  # fmt: skip
    secretary = browser.new_context(**phone_size).new_page()
    log_in(secretary, "bithu")
    secretary.goto(BASE + "/my/meetings/")
    secretary.locator("#upcoming a").first.click()  # the next meeting, confirmed: its invitations are out
    secretary.get_by_role("link", name="Liên hệ đảng viên: danh sách gọi, ghi nhận trả lời, nhóm Zalo").click()
    secretary.screenshot(path=OUT / "phone-reach.png")
    secretary.select_option("select[name=scope]", "all")
    secretary.get_by_role("button", name="Chuẩn bị giấy mời để in").click()
    secretary.wait_for_load_state()
    for _ in range(30):
        link = secretary.get_by_role("link", name="Tải giấy mời (PDF)")
        if link.count():
            break
        secretary.wait_for_timeout(1000)
        secretary.reload()
    href = secretary.get_by_role("link", name="Tải giấy mời (PDF)").get_attribute("href")
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "giay-moi.pdf"
        pdf.write_bytes(secretary.context.request.get(BASE + href).body())
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf,
                        OUT / "invitation-sheet-pdf"], check=True)  # fmt: skip
    member = browser.new_context(**phone_size).new_page()
    member.goto(BASE + "/accounts/login/")
    member.get_by_role("link", name="Đăng nhập bằng số điện thoại").click()
    member.fill("#id_phone", "0912 345 678")
    member.screenshot(path=OUT / "phone-login.png")


def homes(browser):
    """The home page of each role on a phone: what waits for a member, the secretary's month, a committee's
    cells to follow up."""
    phone_size = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "device_scale_factor": 2,
                  "locale": "vi-VN"}  # fmt: skip
    for login, name in (("dangvien", "phone-home"), ("bithu", "phone-home-secretary"),
                        ("xa.tanhung", "phone-home-committee")):  # fmt: skip
        page = browser.new_context(**phone_size).new_page()
        log_in(page, login)
        page.screenshot(path=OUT / f"{name}.png", full_page=True)
        page.context.close()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        if ONLY == "homes":
            homes(browser)
            browser.close()
            return
        if ONLY == "reach":
            reach(browser)
            browser.close()
            return
        dashboards(browser)
        if ONLY == "dashboards":
            browser.close()
            return
        desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        page = desktop.new_page()
        page.goto(BASE + "/accounts/login/")
        page.screenshot(path=OUT / "login.png")
        log_in(page, "bithu")
        page.get_by_role("link", name="Đảng viên của chi bộ").click()
        page.screenshot(path=OUT / "members.png", full_page=True)
        page.get_by_role("link", name="Thêm đảng viên").first.click()
        page.screenshot(path=OUT / "member-form.png", full_page=True)

        committee = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN").new_page()
        log_in(committee, "tinhuy")
        committee.goto(BASE + "/units/")
        committee.screenshot(path=OUT / "organisation.png", full_page=True)

        page.get_by_role("link", name="Sinh hoạt chi bộ").first.click()
        calendar_url = page.url
        page.screenshot(path=OUT / "calendar.png", full_page=True)
        page.get_by_role("link", name="Danh sách").click()
        held = page.locator("#meeting-list a").first.get_attribute("href")
        page.locator("#meeting-list a").last.click()
        page.screenshot(path=OUT / "meeting.png", full_page=True)
        page.goto(calendar_url)
        page.get_by_role("link", name="Sổ biên bản").click()
        page.locator("#minutes-list a").last.click()
        page.screenshot(path=OUT / "minutes.png", full_page=True)
        page.goto(calendar_url)
        page.get_by_role("link", name="Nghị quyết", exact=True).click()
        page.locator("#resolution-list a").first.click()
        page.screenshot(path=OUT / "resolution.png", full_page=True)

        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2, locale="vi-VN"
        ).new_page()
        log_in(phone, "dangvien")
        phone.screenshot(path=OUT / "phone-home.png")
        phone.goto(BASE + "/my/meetings/")
        phone.locator("#upcoming a").first.click()
        phone.get_by_role("link", name="Trả lời", exact=True).click()
        phone.screenshot(path=OUT / "phone-reply.png")
        phone.goto(BASE + "/my/tasks/")
        phone.locator("#my-tasks a").first.click()
        phone.screenshot(path=OUT / "phone-task.png")

        secretary_phone = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2, locale="vi-VN"
        ).new_page()
        log_in(secretary_phone, "bithu")
        secretary_phone.goto(BASE + held.rstrip("/") + "/attendance/")
        secretary_phone.screenshot(path=OUT / "phone-attendance.png")
        browser.close()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
