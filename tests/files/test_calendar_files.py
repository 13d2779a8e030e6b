"""The calendars Chibo produces, read by the two parsers calendar software is built on: `icalendar` and
`vobject` (which also validates each component against RFC 5545). Meetings in every state, fetched through the
views (the member's feed, one meeting's file) and from the e-mails (the invitation, a move, a cancellation)."""

from types import SimpleNamespace

import pytest
import time_machine
import vobject
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from meetings import services
from meetings.models import Attendance, CalendarFeed
from members.models import Member
from tests.meetings.conftest import local, make_meeting  # noqa: F401

pytestmark = pytest.mark.django_db

NOW = "2026-11-20 09:00 +0700"
DOMAIN = "chibo.example.vn"
TZID = "Asia/Ho_Chi_Minh"


@pytest.fixture
def history(settings, cell, secretary, member, make_meeting, django_capture_on_commit_callbacks):  # noqa: F811
    """A meeting in each state, changed through the workflows (the e-mails they send are in mail.outbox)."""
    settings.SITE_URL = f"https://{DOMAIN}"

    def sent(workflow, *args):
        # Each change's e-mails go when its transaction commits, with the meeting as it is then.
        with django_capture_on_commit_callbacks(execute=True):
            return workflow(*args)

    def confirmed(starts_at):
        meeting = make_meeting(cell, starts_at, place="Nhà văn hóa thôn Đông")
        sent(services.confirm, meeting)
        return meeting

    with time_machine.travel("2026-10-20 09:00 +0700", tick=False):
        held = confirmed(local(2026, 11, 5, 19, 30))
    with time_machine.travel(NOW, tick=False):
        marks = {m.pk: (Attendance.Status.PRESENT, "") for m in Member.objects.filter(cell=cell)}
        services.record_attendance(held, marks)
        coming = confirmed(local(2026, 12, 3, 19, 30))
        moved = confirmed(local(2026, 12, 10, 19, 30))
        sent(services.move, moved, local(2026, 12, 12, 19, 30), "Trùng lịch họp xã")
        sent(services.move, moved, local(2026, 12, 14, 8, 0), "Nhà văn hóa sửa chữa")
        postponed = confirmed(local(2026, 12, 17, 19, 30))
        sent(services.postpone, postponed, "Chờ ý kiến Đảng ủy xã")
        cancelled = confirmed(local(2026, 12, 24, 19, 30))
        sent(services.cancel, cancelled, "Bão số 9")
        planned = make_meeting(cell, local(2026, 12, 31, 19, 30))
    return SimpleNamespace(
        held=held, coming=coming, moved=moved, postponed=postponed, cancelled=cancelled, planned=planned
    )


def parse(content):
    """The calendar as icalendar reads it, once vobject has read, validated and written it back the same."""
    text = content.decode() if isinstance(content, bytes) else content
    read = vobject.readOne(text)
    assert read.validate(raiseException=True)
    again = vobject.readOne(read.serialize())
    assert again.validate(raiseException=True)
    assert [e.uid.value for e in again.vevent_list] == [e.uid.value for e in read.vevent_list]
    return Calendar.from_ical(content)


def described(calendar):
    """{UID: (STATUS, SEQUENCE, number of alarms)} of each event."""
    return {
        str(e["uid"]): (str(e["status"]), int(e["sequence"]), len(e.walk("VALARM"))) for e in calendar.walk("VEVENT")
    }


def uid(meeting):
    return f"meeting-{meeting.pk}@{DOMAIN}"


def assert_in_vietnamese_time(calendar):
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert str(vtimezone["tzid"]) == TZID
    (standard,) = vtimezone.walk("STANDARD")
    assert standard["tzoffsetto"].to_ical() == "+0700"
    assert calendar.get_missing_tzids() == set()
    for event in calendar.walk("VEVENT"):
        for name in ("dtstart", "dtend"):
            assert event[name].params["TZID"] == TZID


def feed(client, member):
    client.force_login(member)
    client.post(reverse("meetings:feed_renew"))
    client.logout()  # a phone asks with the token alone
    token = CalendarFeed.objects.get(member__user=member).token
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("meetings:feed", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    return parse(response.content)


def test_the_feed_gives_each_state_its_status_sequence_and_alarms(client, member, history):
    calendar = feed(client, member)
    assert_in_vietnamese_time(calendar)
    assert str(calendar["method"]) == "PUBLISH"
    # A subscribed phone asks again every hour: a move reaches it the same day.
    assert calendar["refresh-interval"].to_ical() == b"PT1H" and calendar["x-published-ttl"].to_ical() == b"PT1H"
    # SEQUENCE: 1 for the confirmation, one more per move, postponement or cancellation. Alarms ring only for
    # a meeting that takes place. The planned meeting convenes nobody yet: not in the feed.
    assert described(calendar) == {
        uid(history.held): ("CONFIRMED", 1, 2),
        uid(history.coming): ("CONFIRMED", 1, 2),
        uid(history.moved): ("CONFIRMED", 3, 2),
        uid(history.postponed): ("TENTATIVE", 2, 0),
        uid(history.cancelled): ("CANCELLED", 2, 0),
    }
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    moved = events[uid(history.moved)].decoded("dtstart")
    assert (moved.day, moved.hour, moved.utcoffset().total_seconds()) == (14, 8, 7 * 3600)
    assert str(events[uid(history.postponed)]["summary"]).startswith("Đã hoãn: ")


def test_each_meetings_own_file_reads_the_same(client, member, history):
    client.force_login(member)
    expected = {
        "planned": ("TENTATIVE", 0, 2),
        "coming": ("CONFIRMED", 1, 2),
        "moved": ("CONFIRMED", 3, 2),
        "held": ("CONFIRMED", 1, 2),
        "postponed": ("TENTATIVE", 2, 0),
        "cancelled": ("CANCELLED", 2, 0),
    }
    for state, answer in expected.items():
        meeting = getattr(history, state)
        with time_machine.travel(NOW, tick=False):
            response = client.get(reverse("meetings:ics", args=[meeting.pk]))
        calendar = parse(response.content)
        assert_in_vietnamese_time(calendar)
        assert described(calendar) == {uid(meeting): answer}, state


def attachments_to(address):
    """(METHOD of the MIME part, the calendar) of each .ics e-mailed to `address`, in the order sent."""
    found = []
    for message in mail.outbox:
        if address not in message.to:
            continue
        for part in message.attachments:
            if not isinstance(part, tuple) and part.get_content_type() == "text/calendar":
                assert part.get_filename() == "invite.ics"
                found.append((part.get_param("method"), parse(part.get_payload(decode=True))))
    return found


def test_the_invitation_move_and_cancellation_emails_carry_the_meeting(history):
    sent = attachments_to("member@example.vn")
    by_uid = {}
    for method, calendar in sent:
        assert str(calendar["method"]) == method
        assert_in_vietnamese_time(calendar)
        (event,) = calendar.walk("VEVENT")
        assert str(event["organizer"]) == "mailto:secretary@example.vn"
        assert event["organizer"].params["CN"] == "Trần Văn Bí"
        assert str(event["attendee"]) == "mailto:member@example.vn"
        assert event["attendee"].params["CN"] == "Lê Thị Hoa"
        by_uid.setdefault(str(event["uid"]), []).append((method, str(event["status"]), int(event["sequence"])))
    assert by_uid[uid(history.moved)] == [("REQUEST", "CONFIRMED", 1), ("REQUEST", "CONFIRMED", 2),
                                          ("REQUEST", "CONFIRMED", 3)]  # fmt: skip
    assert by_uid[uid(history.cancelled)] == [("REQUEST", "CONFIRMED", 1), ("CANCEL", "CANCELLED", 2)]
    assert by_uid[uid(history.postponed)] == [("REQUEST", "CONFIRMED", 1), ("REQUEST", "TENTATIVE", 2)]
    assert by_uid[uid(history.coming)] == [("REQUEST", "CONFIRMED", 1)]
    assert uid(history.planned) not in by_uid  # not confirmed: nobody was invited
