"""Signed reply links: they need no login, work for one member and one meeting, and end with the meeting.

Two forms answer at /r/<token>/: the long one of the e-mails (Django's signing), and a short one for SMS and
Zalo, "<invitation id in base 62>-<10 characters of an HMAC of the invitation and its member>", short enough
to fit one SMS segment beside the meeting's date, time and place.
"""

import hmac
import re

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import salted_hmac

from members.access import COMMITTEE_POSITIONS
from members.models import Member

SALT = "meetings.reply"


def reply_token(invitation):
    return signing.dumps({"i": invitation.pk, "m": invitation.member_id}, salt=SALT, compress=True)


def reply_url(invitation):
    return settings.SITE_URL + reverse("meetings:reply_link", args=[reply_token(invitation)])


ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SHORT = re.compile(r"^([0-9A-Za-z]{1,11})-([0-9A-Za-z]{10})$")


def _base62(n):
    digits = ""
    while True:
        n, digit = divmod(n, 62)
        digits = ALPHABET[digit] + digits
        if not n:
            return digits


def _short_mac(invitation_id, member_id):
    digest = salted_hmac(f"{SALT}.short", f"{invitation_id}:{member_id}", algorithm="sha256").digest()
    return _base62(int.from_bytes(digest[:8]))[-10:].rjust(10, "0")


def short_reply_token(invitation):
    return f"{_base62(invitation.pk)}-{_short_mac(invitation.pk, invitation.member_id)}"


def short_reply_url(invitation):
    return settings.SITE_URL + reverse("meetings:reply_link", args=[short_reply_token(invitation)])


def invitation_from_token(token):
    """The invitation a token names, or None when the token is tampered with or names nothing."""
    from .models import Invitation

    short = SHORT.match(token or "")
    if short:
        pk = 0
        for character in short.group(1):
            pk = pk * 62 + ALPHABET.index(character)
        invitation = Invitation.objects.select_related("meeting__cell", "member").filter(pk=pk).first()
        if invitation and hmac.compare_digest(short.group(2), _short_mac(invitation.pk, invitation.member_id)):
            return invitation
        return None
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
