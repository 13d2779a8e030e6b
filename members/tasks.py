"""The members' e-mails sent by the workers: account invitations, password resets and login address changes."""

import contextlib
import functools
import hashlib
import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from chibo import emails, throttle

from .models import Member, User

log = logging.getLogger(__name__)

# Password reset e-mails: at most PASSWORD_RESET_LIMIT_PER_ADDRESS to one address in this window.
RESET_WINDOW_SECONDS = 3600

# SMTP down or refused is transient: each of these tasks tries again later, with growing pauses.


# The e-mails a reply to which reaches the cell's secretary (who keeps the members' records). The notices of
# a changed address or phone do not: "this was not me" must not go to whoever may have made the change.
REPLY_TO_SECRETARY = {"account_invitation"}


def _send(task, name, to, ctx, not_sent=None):
    secretary = ctx["member"].cell.secretary() if name in REPLY_TO_SECRETARY and "member" in ctx else None
    try:
        emails.send(f"members/emails/{name}", to, ctx, reply_to=[secretary.email if secretary else ""])
    except OSError as exc:
        if not_sent is not None:
            not_sent()  # before the retry, which may run at once (eager tasks)
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


def _reset_key(email):
    return "password-reset:address:" + hashlib.sha256(email.lower().encode()).hexdigest()


def _take_reset_slot(email):
    """Count one more reset e-mail to `email` in the current hour; False when the hour's are all sent."""
    return throttle.count(_reset_key(email), RESET_WINDOW_SECONDS) <= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS


def _give_back_reset_slot(email):
    with contextlib.suppress(ValueError):  # the hour ended meanwhile: nothing to give back
        cache.decr(_reset_key(email))


@shared_task(bind=True, acks_late=True, max_retries=5)
def send_password_reset(self, email):
    """E-mail a reset link to the login that uses `email`, if any. The reset page sends this task for every
    address asked for, known or not, so that its answer never tells which addresses have a login.

    The limit per address is kept here, silently, on the e-mails actually sent: a refusal on the page would
    let anyone who knows a member's address lock them out of it for an hour, and tell that it was asked for.
    """
    sent = 0
    for user in User.objects.filter(email__iexact=email, is_active=True):
        if not user.has_usable_password():
            continue  # invited and not yet accepted: the invitation is the way in (as Django's own reset)
        if not _take_reset_slot(user.email):
            log.warning(
                "Password reset for user %s not sent: %s e-mails already sent this hour.",
                user.pk,
                settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
            )
            continue
        ctx = {"user": user, "link": _one_time_link("password_reset_confirm", user)}
        # Refused by the mail server: not sent, so not counted; the retry takes a slot again.
        _send(self, "password_reset", [user.email], ctx, not_sent=functools.partial(_give_back_reset_slot, user.email))
        sent += 1
    return sent


@shared_task(bind=True, acks_late=True, max_retries=5)
def send_email_changed(self, member_id, to, new_email, withdrawn=False):
    """Tell a member with a login, at their old addresses, that the cell recorded a new e-mail address for
    them. `withdrawn` is true only in tasks queued by an older release, about an invitation nobody accepted:
    its address was never proved to be the member's, so it gets nothing (see `services.update_member`)."""
    member = Member.objects.select_related("user", "cell").filter(pk=member_id).first()
    if member is None or member.user is None or withdrawn:
        return "skipped"
    ctx = {"member": member, "new_email": new_email}
    _send(self, "email_changed", to, ctx)
    return "sent"


@shared_task(bind=True, acks_late=True, max_retries=5)
def send_phone_changed_email(self, member_id, to, by_name):
    """Tell a member with a login, at their e-mail, that the cell recorded a new phone number for them and when
    it opens a login by code (the old number is told by Zalo or SMS, if it is a mobile)."""
    member = Member.objects.select_related("user", "cell").filter(pk=member_id).first()
    if member is None or member.user is None or member.phone_changed_at is None:
        return "skipped"
    opens = timezone.localtime(member.phone_changed_at + timedelta(hours=settings.PHONE_CHANGE_HOLD_HOURS))
    ctx = {"member": member, "by": by_name, "ending": member.phone[-3:], "opens": date_format(opens, "H:i d/m/Y")}
    _send(self, "phone_changed", to, ctx)
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
