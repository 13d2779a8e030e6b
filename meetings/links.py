"""Signed reply links: they need no login, work for one member and one meeting, and end with the meeting."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

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
    if not isinstance(data, dict):
        return None
    return (
        Invitation.objects.select_related("meeting__cell", "member")
        .filter(pk=data.get("i"), member_id=data.get("m"))
        .first()
    )
