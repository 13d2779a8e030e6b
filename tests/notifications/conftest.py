"""The meetings fixtures, for messages about meetings."""

from tests.meetings.conftest import local, make_meeting  # noqa: F401
