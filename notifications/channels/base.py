"""What every channel answers, and the console transport `make run` uses when a provider is not configured."""

import collections
import sys
import threading
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Accepted:
    """The provider took the message: its id (for the delivery report), what it bills, whether it reports."""

    provider_id: str = ""
    units: int = 1
    reports: bool = True


class TryLater(Exception):
    """Failed for now (the provider is away, answers 5xx or too slowly): the same channel is tried again."""


class Unconfirmed(Exception):
    """The call went out and no answer came in time: the provider may have sent the message. A channel that
    cannot refuse a copy (Zalo) raises this instead of TryLater; the message counts as sent, unconfirmed, and
    waits for its delivery report (or the time-out) before the next channel."""


class Refused(Exception):
    """Failed for good (no Zalo on this number, a template refused, a number the provider rejects): the next
    channel is tried."""


# What the console transports printed, newest last (for a person reading `make run`, and for tests).
console_outbox = collections.deque(maxlen=1000)
_lock = threading.Lock()


def print_on_console(channel, address, lines):
    """Print one message as the e-mail console backend does, and return an id as a provider would."""
    provider_id = f"console-{uuid.uuid4().hex[:16]}"
    text = "\n".join([f"{channel} to {address}", *lines])
    with _lock:
        console_outbox.append({"channel": channel, "address": address, "text": text, "id": provider_id})
        sys.stdout.write(text.rstrip("\n") + "\n" + "-" * 79 + "\n")
        sys.stdout.flush()
    return provider_id
