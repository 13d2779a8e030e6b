"""The meetings fixtures, for messages about meetings, and the providers played by a local HTTP server."""

from tests.meetings.conftest import local, make_meeting  # noqa: F401
from tests.notifications.providers import provider  # noqa: F401
