"""WCAG 2.1 AA on the main pages, checked by axe-core in real Chromium at desktop and phone size.

The demo organisation (`seed_demo`) gives every page something to show: a lived-in year of meetings,
minutes, resolutions and tasks. axe-core is vendored for the tests only (tests/browser/vendor/), never served.
"""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.links import reply_token
from meetings.models import Invitation, Meeting
from members.demo import DEMO_PASSWORD
from members.models import Member, OrgUnit
from minutes import workflow
from resolutions.models import Resolution, Task

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
# Chibo's Content-Security-Policy refuses inline scripts, which is what add_script_tag(path=…) would insert:
# the script is served instead from an address on the site's own origin that only this browser answers.
AXE_URL = "/__tests__/axe.min.js"
AXE_RUN = """() => axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
})"""
# Primary actions in the page's content: at least 44 px high on a phone (WCAG 2.5.5's size, for thumbs).
SMALL_BUTTONS = """() => Array.from(document.querySelectorAll('main .btn'))
    .filter((b) => b.offsetParent !== null && b.getBoundingClientRect().height < 44)
    .map((b) => `${b.textContent.trim()} (${Math.round(b.getBoundingClientRect().height)} px)`)"""


@pytest.fixture
def demo(transactional_db, live_server):
    """The demo organisation, plus what it has none of: minutes still being written, for their form."""
    call_command("seed_demo", stdout=io.StringIO())
    cell = OrgUnit.objects.get(code="HY.TH.01")
    secretary = Member.objects.get(user__username="bithu")
    member = Member.objects.get(user__username="dangvien")
    now = timezone.now()
    held = cell.meetings.filter(status=Meeting.Status.HELD, kind=Meeting.Kind.REGULAR).latest("starts_at")
    upcoming = cell.meetings.filter(status=Meeting.Status.CONFIRMED, starts_at__gt=now).earliest("starts_at")
    extra = services.create_meeting(
        Meeting(cell=cell, kind=Meeting.Kind.THEMATIC, starts_at=now - timedelta(hours=3), place="Nhà văn hóa",
                chair=secretary)
    )  # fmt: skip
    services.record_attendance(extra, {m.pk: ("present", "") for m in Member.objects.filter(cell=cell).on_roll()})
    workflow.start(extra)
    resolution = Resolution.objects.filter(cell=cell).exclude(number=None).latest("pk")
    invitation = Invitation.objects.get(meeting=upcoming, member=member)
    task = Task.objects.filter(responsible=member).first()
    assert task is not None, "the demo gives the member a task"
    return {
        "dangvien": [
            ("home of a member", reverse("members:home")),
            ("my meetings", reverse("meetings:mine")),
            ("my tasks", reverse("resolutions:mine")),
            ("a task's progress form", reverse("resolutions:task_progress", args=[task.pk])),
            ("the reply form", reverse("meetings:reply", args=[upcoming.pk])),
            ("my party dues", reverse("dues:member", args=[member.pk])),
        ],
        "bithu": [
            ("home of a secretary", reverse("members:home")),
            ("the cell's members", reverse("members:list", args=[cell.pk])),
            ("a member's page", reverse("members:detail", args=[member.pk])),
            ("the calendar", reverse("meetings:calendar", args=[cell.pk])),
            ("a held meeting", held.get_absolute_url()),
            ("an upcoming meeting", upcoming.get_absolute_url()),
            ("the agenda form", reverse("meetings:agenda", args=[upcoming.pk])),
            ("the attendance page", reverse("meetings:attendance", args=[held.pk])),
            ("the replies and reach page", reverse("meetings:reach", args=[upcoming.pk])),
            ("signed minutes", reverse("meetings:minutes", args=[held.pk])),
            ("the minutes form", reverse("meetings:minutes_edit", args=[extra.pk])),
            ("the cell's resolutions", reverse("resolutions:list", args=[cell.pk])),
            ("a resolution", resolution.get_absolute_url()),
            ("the cell's dashboard", reverse("meetings:dashboard", args=[cell.pk])),
            ("the dues book", reverse("dues:book", args=[cell.pk])),
            ("the payment form", reverse("dues:pay", args=[cell.pk])),
            ("the dues report", reverse("dues:report", args=[cell.pk, *timezone.localdate().timetuple()[:2]])),
        ],
        "tinhuy": [
            ("home of a committee viewer", reverse("members:home")),
            ("the province's dashboard", reverse("meetings:dashboard", args=[cell.parent.parent.pk])),
            ("the organisation", reverse("members:tree")),
        ],
        None: [
            ("the login page", reverse("login")),
            ("the reply page of a signed link", reverse("meetings:reply_link", args=[reply_token(invitation)])),
        ],
    }


def axe_violations(page, live_server):
    """What axe finds on the page open in `page`: one line per rule, with its impact and the failing nodes."""
    page.route(f"**{AXE_URL}", lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
    page.add_script_tag(url=live_server.url + AXE_URL)
    found = []
    for violation in page.evaluate(AXE_RUN)["violations"]:
        targets = "\n      ".join(" ".join(map(str, node["target"])) for node in violation["nodes"])
        found.append(
            f"{violation['id']} ({violation['impact']}), {len(violation['nodes'])} node(s): {violation['help']}"
            f"\n      {targets}"
        )
    return found


def check_pages(page, live_server, pages_by_login, phone=False):
    """Opens every page as its user and returns the list of what axe (and, on a phone, the ruler) found."""
    problems = []
    for login, pages in pages_by_login.items():
        page.context.clear_cookies()
        if login:
            page.goto(live_server.url + reverse("login"))
            page.fill("#id_username", login)
            page.fill("#id_password", DEMO_PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url(live_server.url + "/")
        for title, path in pages:
            response = page.goto(live_server.url + path)
            assert response.status == 200, f"{title} ({path}) answered {response.status}"
            for violation in axe_violations(page, live_server):
                problems.append(f"{title} ({path}) as {login or 'anonymous'}: {violation}")
            if phone and (small := page.evaluate(SMALL_BUTTONS)):
                problems.append(f"{title} ({path}): buttons under 44 px on a phone: {', '.join(small)}")
    return problems


def test_the_main_pages_have_no_wcag_violations_on_a_desktop(page, live_server, demo):
    page.set_viewport_size({"width": 1280, "height": 800})
    problems = check_pages(page, live_server, demo)
    assert not problems, "\n".join(problems)


def test_the_main_pages_have_no_wcag_violations_on_a_phone(phone, live_server, demo):
    problems = check_pages(phone, live_server, demo, phone=True)
    assert not problems, "\n".join(problems)
