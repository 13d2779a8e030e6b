"""The meetings fixtures, for the figures counted from meetings."""

from tests.meetings.conftest import local, make_meeting, rule  # noqa: F401
