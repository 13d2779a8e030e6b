"""What dues adds to the pages and documents of the apps below it, through their signals (they never import
dues): the dues report at the opening of a regular meeting (its page and its minutes), and the removal flag
for unpaid dues on the member list and a member's page."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import signals as meeting_signals
from meetings.models import Meeting
from members import signals as member_signals
from members.models import Member

from . import services


def _regular_month(meeting):
    if meeting.kind != Meeting.Kind.REGULAR:
        return None
    return services.month_of(timezone.localtime(meeting.starts_at).date())


def meeting_page(sender, meeting, **kwargs):
    month = _regular_month(meeting)
    return {"dues_summary": services.month_summary(meeting.cell, month)} if month else {}


def opening(sender, meeting, **kwargs):
    """The party dues report, as the minutes write it."""
    month = _regular_month(meeting)
    if month is None:
        return []
    summary = services.month_summary(meeting.cell, month)
    text = _(
        "Party dues report, %(month)s: collected this month %(amount)s đồng; %(paid)s/%(due)s members have paid "
        "the month."
    ) % {"month": f"{month:%m/%Y}", "amount": services.money(summary["collected"]),
         "paid": summary["members_paid"], "due": summary["members_due"]}  # fmt: skip
    if summary["arrears"]:
        owing = "; ".join(
            "%s %s (%s)" % (_("comrade"), row["member"], ", ".join(f"{m:%m/%Y}" for m in row["months"]))
            for row in summary["arrears"]
        )
        text += " " + _("In arrears: %(owing)s.") % {"owing": owing}
    else:
        text += " " + _("Nobody is in arrears.")
    return [text]


def member_list_page(sender, cell, year, **kwargs):
    """{member pk: month numbers} of those with dues unpaid without a reason in REMOVAL_MONTHS months."""
    flags = services.removal_flags(Member.objects.filter(cell=cell), year, timezone.localdate())
    return {"dues_removal_months": {pk: [m.month for m in months] for pk, months in flags.items()}}


def member_page(sender, member, year, can_view_private, **kwargs):
    """The flag, and the way to the member's dues for those who may see them (the member and the committees:
    the same people as the private data, `Access.can_view_member_dues`)."""
    months = services.removal_flags([member.pk], year, timezone.localdate()).get(member.pk)
    return {
        "dues_removal_months": [m.month for m in months] if months else None,
        "dues_url": reverse("dues:member", args=[member.pk]) if can_view_private else None,
    }


def connect():
    meeting_signals.page_extras.connect(meeting_page, dispatch_uid="dues-meeting-page")
    meeting_signals.opening_reported.connect(opening, dispatch_uid="dues-opening")
    member_signals.member_list_page.connect(member_list_page, dispatch_uid="dues-member-list")
    member_signals.member_page.connect(member_page, dispatch_uid="dues-member-page")
