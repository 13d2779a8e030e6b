from . import access as access_module


def access(request):
    """Expose the user's access to templates (menus show only what the user may open)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"access": access_module.for_user(user)}
