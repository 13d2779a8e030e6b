"""Signed reply links: they need no login, work for one member and one meeting, and end with the meeting."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from members.access import COMMITTEE_POSITIONS
from members.models import Member

SALT = "meetings.reply"


def reply_token(invitation):
    return signing.dumps({"i": invitation.pk, "m": invitation.member_id}, salt=SALT, compress=True)


def reply_url(invitation):
    return settings.SITE_URL + reverse("meetings:reply_link", args=[reply_token(invitation)])


def invitation_from_token(token):
    """The invitation a token names, or None when the token is tampered with or names nothing."""
    from .models import Invitation

    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(key), int) for key in ("i", "m")):
        return None
    return (
        Invitation.objects.select_related("meeting__cell", "member")
        .filter(pk=data.get("i"), member_id=data.get("m"))
        .first()
    )


def still_convened(member, meeting):
    """Whether `meeting` convenes `member` now, as it did when it invited them.

    `services.convened_members` picks who is invited when a meeting is confirmed; this asks the same for one
    member later. An invitation outlives a transfer, a suspension or the end of a committee position: from
    then on it no longer speaks for the member (no reply through it, no place in their calendar).
    Exempt members and members away stay convened: they are invited and informed, only not expected.
    """
    if member.cell_id != meeting.cell_id or member.status in (Member.Status.TRANSFERRED, Member.Status.SUSPENDED):
        return False
    if not meeting.expects_members:
        return member.position in COMMITTEE_POSITIONS and member.status == Member.Status.ACTIVE
    return True
