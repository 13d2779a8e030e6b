"""The minutes' step on the month's path of the home page (receiver of `meetings.signals.month_path`): written,
approved at the meeting, signed and locked; late once the meeting is over by MINUTES_FINAL_DAYS."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.home import step

from .models import Minutes


def month_path(sender, meeting, today, **kwargs):
    minutes = Minutes.objects.filter(meeting=meeting).only("status").first()
    due = timezone.localtime(meeting.ends_at).date() + timedelta(days=settings.MINUTES_FINAL_DAYS)
    return [
        step(
            _("Minutes written, approved and signed"),
            minutes is not None and minutes.status == Minutes.Status.LOCKED,
            reverse("meetings:minutes", args=[meeting.pk]),
            minutes.get_status_display() if minutes else _("Not started"),
            late=today > due,
        )
    ]
