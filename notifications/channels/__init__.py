"""The channels a message goes by: one module per channel, beside this one (e-mail today; SMS and Zalo come
next). A channel module has

- `address(member)`: where the member is reached on this channel, or "" when they cannot be;
- `send(message, address, context)`: deliver the message once. An `OSError` means the service could not be
  reached or refused for now (the delivery is tried again, with growing pauses); any other exception fails
  the message at once, since trying again would fail the same way.

`notifications.tasks.deliver_message` claims a message, picks its channel (`channel_for`) and records what
happened. May import: chibo, members, and the models of this app.
"""

from . import email

CHANNELS = {"email": email}


def channel_for(message):
    """The channel a message goes by: e-mail, the only one so far."""
    return CHANNELS["email"]
