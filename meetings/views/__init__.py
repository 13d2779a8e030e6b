"""Views of the meetings app: meetings themselves and their minutes (views/minutes.py)."""

from .meetings import *  # noqa: F403
from .minutes import *  # noqa: F403
