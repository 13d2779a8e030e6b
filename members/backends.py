from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from .access import users_with_access
from .models import User


class EmailOrUsernameBackend(ModelBackend):
    """Log in with either the username or the e-mail address, case-insensitively."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        login = username.strip()
        user = User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login)).order_by("pk").first()
        if user is None:
            # Run the hasher anyway so that timing does not tell which logins exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The session's user, with what their access needs in the same query (`access.users_with_access`)."""
        user = users_with_access().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


def axes_username(request, credentials):
    """The account a login attempt is for, so that "MEMBER", "member" and the e-mail share one counter."""
    login = ((credentials or {}).get("username") or request.POST.get("username") or "").strip()
    user = User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login)).order_by("pk").first()
    return user.username if user else login.lower()
