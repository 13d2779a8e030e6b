"""Views of the meetings app, one module per part of the product (meetings/urls.py names them)."""

from .documents import *  # noqa: F403
from .meetings import *  # noqa: F403
from .mine import *  # noqa: F403
from .replies import *  # noqa: F403
