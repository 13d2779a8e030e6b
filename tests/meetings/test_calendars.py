import re
from datetime import timedelta

import pytest
import segno
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from chibo import site
from meetings import services
from meetings.models import CalendarFeed, Meeting

from .conftest import local

pytestmark = pytest.mark.django_db


def events(response):
    return [c for c in Calendar.from_ical(response.content).walk() if c.name == "VEVENT"]


def test_a_meeting_downloads_as_ics_at_its_vietnamese_time(client, member, cell, make_meeting):
    meeting = make_meeting(cell, local(2026, 12, 3, 19, 30), place="Nhà văn hóa thôn Đông")
    client.force_login(member)
    response = client.get(reverse("meetings:ics", args=[meeting.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    (event,) = events(response)
    start = event.decoded("dtstart")
    assert (start.hour, start.minute, start.utcoffset()) == (19, 30, timedelta(hours=7))
    assert event.decoded("dtend") - start == timedelta(minutes=90)
    assert str(event["location"]) == "Nhà văn hóa thôn Đông"
    assert [alarm.decoded("trigger") for alarm in event.walk("VALARM")] == [-timedelta(days=1), -timedelta(hours=2)]


def test_the_private_feed_lists_the_members_meetings_and_can_be_revoked(client, member, cell, make_meeting,
                                                                       other_cell):  # fmt: skip
    mine = make_meeting(cell, timezone.now() + timedelta(days=5))
    services.confirm(mine)
    planned_only = make_meeting(cell, timezone.now() + timedelta(days=40))  # not yet confirmed: not in the feed
    stranger = make_meeting(other_cell, timezone.now() + timedelta(days=5))
    services.confirm(stranger)
    client.force_login(member)
    client.post(reverse("meetings:feed_renew"))
    token = CalendarFeed.objects.get(member__user=member).token
    client.logout()
    response = client.get(reverse("meetings:feed", args=[token]))
    assert [str(e["uid"]) for e in events(response)] == [f"meeting-{mine.pk}@{site.domain()}"]
    assert planned_only.pk != mine.pk
    # A cancelled meeting stays in the feed, marked cancelled, so phones remove it.
    services.cancel(mine, "Bão")
    assert str(events(client.get(reverse("meetings:feed", args=[token])))[0]["status"]) == "CANCELLED"
    # A new address revokes the old one.
    client.force_login(member)
    client.post(reverse("meetings:feed_renew"))
    client.logout()
    assert client.get(reverse("meetings:feed", args=[token])).status_code == 404
    assert client.get(reverse("meetings:feed", args=["guess"])).status_code == 404
    assert Meeting.objects.count() == 3


@time_machine.travel("2026-11-21 09:00 +0700")
def test_the_feed_query_count_does_not_grow_with_meetings(client, member, cell, make_meeting,
                                                          django_assert_num_queries):  # fmt: skip
    client.force_login(member)
    client.post(reverse("meetings:feed_renew"))
    client.logout()  # a phone asks for the feed with its token alone
    url = reverse("meetings:feed", args=[CalendarFeed.objects.get(member__user=member).token])
    made = 0
    for count in (2, 12):
        for day in range(made, count):
            services.confirm(make_meeting(cell, local(2026, 12, 1 + day, 19, 30)))
        made = count
        # the feed with its member and cell, the invitations with their meetings and cells
        with django_assert_num_queries(2):
            response = client.get(url)
        assert len(events(response)) == count


def test_my_meetings_offers_the_feed_to_subscribe_with_a_webcal_link_and_a_qr_code(client, member, settings):
    settings.SITE_URL = "https://chibo.example.vn"
    client.force_login(member)
    client.post(reverse("meetings:feed_renew"))
    token = CalendarFeed.objects.get(member__user=member).token
    page = client.get(reverse("meetings:mine"), HTTP_HOST="127.0.0.1").content.decode()
    # On the site's address, not the host this request named: a phone must reach it from outside.
    assert f'value="https://chibo.example.vn/calendar/{token}.ics"' in page
    webcal = f"webcal://chibo.example.vn/calendar/{token}.ics"
    assert f'href="{webcal}"' in page and "Đăng ký lịch trên điện thoại này" in page
    # The QR code is the webcal address's own (the same modules as segno draws for it), drawn inline.
    drawn = re.search(r'<figure[^>]*id="feed-qr"><svg[^>]*>.*?<path[^>]* d="([^"]+)"', page, re.S).group(1)
    assert drawn == qr_path(webcal)
    assert drawn != qr_path(webcal.replace(token, token[::-1]))


def qr_path(text):
    """The modules of the QR code of `text` as segno draws them in SVG."""
    return re.search(r' d="([^"]+)"', segno.make(text, error="m").svg_inline(border=2)).group(1)


def test_without_a_feed_the_page_offers_to_make_one(client, member):
    client.force_login(member)
    page = client.get(reverse("meetings:mine")).content.decode()
    assert "webcal://" not in page and 'id="feed-qr"' not in page
