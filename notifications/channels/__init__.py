"""The channels a message goes by: one module per channel, beside this one (`email`, `sms`, `zalo`). A channel
module has

- `NAME` and `LABEL`;
- `address(member)`: where the member is reached on this channel, or "" when they cannot be;
- `send(message, address, context)`: send the message once and return `Accepted` (the provider's id, what it
  bills, whether a delivery report will follow); raise `TryLater` when it failed for now (the same channel is
  tried again, with growing pauses) or `Refused` when it failed for good (the next channel is tried).

`notifications.tasks.deliver_messages` claims a batch of messages and, for each, goes through the member's
channels in order (`order_for`). `SENDS_ONCE` says whether the provider refuses a second copy (SMS's
RequestId); a channel without it writes its delivery before the call and has `unconfirmed()`, what a call a
killed worker left without an answer counts as.

May import: chibo, members, meetings (the reply links), and the models of this app.
"""

from django.conf import settings

from . import email, sms, zalo
from .base import Accepted, Refused, TryLater, Unconfirmed

CHANNELS = {module.NAME: module for module in (zalo, sms, email)}

__all__ = ["CHANNELS", "Accepted", "Refused", "TryLater", "Unconfirmed", "order_for"]


def order_for(member):
    """The member's channels in the order to try: their own, else the setting NOTIFY_CHANNELS."""
    names = (member.channels.split(",") if member.channels else settings.NOTIFY_CHANNELS) or []
    return [CHANNELS[name.strip()] for name in names if name.strip() in CHANNELS]
