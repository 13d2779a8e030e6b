"""A member's own meetings, and calendars: the private feed, its renewal and one meeting's .ics file."""

from datetime import timedelta

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo import replica
from members import access

from .. import calendars
from ..links import still_convened
from ..models import (
    Attendance,
    CalendarFeed,
    Invitation,
)
from .base import meeting_or_404


@login_required
def my_meetings(request):
    member = access.for_user(request.user).member
    if member is None:
        return render(request, "meetings/my_meetings.html", {"member": None})
    now = timezone.now()
    invitations = (
        Invitation.objects.filter(member=member).select_related("meeting__cell").order_by("meeting__starts_at")
    )
    upcoming = invitations.filter(meeting__starts_at__gte=now - timedelta(hours=3))
    # As in the calendar feed: a meeting that no longer convenes the member (transfer, suspension) is not theirs.
    upcoming = [i for i in upcoming if still_convened(member, i.meeting)]
    past = list(Attendance.objects.filter(member=member).select_related("meeting").order_by("-meeting__starts_at")[:24])
    feed = CalendarFeed.objects.filter(member=member).first()
    return render(
        request,
        "meetings/my_meetings.html",
        {"member": member, "upcoming": upcoming, "past": past, "feed": feed, **(_subscription(feed) if feed else {})},
    )


def _subscription(feed):
    """The feed's address (on SITE_URL: a phone must reach it from outside), the same address as webcal://,
    which opens the phone's calendar to subscribe, and a QR code of that one to scan from a computer's screen."""
    url = settings.SITE_URL + reverse("meetings:feed", args=[feed.token])
    webcal = "webcal://" + url.split("://", 1)[1]
    qr = segno.make(webcal, error="m").svg_inline(scale=4, border=2, title=_("Scan with your phone to subscribe"))
    return {"feed_url": url, "webcal_url": webcal, "feed_qr": mark_safe(qr)}  # segno's own SVG: no user text


@require_POST
@login_required
def calendar_feed_renew(request):
    member = access.for_user(request.user).member
    if member is None:
        raise Http404
    CalendarFeed.objects.update_or_create(member=member, defaults={"token": CalendarFeed.new_token()})
    messages.success(request, _("Your calendar address is new; the old one no longer works."))
    return redirect("meetings:mine")


@replica.reads
def calendar_feed(request, token):
    feed = calendars.feed_from_token(token)
    if feed is None:
        raise Http404
    return _ics_response(calendars.feed(calendars.member_meetings(feed.member), feed.member), "chibo.ics")


@login_required
def meeting_ics(request, pk):
    meeting = meeting_or_404(request, pk)
    return _ics_response(calendars.feed([meeting], None), f"meeting-{meeting.pk}.ics")


def _ics_response(content, filename):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
