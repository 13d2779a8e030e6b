"""Meetings as iCalendar (.ics), with alarms, so that they show up in a phone's calendar."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from .models import Meeting


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
