"""Security headers on every response: a Content-Security-Policy the pages keep to, and a Permissions-Policy."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import Meeting
from members.models import Member
from minutes import workflow
from minutes.models import Minutes

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent
# A <script> the browser runs: anything but a data block (`json_script`'s type="application/json").
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)


def policy(response):
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.status_code} {response.get('Location', '')}"
    return {name: sources for name, *sources in (part.split() for part in header.split(";") if part.strip())}


def inline_scripts(html):
    return [
        attrs for attrs in SCRIPT_TAG.findall(html) if "src=" not in attrs and 'type="application/json"' not in attrs
    ]


def test_every_response_carries_the_security_headers(client, member):
    responses = [
        client.get("/"),  # anonymous: a redirect to the login page
        client.get(reverse("login")),
        client.get("/no-such-page/"),
    ]
    client.force_login(member)
    responses.append(client.get(reverse("members:home")))
    assert [r.status_code for r in responses] == [302, 200, 404, 200]
    for response in responses:
        csp = policy(response)
        assert csp["default-src"] == ["'self'"]
        assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no CDN
        assert csp["object-src"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert csp["base-uri"] == ["'self'"]
        assert csp["form-action"] == ["'self'"]
        features = dict(item.strip().split("=", 1) for item in response.headers["Permissions-Policy"].split(","))
        for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
            assert features[feature] == "()", feature


def meeting(cell, days_from_now):
    starts_at = timezone.now() + timedelta(days=days_from_now)
    return services.create_meeting(Meeting(cell=cell, starts_at=starts_at, place="Nhà văn hóa thôn Đông"))


def test_no_page_runs_an_inline_script(client, secretary, cell):
    """The pages that refresh themselves (replies while the secretary watches, a PDF being rendered) load
    their scripts from static files, which the policy allows."""
    open_meeting = meeting(cell, 5)
    services.confirm(open_meeting)
    held = meeting(cell, -2)
    chair = Member.objects.get(user=secretary)
    services.record_attendance(held, {chair.pk: ("present", "")})
    workflow.start(held, by=secretary)
    Minutes.objects.filter(meeting=held).update(pdf_status=Minutes.PdfStatus.PENDING)
    client.force_login(secretary)
    pages = {
        "meeting": client.get(reverse("meetings:detail", args=[open_meeting.pk])),
        "minutes": client.get(reverse("meetings:minutes", args=[held.pk])),
        "dashboard": client.get(reverse("meetings:dashboard", args=[cell.pk])),
    }
    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert inline_scripts(html) == [], name
    assert 'src="/static/js/meeting.js"' in pages["meeting"].content.decode()
    assert 'src="/static/js/minutes.js"' in pages["minutes"].content.decode()


def test_no_template_holds_an_inline_script():
    for path in sorted((BASE_DIR / "templates").rglob("*.html")):
        if "emails" in path.parts or "pdf" in path.parts:  # never run by a browser under our policy
            continue
        assert inline_scripts(path.read_text()) == [], path.relative_to(BASE_DIR)
