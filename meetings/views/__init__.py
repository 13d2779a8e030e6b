"""Views of the meetings app: meetings themselves, their minutes (views/minutes.py), dashboards (views/dashboard.py)."""

from .dashboard import *  # noqa: F403
from .meetings import *  # noqa: F403
from .minutes import *  # noqa: F403
