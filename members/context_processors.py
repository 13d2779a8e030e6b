from . import access as access_module

LARGE_TEXT_COOKIE = "chibo_large_text"


def access(request):
    """Expose the user's access to templates (menus show only what the user may open)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"access": access_module.for_user(user)}


def large_text(request):
    """The large-text switch, read from its cookie so the page is painted at the chosen size at once."""
    return {"large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"}
