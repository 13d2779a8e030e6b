"""Meetings as iCalendar (.ics), with alarms, so that they show up in a phone's calendar."""

import re
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from .links import still_convened
from .models import CalendarFeed, Invitation, Meeting

# A feed token is `secrets.token_urlsafe(32)`; anything else in the address cannot name a feed (and a NUL
# character in a query is an error in PostgreSQL, not a miss).
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
# How far back a member's feed still lists the meetings they were invited to.
FEED_PAST = timedelta(days=90)


def feed_from_token(token):
    """The calendar feed a token names, or None; a member who left the party's rolls has no feed."""
    if not TOKEN.fullmatch(token):
        return None
    feed = CalendarFeed.objects.select_related("member__cell").filter(token=token).first()
    if feed is None or not feed.member.is_on_roll:
        return None
    return feed


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
        .order_by("meeting__starts_at", "meeting__pk")
    )
    return [i.meeting for i in invitations if i.meeting.ends_at <= now or still_convened(member, i.meeting)]


def feed(meetings, member):
    calendar = Calendar()
    calendar.add("prodid", "-//Chibo//chibo//VI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Party cell meetings") + (f" – {member.cell}" if member else ""))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for meeting in meetings:
        calendar.add_component(_event(meeting))
    return calendar.to_ical()


def _event(meeting):
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@chibo")
    event.add("summary", f"{meeting.display_title} – {meeting.cell}")
    event.add("dtstart", timezone.localtime(meeting.starts_at))
    event.add("dtend", timezone.localtime(meeting.ends_at))
    event.add("dtstamp", meeting.updated_at or timezone.now())
    event.add("location", meeting.place)
    event.add("url", settings.SITE_URL + meeting.get_absolute_url())
    if meeting.status == Meeting.Status.CANCELLED:
        event.add("status", "CANCELLED")
    elif meeting.status == Meeting.Status.CONFIRMED:
        event.add("status", "CONFIRMED")
    else:
        event.add("status", "TENTATIVE")
    for before in (timedelta(days=1), timedelta(hours=2)):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", meeting.display_title)
        alarm.add("trigger", -before)
        event.add_component(alarm)
    return event
