"""Meetings as iCalendar (.ics), with alarms, so that they show up in a phone's calendar: the member's feed,
one meeting's file, and the invitations (METHOD:REQUEST / CANCEL) the e-mails carry.

Every calendar carries the VTIMEZONE of Asia/Ho_Chi_Minh that its DTSTART/DTEND name (RFC 5545 §3.2.19), so a
client without a time zone database, or one that reads TZID literally, still shows 19:30 Vietnamese time.

An event's UID is meeting-<pk>@<SITE_URL's host>; its SEQUENCE (RFC 5545 §3.8.7.4: raised at each change of
DTSTART, DTEND or STATUS, and here of the place) is counted from the meeting's history rather than kept in a
field of its own: every confirmation, edit, move, postponement and cancellation already writes a
MeetingChange row in the same transaction (meetings/services.py), so the count is right for meetings changed
before this existed and cannot drift from what happened.
"""

import functools
import re
from datetime import date, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event, Timezone, vCalAddress, vDuration

from chibo import site

from .links import still_convened
from .models import CalendarFeed, Invitation, Meeting, MeetingChange

# A feed token is `secrets.token_urlsafe(32)`; anything else in the address cannot name a feed (and a NUL
# character in a query is an error in PostgreSQL, not a miss).
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
# How far back a member's feed still lists the meetings they were invited to.
FEED_PAST = timedelta(days=90)
FEED_REFRESH = timedelta(hours=1)
# The history rows that change what a calendar shows of a meeting: its time, place or status. ("edited" may
# have changed only the title: a SEQUENCE raised for nothing costs a client one more update, never a miss.)
SEQUENCE_ACTIONS = ("confirmed", "edited", "moved", "postponed", "cancelled")
ALARMS = (timedelta(days=1), timedelta(hours=2))
# What each state of a meeting is in a calendar (RFC 5545 §3.8.1.11) and whether it rings: planned is not yet
# convened (tentative); held was confirmed; postponed waits for a new time (tentative, silent).
STATUS = {
    Meeting.Status.PLANNED: "TENTATIVE",
    Meeting.Status.CONFIRMED: "CONFIRMED",
    Meeting.Status.HELD: "CONFIRMED",
    Meeting.Status.POSTPONED: "TENTATIVE",
    Meeting.Status.CANCELLED: "CANCELLED",
}
SILENT = {Meeting.Status.POSTPONED, Meeting.Status.CANCELLED}


def feed_from_token(token):
    """The calendar feed a token names, or None; a member who left the party's rolls has no feed."""
    if not TOKEN.fullmatch(token):
        return None
    feed = CalendarFeed.objects.select_related("member__cell").filter(token=token).first()
    if feed is None or not feed.member.is_on_roll:
        return None
    return feed


def sequence_count(prefix=""):
    """The annotation that counts a meeting's SEQUENCE (`prefix`: the path to the meeting, "meeting__")."""
    return Count(f"{prefix}changes", filter=Q(**{f"{prefix}changes__action__in": SEQUENCE_ACTIONS}))


def sequence_of(meeting):
    """The meeting's SEQUENCE: annotated by the query that read it (`ical_sequence`), else counted now."""
    if getattr(meeting, "ical_sequence", None) is None:
        meeting.ical_sequence = MeetingChange.objects.filter(meeting=meeting, action__in=SEQUENCE_ACTIONS).count()
    return meeting.ical_sequence


def member_meetings(member):
    """The meetings a member's feed lists: those they were invited to, from FEED_PAST ago.

    Meetings over stay as the member's history. One not yet over stays only while the meeting still
    convenes the member: after a transfer, a suspension or the end of a committee position its time and
    place are no longer theirs to see, and dropping it from the feed removes it from their phone.
    """
    now = timezone.now()
    invitations = (
        Invitation.objects.filter(member=member, meeting__starts_at__gte=now - FEED_PAST)
        .exclude(meeting__status=Meeting.Status.PLANNED)
        .select_related("meeting__cell")
        .annotate(ical_sequence=sequence_count("meeting__"))
        .order_by("meeting__starts_at", "meeting__pk")
    )
    meetings = []
    for invitation in invitations:
        meeting = invitation.meeting
        meeting.ical_sequence = invitation.ical_sequence
        if meeting.ends_at <= now or still_convened(member, meeting):
            meetings.append(meeting)
    return meetings


def feed(meetings, member):
    """The member's feed (or, without a member, one meeting's file): published, not sent to anyone."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", _("Party cell meetings") + (f" – {member.cell}" if member else ""))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    if member:
        # How often a subscribed phone should ask again (RFC 7986, and Apple's and Outlook's older name), so
        # that a move reaches it within the hour rather than whenever the phone chooses.
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    for meeting in meetings:
        calendar.add_component(_event(meeting))
    return _with_timezone(calendar).to_ical()


def invitation(meeting, member, address, method, secretary, expected=True):
    """The meeting as the invitation e-mails carry it (RFC 5546): METHOD:REQUEST for an invitation or a move,
    METHOD:CANCEL for a cancellation, from the cell's secretary (`OrgUnit.secretary`; the site's address when
    the cell has none with an e-mail) to the member at `address`: expected, or informed only (exempt or away,
    RFC 5545's NON-PARTICIPANT). Replies go through Chibo's reply link, not the calendar (RSVP=FALSE)."""
    calendar = _calendar(method)
    event = _event(meeting, alarms=method == "REQUEST")
    event.add("organizer", _organizer(meeting, secretary))
    role = "REQ-PARTICIPANT" if expected else "NON-PARTICIPANT"
    event.add("attendee", vCalAddress.new(address, cn=member.full_name, role=role, partstat="NEEDS-ACTION", rsvp=False))
    calendar.add_component(event)
    return _with_timezone(calendar).to_ical()


def _organizer(meeting, secretary):
    if secretary is not None and secretary.email:
        return vCalAddress.new(secretary.email, cn=secretary.full_name)
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return vCalAddress.new(address, cn=str(meeting.cell) or name)


def _calendar(method):
    calendar = Calendar()
    calendar.add("prodid", "-//Chibo//chibo//VI")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _event(meeting, alarms=True):
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{site.domain()}")
    event.add("sequence", sequence_of(meeting))
    summary = f"{meeting.display_title} – {meeting.cell}"
    if meeting.status == Meeting.Status.POSTPONED:
        summary = _("Postponed: %(meeting)s") % {"meeting": summary}
    event.add("summary", summary)
    event.add("dtstart", timezone.localtime(meeting.starts_at))
    event.add("dtend", timezone.localtime(meeting.ends_at))
    event.add("dtstamp", meeting.updated_at or timezone.now())
    event.add("location", meeting.place)
    event.add("url", settings.SITE_URL + meeting.get_absolute_url())
    event.add("status", STATUS[meeting.status])
    if meeting.status in SILENT:
        if meeting.status_reason:
            event.add("description", f"{meeting.get_status_display()}: {meeting.status_reason}")
        return event
    if alarms:
        for before in ALARMS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", meeting.display_title)
            alarm.add("trigger", -before)
            event.add_component(alarm)
    return event


def _with_timezone(calendar):
    if calendar.walk("VEVENT"):
        calendar.subcomponents.insert(0, _vtimezone(settings.TIME_ZONE))
    return calendar


@functools.cache
def _vtimezone(name):
    # Vietnam has kept UTC+7 since 1975: one STANDARD block covers every meeting Chibo can hold.
    vtimezone = Timezone.from_tzinfo(ZoneInfo(name), tzid=name, first_date=date(1976, 1, 1), last_date=date(2100, 1, 1))
    vtimezone.pop("comment", None)
    return vtimezone
