"""Logging in, or choosing a new password, with a phone number and a one-time code sent by Zalo or SMS.

The answer to "send me a code" is the same whether the number is known or not, and so is the time it takes
(the code is sent by a worker). A number opens a login only when exactly one member on the roll has it. The
code is 6 digits, lasts PHONE_CODE_MINUTES, takes PHONE_CODE_TRIES tries, and only its keyed hash is stored.
May import chibo's helpers; the sending is the notifications' task, named, not imported.
"""

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from chibo import dispatch, throttle

from . import phones
from .access import COMMITTEE_POSITIONS
from .models import Member, PhoneCode, User


class CodeError(Exception):
    """A refusal, with a message for the person at the phone."""


class Throttled(CodeError):
    pass


def _hash(phone, purpose, code):
    return salted_hmac("members.phone_code", f"{phone}:{purpose}:{code}", algorithm="sha256").hexdigest()


def member_for(phone):
    """The one member on the roll with this number, or None (unknown, shared by several, linked to a login
    with more than a member's rights, or changed by the cell less than PHONE_CHANGE_HOLD_HOURS ago)."""
    found = list(
        Member.objects.filter(phone=phone)
        .exclude(status__in=[Member.Status.TRANSFERRED, Member.Status.SUSPENDED])
        .select_related("user")[:2]
    )
    if len(found) != 1:
        return None
    changed = found[0].phone_changed_at
    if changed and changed > timezone.now() - timedelta(hours=settings.PHONE_CHANGE_HOLD_HOURS):
        return None  # changed by the cell a short while ago: the old number has been told, and may object
    user = found[0].user
    # A phone alone does not open an account with more than a member's rights (the admin site, a committee's
    # grant, a seat on the cell's committee): those above can change a member's number, so such accounts log
    # in with their password only.
    if found[0].position in COMMITTEE_POSITIONS:
        return None
    if user is not None and (not user.is_active or user.is_staff or user.is_superuser or user.grants.exists()):
        return None
    return found[0]


def request_code(raw_phone, purpose, client):
    """Send a code to the number if it opens a login; returns the number (E.164) either way.

    Raises CodeError for what is not a phone number and Throttled past the limits, which count every request,
    known number or not."""
    try:
        phone = phones.normalise(raw_phone)
    except Exception as exc:  # ValidationError: its message is for the person
        raise CodeError(exc.messages[0]) from exc
    if not phone:
        raise CodeError(_("Write your phone number."))
    window = settings.PHONE_CODE_WINDOW_MINUTES * 60
    if throttle.count(f"phone-code:client:{client}", window) > settings.PHONE_CODE_LIMIT_PER_IP or (
        throttle.count(f"phone-code:number:{phone}", window) > settings.PHONE_CODE_LIMIT_PER_NUMBER
    ):
        raise Throttled(_("Too many codes were asked for. Try again later."))
    member = member_for(phone)
    if member is None or _too_many_in_database(phone, window):
        # The same work as for a known number, as far as the person asking can tell: a task goes to the workers
        # (it finds no code to send).
        dispatch.send_after_commit("notifications.tasks.send_phone_code", 0, "")
        return phone
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        PhoneCode.objects.filter(phone=phone, purpose=purpose, used_at=None).update(used_at=timezone.now())
        record = PhoneCode.objects.create(
            phone=phone, member=member, purpose=purpose, code_hash=_hash(phone, purpose, code),
            expires_at=timezone.now() + timedelta(minutes=settings.PHONE_CODE_MINUTES),
        )  # fmt: skip
        dispatch.send_after_commit("notifications.tasks.send_phone_code", record.pk, code)
    return phone


def check(phone, purpose, code):
    """The member the code opens, or CodeError. Each try counts (kept even when the code is wrong); a code is
    used once."""
    member, refusal = _try(phone, purpose, code)
    if refusal:
        raise CodeError(refusal)
    return member


def _too_many_in_database(phone, window):
    """The limit per number, counted from the codes themselves: it holds while the cache is away (the cache's
    count then lets everything through). Past it, nothing is sent, and the answer stays the same."""
    since = timezone.now() - timedelta(seconds=window)
    return PhoneCode.objects.filter(phone=phone, created_at__gte=since).count() >= settings.PHONE_CODE_LIMIT_PER_NUMBER


@transaction.atomic
def _try(phone, purpose, code):
    wrong = _("This code is wrong or has expired. Ask for a new one if need be.")
    record = (
        PhoneCode.objects.select_for_update(of=("self",))
        .select_related("member__user")
        .filter(phone=phone, purpose=purpose, used_at=None, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    if record is None:
        return None, wrong
    if record.tries >= settings.PHONE_CODE_TRIES:
        return None, wrong  # spent: the same answer as for a number without a code, which tells nothing
    record.tries += 1
    given = "".join(str(code or "").split())
    if not hmac.compare_digest(record.code_hash, _hash(phone, purpose, given)):
        record.save(update_fields=["tries"])
        return None, wrong
    record.used_at = timezone.now()
    record.save(update_fields=["tries", "used_at"])
    if member_for(phone) != record.member:  # moved, suspended or renumbered since the code was sent
        return None, wrong
    return record.member, None


@transaction.atomic
def login_for(member):
    """The member's login, made now (no password, no e-mail) when they have none yet."""
    member = Member.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)
    if member.user is not None:
        return member.user
    user = User(username=f"member-{member.pk}", first_name=member.full_name[:150])
    user.set_unusable_password()
    user.save()
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    return user
