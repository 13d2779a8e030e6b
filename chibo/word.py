"""Helpers for the Word files Chibo writes (minutes, resolutions). May import nothing of the apps."""

_CONTROL = {code: None for code in range(32) if code not in (9, 10, 13)}


def clean(text):
    """Word files cannot hold control characters (text pasted from elsewhere sometimes has them)."""
    return str(text or "").translate(_CONTROL)
