"""Views of the meetings app."""

from .meetings import *  # noqa: F403
