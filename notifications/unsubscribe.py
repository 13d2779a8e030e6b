"""Stopping the e-mails from a link in one of them (RFC 8058's one-click List-Unsubscribe, or the page it
opens): the member's channel order loses e-mail, and the messages go by the channels left.

The link is signed (django.core.signing) for one member and the address the e-mail went to, and never expires:
an old e-mail must still stop the next ones. Once the member's address changed, a link sent to the old one no
longer speaks for them."""

import hashlib

from django.conf import settings
from django.core import signing
from django.urls import reverse

from members.models import Member

SALT = "notifications.unsubscribe"
EMAIL = "email"
# The channels left without e-mail, in this order when the member's own order leaves none.
WITHOUT_EMAIL = ["zalo", "sms"]


def _address_tag(address):
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()[:16]


def token(member, address):
    return signing.dumps({"m": member.pk, "a": _address_tag(address)}, salt=SALT, compress=True)


def url(member, address):
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[token(member, address)])


def member_from_token(value):
    """The member a link names while it still speaks for them, or None (tampered with, or an old address)."""
    try:
        data = signing.loads(value, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("m"), int) or not isinstance(data.get("a"), str):
        return None
    member = Member.objects.filter(pk=data["m"]).first()
    if member is None or not member.email or _address_tag(member.email) != data["a"]:
        return None
    return member


def order(member):
    return [name.strip() for name in (member.channels.split(",") if member.channels else settings.NOTIFY_CHANNELS)]


def gets_email(member):
    return EMAIL in order(member)


def stop_email(member):
    """Take e-mail out of the member's channel order (the others kept in their order; Zalo then SMS when
    nothing is left). Returns whether anything changed."""
    if not gets_email(member):
        return False
    left = ",".join(name for name in order(member) if name in WITHOUT_EMAIL)
    member.channels = left if left and left in dict(Member.CHANNEL_ORDERS) else ",".join(WITHOUT_EMAIL)
    member.save(update_fields=["channels", "updated_at"])
    return True
