from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from chibo import emails

from .models import Member, User

# SMTP down or refused is transient: each of these tasks tries again later, with growing pauses.


def _send(task, name, to, ctx):
    try:
        emails.send(name, to, ctx)
    except OSError as exc:
        raise task.retry(exc=exc, countdown=60 * 2**task.request.retries) from exc


def _one_time_link(url_name, user):
    """A link for `user` built on SITE_URL: never on the host a request named, which anyone can forge."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return settings.SITE_URL + reverse(url_name, args=[uid, default_token_generator.make_token(user)])


@shared_task(bind=True, acks_late=True, max_retries=5)
def send_account_invitation(self, member_id):
    """E-mail a member the one-time link that lets them choose a password."""
    member = Member.objects.select_related("user", "cell").filter(pk=member_id).first()
    if member is None or member.user is None or member.user.is_claimed or not member.email:
        return "skipped"  # accepted meanwhile, or the member is gone: nothing to send
    if member.email.lower() != member.user.email.lower():
        return "skipped"  # an invitation goes only to the address its login was made for
    _send(
        self,
        "account_invitation",
        [member.email],
        {"member": member, "link": _one_time_link("accept_invitation", member.user)},
    )
    return "sent"


@shared_task(bind=True, acks_late=True, max_retries=5)
def send_password_reset(self, email):
    """E-mail a reset link to the login that uses `email`, if any. The reset page sends this task for every
    address asked for, known or not, so that its answer never tells which addresses have a login."""
    sent = 0
    for user in User.objects.filter(email__iexact=email, is_active=True):
        if not user.has_usable_password():
            continue  # invited and not yet accepted: the invitation is the way in (as Django's own reset)
        _send(
            self, "password_reset", [user.email], {"user": user, "link": _one_time_link("password_reset_confirm", user)}
        )
        sent += 1
    return sent


@shared_task(bind=True, acks_late=True, max_retries=5)
def send_email_changed(self, member_id, to, new_email, withdrawn):
    """Tell a member, at their old addresses, that the cell recorded a new e-mail address for them."""
    member = Member.objects.select_related("user", "cell").filter(pk=member_id).first()
    if member is None:
        return "skipped"
    ctx = {"member": member, "new_email": new_email, "withdrawn": withdrawn}
    _send(self, "email_changed", to, ctx)
    return "sent"


@shared_task(bind=True, acks_late=True, max_retries=5)
def send_login_email_link(self, user_id, email, token):
    """E-mail the link that confirms `email` as the user's login address; it works for them, logged in."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return "skipped"
    link = settings.SITE_URL + reverse("members:login_email_confirm", args=[token])
    _send(self, "login_email_confirm", [email], {"user": user, "email": email, "link": link})
    return "sent"


@shared_task(bind=True, acks_late=True, max_retries=5)
def send_login_email_changed(self, user_id, old_email):
    """Tell the old address that the login now uses another one."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return "skipped"
    _send(self, "login_email_changed", [old_email], {"user": user})
    return "sent"
