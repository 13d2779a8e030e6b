"""Workflows that change more than one row: each runs in one transaction and leaves a history."""

from django.db import transaction
from django.utils.translation import gettext as _

from chibo import dispatch

from .models import CellMembership, Member, StatusChange, User


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
def change_status(member, status, since, by=None, note=""):
    """Record a new activity status from `since`. Transferring out ends the stay in the cell."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if status == member.status:
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
    update = ["status", "status_since", "updated_at"]
    if status == Member.Status.TRANSFERRED:
        CellMembership.objects.filter(member=member, ended_on__isnull=True).update(ended_on=since)
        member.position = Member.Position.MEMBER
        update.append("position")
    elif was_transferred:
        CellMembership.objects.create(member=member, cell=member.cell, started_on=since, note=note, recorded_by=by)
    member.save(update_fields=update)
    StatusChange.objects.create(member=member, status=status, since=since, note=note, recorded_by=by)
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
def invite_account(member):
    """Give the member a login without a password; the e-mailed one-time link lets them choose one."""
    member = Member.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)
    if not member.email:
        raise ServiceError(_("Add the member's e-mail address before inviting them."))
    user = member.user
    if user is not None and user.has_usable_password():
        raise ServiceError(_("This member already has an account."))
    if user is None:
        email = member.email.lower()
        if len(email) > User._meta.get_field("username").max_length:
            raise ServiceError(_("This e-mail address is too long to be used as a login."))
        if User.objects.filter(email__iexact=email).exists() or User.objects.filter(username__iexact=email).exists():
            raise ServiceError(_("Another account already uses this e-mail address."))
        user = User(username=email, email=email, first_name=member.full_name[:150])
        user.set_unusable_password()
        user.save()
        member.user = user
        member.save(update_fields=["user", "updated_at"])

    from .tasks import send_account_invitation

    dispatch.send_after_commit(send_account_invitation, member.pk)
    return member
