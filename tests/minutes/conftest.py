"""The meetings fixtures, for the minutes of meetings."""

from tests.meetings.conftest import local, make_meeting, rule  # noqa: F401
