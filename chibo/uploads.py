"""Checks shared by every upload: a clear message for an empty or oversized file."""

from django.utils.translation import gettext as _


def size_problem(upload, limit):
    """The message for an empty or too large upload, or None when its size is acceptable."""
    if upload.size == 0:
        return _("The file is empty.")
    if upload.size > limit:
        return _("The file is too large (%(size)s MB); the limit is %(limit)s MB.") % {
            "size": round(upload.size / 1048576, 1),
            "limit": round(limit / 1048576, 1),
        }
    return None
