"""Workflows that change more than one row: each runs in one transaction and leaves a history."""

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo import dispatch

from . import phones
from .models import TEMPORARY_STATUSES, CellMembership, Member, StatusChange, Transfer, User


class ServiceError(Exception):
    """A refused change, with a message for the user."""


@transaction.atomic
def create_member(member, by=None, note=""):
    """Save a new member and open their history: a stay in the cell and their first status."""
    member.save()
    CellMembership.objects.create(
        member=member, cell=member.cell, started_on=member.admitted_on, note=note, recorded_by=by
    )
    StatusChange.objects.create(
        member=member, status=member.status, since=member.status_since, note=note, recorded_by=by
    )
    return member


@transaction.atomic
def temporary_since(member):
    """When the member's present status began, extensions included: the first of the latest run of status rows
    with that status (extending a temporary activity records the same status again, from a later day)."""
    start = member.status_since
    history = StatusChange.objects.filter(member=member).order_by("-since", "-pk").values_list("status", "since")
    for status, since in history:
        if status != member.status:
            break
        start = since
    return start


def change_status(member, status, since, by=None, note="", temporary_reason="", temporary_until=None):
    """Record a new activity status from `since`. Transferring out ends the stay in the cell. Temporary activity
    (away or visiting) keeps its reason and end (`StatusForm` checked them), and the same status with another
    end extends it; any other status clears them."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if status not in TEMPORARY_STATUSES:
        temporary_reason, temporary_until = "", None
    extends = status in TEMPORARY_STATUSES and (temporary_reason, temporary_until) != (
        member.temporary_reason,
        member.temporary_until,
    )
    if status == member.status and not extends:
        raise ServiceError(_("The member already has this status."))
    if since < member.admitted_on:
        raise ServiceError(_("A status cannot begin before the admission date."))
    if since < member.status_since:
        raise ServiceError(_("The new status cannot begin before the current one."))
    stay = CellMembership.objects.filter(member=member, ended_on__isnull=True).first()
    if stay and since < stay.started_on:
        raise ServiceError(_("The new status cannot begin before the member joined the current cell."))
    was_transferred = member.status == Member.Status.TRANSFERRED
    member.status, member.status_since = status, since
    member.temporary_reason, member.temporary_until = temporary_reason, temporary_until
    update = ["status", "status_since", "temporary_reason", "temporary_until", "updated_at"]
    if status == Member.Status.TRANSFERRED:
        CellMembership.objects.filter(member=member, ended_on__isnull=True).update(ended_on=since)
        member.position = Member.Position.MEMBER
        update.append("position")
    elif was_transferred:
        # A record that left still saying "secretary" (the form refuses that now; older rows may) comes back
        # to a cell that has named another one meanwhile.
        secretaries = Member.objects.on_roll().filter(cell_id=member.cell_id, position=Member.Position.SECRETARY)
        if member.position == Member.Position.SECRETARY and secretaries.exists():
            raise ServiceError(_("The cell already has a secretary."))
        CellMembership.objects.create(member=member, cell=member.cell, started_on=since, note=note, recorded_by=by)
    member.save(update_fields=update)
    StatusChange.objects.create(
        member=member,
        status=status,
        since=since,
        temporary_reason=temporary_reason,
        temporary_until=temporary_until,
        note=note,
        recorded_by=by,
    )
    return member


@transaction.atomic
def transfer(member, to_cell, on, by=None, note=""):
    """Move a member to another cell in Chibo, keeping their stay in the old cell in the history."""
    member = Member.objects.select_for_update(of=("self",)).select_related("cell").get(pk=member.pk)
    if to_cell.pk == member.cell_id:
        raise ServiceError(_("The member is already in this cell."))
    if not to_cell.is_cell:
        raise ServiceError(_("Members can only be transferred to a party cell."))
    if member.status == Member.Status.TRANSFERRED:
        raise ServiceError(_("This member has left; change their status before transferring them."))
    current = CellMembership.objects.filter(member=member, ended_on__isnull=True).first()
    if current and on < current.started_on:
        raise ServiceError(_("The transfer date cannot come before the member joined the current cell."))
    if current:
        current.ended_on = on
        current.save(update_fields=["ended_on"])
    CellMembership.objects.create(member=member, cell=to_cell, started_on=on, note=note, recorded_by=by)
    member.cell = to_cell
    # A position belongs to the old cell; in the new one the member starts as a member.
    member.position = Member.Position.MEMBER
    member.save(update_fields=["cell", "position", "updated_at"])
    return member


@transaction.atomic
def start_transfer(member, to_cell, requested_on, by=None, note=""):
    """Open a permanent transfer of the member's party activity to `to_cell` (any cell of the tree)."""
    member = Member.objects.select_for_update(of=("self",)).get(pk=member.pk)
    if not to_cell.is_cell:
        raise ServiceError(_("Members can only be transferred to a party cell."))
    if to_cell.pk == member.cell_id:
        raise ServiceError(_("The member is already in this cell."))
    if not member.is_on_roll:
        raise ServiceError(_("This member has left; change their status before transferring them."))
    if Transfer.objects.in_progress().filter(member=member).exists():
        raise ServiceError(_("A transfer of this member is already in progress."))
    stay = CellMembership.objects.filter(member=member, ended_on__isnull=True).first()
    if stay and requested_on < stay.started_on:
        raise ServiceError(_("The transfer date cannot come before the member joined the current cell."))
    transfer_record = Transfer.objects.create(
        member=member, from_cell_id=member.cell_id, to_cell=to_cell, requested_on=requested_on, note=note,
        recorded_by=by,
    )  # fmt: skip
    _history(member, requested_on, _("Transfer to %(cell)s requested.") % {"cell": to_cell.name}, by)
    return transfer_record


def _history(member, on, note, by):
    """A line in the member's status history for a step of a transfer. The status stays the current one, and
    never from before it began: `meetings.services.statuses_on` reads the history for a meeting's roll."""
    StatusChange.objects.create(
        member=member, status=member.status, since=max(on, member.status_since), note=note[:300], recorded_by=by
    )


def _locked_transfer(transfer_record):
    found = Transfer.objects.select_for_update(of=("self",)).select_related("member", "to_cell", "from_cell")
    transfer_record = found.get(pk=transfer_record.pk)
    if transfer_record.status != Transfer.Status.IN_PROGRESS:
        raise ServiceError(_("This transfer is no longer in progress."))
    return transfer_record


@transaction.atomic
def record_papers(transfer_record, issued_on, by=None):
    """The sending cell issued the transfer papers on `issued_on`."""
    transfer_record = _locked_transfer(transfer_record)
    if issued_on < transfer_record.requested_on:
        raise ServiceError(_("The papers cannot be issued before the transfer was requested."))
    transfer_record.papers_issued_on = issued_on
    transfer_record.save(update_fields=["papers_issued_on"])
    note = _("Transfer papers to %(cell)s issued.") % {"cell": transfer_record.to_cell.name}
    _history(transfer_record.member, issued_on, note, by)
    return transfer_record


@transaction.atomic
def complete_transfer(transfer_record, presented_on, by=None):
    """The member presented the papers at the receiving cell: the transfer is done and the member moves there
    (`transfer`, the one way a member changes cell)."""
    transfer_record = _locked_transfer(transfer_record)
    if transfer_record.papers_issued_on is None:
        raise ServiceError(_("Record the papers issued by the sending cell first."))
    if presented_on < transfer_record.papers_issued_on:
        raise ServiceError(_("The papers cannot be presented before they were issued."))
    member = transfer_record.member
    if member.cell_id != transfer_record.from_cell_id:
        raise ServiceError(_("The member no longer belongs to the sending cell."))
    note = _("Permanent transfer from %(cell)s.") % {"cell": transfer_record.from_cell.name}
    transfer(member, transfer_record.to_cell, presented_on, by=by, note=note)
    transfer_record.presented_on, transfer_record.status = presented_on, Transfer.Status.COMPLETED
    transfer_record.save(update_fields=["presented_on", "status"])
    _history(member, presented_on, _("Transfer to %(cell)s completed.") % {"cell": transfer_record.to_cell.name}, by)
    return transfer_record


@transaction.atomic
def cancel_transfer(transfer_record, by=None, note=""):
    transfer_record = _locked_transfer(transfer_record)
    transfer_record.status = Transfer.Status.CANCELLED
    transfer_record.save(update_fields=["status"])
    cancelled = _("Transfer to %(cell)s cancelled.") % {"cell": transfer_record.to_cell.name}
    _history(transfer_record.member, timezone.localdate(), f"{cancelled} {note}".strip(), by)
    return transfer_record


@transaction.atomic
def update_member(member, old_email, old_phone=None, by=None):
    """Save an edited member. Their e-mail here is where the cell writes to; their login stays bound to the
    address it was made for, so that changing the e-mail never hands the login to someone else.

    A login the member has claimed keeps its address until they confirm the new one from their own account
    (`change_login_email`), and the member is told at their old addresses. An invitation not yet accepted is
    withdrawn: its link, sent to the old address, stops working, and a new invitation makes a new login for
    the new address. Nobody is told then: nobody ever proved that address was the member's (the cell is
    usually fixing a typo), and a notice would hand a stranger the member's name, cell and new address.
    """
    _phone_changed(member, old_phone, by)
    member.save()
    user = member.user
    if user is None or member.email.lower() == old_email.lower():
        return member
    if not user.is_claimed:
        _withdraw_login(member)
        return member
    told = {address.lower(): address for address in (old_email, user.email) if address}
    told.pop(member.email.lower(), None)
    if told:
        from .tasks import send_email_changed

        dispatch.send_after_commit(send_email_changed, member.pk, list(told.values()), member.email)
    return member


def _phone_changed(member, old_phone, by):
    """A number changed by someone else on a member who uses their login opens no login by code for
    PHONE_CHANGE_HOLD_HOURS (`phone_codes.member_for`), and the old number is told by Zalo or SMS: whoever
    changed it cannot log in as the member at once with a phone of their own, unseen. A login never used has
    nothing to protect yet: the cell set its number in the first place."""
    user = member.user
    if old_phone is None or member.phone == old_phone or user is None or not user.is_claimed:
        return
    if by is not None and by.pk == user.pk:
        member.phone_changed_at = None  # the member's own change: nothing to wait for
        return
    member.phone_changed_at = timezone.now()
    member.phone_hold_started = True
    # Named by their member record only: a login name may be an e-mail address, not for a number reused since.
    by_name = getattr(getattr(by, "member", None), "full_name", "")
    if phones.is_mobile(old_phone):
        dispatch.send_after_commit("notifications.tasks.send_phone_changed", member.pk, old_phone, by_name)
    told = {address.lower(): address for address in (member.email, user.email) if address}
    if told:  # and at their e-mail, when the old number is gone, or not a mobile
        from .tasks import send_phone_changed_email

        dispatch.send_after_commit(send_phone_changed_email, member.pk, list(told.values()), by_name)


def _withdraw_login(member):
    """Unlink the member's unclaimed login, and delete it when nothing else holds it (its links then fail)."""
    user_id = member.user_id
    member.user = None
    member.save(update_fields=["user", "updated_at"])
    User.objects.filter(
        pk=user_id,
        last_login=None,
        password__startswith=UNUSABLE_PASSWORD_PREFIX,
        is_staff=False,
        is_superuser=False,
        grants=None,
    ).delete()


def address_refusal(email, user=None):
    """Why `email` cannot be the address of a login (of `user`, when given), or None."""
    if len(email) > User._meta.get_field("username").max_length:
        return _("This e-mail address is too long to be used as a login.")
    others = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
    if user is not None:
        others = others.exclude(pk=user.pk)
    if others.exists():
        return _("Another account already uses this e-mail address.")
    return None


@transaction.atomic
def invite_account(member):
    """Give the member a login without a password; the e-mailed one-time link lets them choose one."""
    member = Member.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)
    if not member.email:
        raise ServiceError(_("Add the member's e-mail address before inviting them."))
    user = member.user
    if user is not None and user.is_claimed:
        raise ServiceError(_("This member already has an account."))
    if user is not None and user.email.lower() != member.email.lower():
        # An invitation belongs to the address it was made for (see `update_member`).
        _withdraw_login(member)
        user = None
    if user is None:
        email = member.email.lower()
        if refusal := address_refusal(email):
            raise ServiceError(refusal)
        user = User(username=email, email=email, first_name=member.full_name[:150])
        user.set_unusable_password()
        user.save()
        member.user = user
        member.save(update_fields=["user", "updated_at"])

    from .tasks import send_account_invitation

    dispatch.send_after_commit(send_account_invitation, member.pk)
    return member


@transaction.atomic
def change_login_email(user, email):
    """Log in with `email` from now on: the member asked for it from their own account and opened the link
    sent to that address. The old address is told."""
    user = User.objects.select_for_update().get(pk=user.pk)
    email = email.lower()
    if refusal := address_refusal(email, user):
        raise ServiceError(refusal)
    old_email = user.email
    if user.username.lower() == old_email.lower():
        user.username = email  # the old address must stop working as a login name too
    user.email = email
    user.save(update_fields=["username", "email"])
    if old_email:
        from .tasks import send_login_email_changed

        dispatch.send_after_commit(send_login_email_changed, user.pk, old_email)
    return user
