"""Views of the members app, one module per part of the product (members/urls.py and chibo/urls.py name them)."""

from .accounts import *  # noqa: F403
from .importing import *  # noqa: F403
from .phone import *  # noqa: F403
from .roll import *  # noqa: F403
from .transfers import *  # noqa: F403
from .units import *  # noqa: F403
