"""Meeting workflows that change several rows: each runs in one transaction and leaves a history."""

from django.conf import settings
from django.db import connections, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo import dispatch, sql
from chibo.rows import prefetched
from members.models import CellMembership, Member, StatusChange
from notifications.models import Message

from . import signals
from .agenda import add_standard_agenda
from .models import NOT_EXPECTED, Attendance, Invitation, Meeting, MeetingChange


class MeetingError(Exception):
    """A refused change, with a message for the user."""


def _log(meeting, action, by, **detail):
    return MeetingChange.objects.create(meeting=meeting, action=action, by=by, detail=detail)


def _enqueue(message_ids):
    """Send the messages once the transaction commits, in batches of MESSAGE_BATCH_SIZE."""
    ids, size = list(message_ids), max(1, settings.MESSAGE_BATCH_SIZE)
    batches = [(ids[n : n + size],) for n in range(0, len(ids), size)]
    dispatch.send_many_after_commit("notifications.tasks.deliver_messages", batches)


def convened_members(meeting):
    """Who a meeting convenes: the whole cell, or only its committee for a committee meeting."""
    return Member.objects.filter(pk__in=RawSQL(*convened_sql(meeting)))


def convened_sql(meeting, day=None):
    """(SQL, parameters) giving the ids of the members `meeting` convenes, the one place of the rule
    (`convened_members`, `convened_on_the_day`, the roll's `roll_on_the_day`): the cell's members but those
    transferred out or suspended, only its committee's active members for a committee meeting; with `day`,
    only those among the cell's members that day. Written out: the minutes page reads who is on the sheet in
    one query with it (issue 17). Portable SQL (PostgreSQL, and SQLite for `make run`)."""
    members, memberships = Member._meta.db_table, CellMembership._meta.db_table
    query = f"SELECT m.id FROM {members} m WHERE m.cell_id = %s AND m.status NOT IN (%s, %s)"
    params = [meeting.cell_id, Member.Status.TRANSFERRED, Member.Status.SUSPENDED]
    if not meeting.expects_members:
        query += " AND m.position IN (%s, %s, %s) AND m.status = %s"
        params += [Member.Position.SECRETARY, Member.Position.DEPUTY, Member.Position.COMMITTEE, Member.Status.ACTIVE]
    if day is not None:
        query += (
            f" AND EXISTS (SELECT 1 FROM {memberships} s WHERE s.member_id = m.id AND s.cell_id = %s"
            " AND s.ended_on IS NULL AND s.started_on <= %s)"
        )
        params += [meeting.cell_id, connections[Member.objects.db].ops.adapt_datefield_value(day)]
    return query, params


def is_expected(member):
    """Exempt members, members away on temporary activity and armed-forces members on special duty are
    informed, not expected."""
    return member.status not in Member.NOT_EXPECTED


@transaction.atomic
def create_meeting(meeting, by=None):
    meeting.created_by = by
    meeting.save()
    add_standard_agenda(meeting)
    _log(meeting, "created", by)
    return meeting


@transaction.atomic
def save_edited(meeting, changed, by=None):
    """Save a meeting edited by whoever manages the cell's meetings (`changed`: the fields their form changed).

    The meeting's chair is the one who signs the minutes: unsigned minutes follow a new chair here, in the same
    transaction, so that the meeting and its minutes never name two chairs (see `minutes.workflow.record_chair`
    for the other way round)."""
    meeting.save()
    _log(meeting, "edited", by)
    if "chair" in changed:
        _log(meeting, "chair", by, chair=str(meeting.chair or ""))
        signals.chair_changed.send(sender=Meeting, meeting=meeting, by=by)
    return meeting


@transaction.atomic
def confirm(meeting, by=None):
    """Confirm and invite: one invitation per convened member, and the invitation e-mails."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.POSTPONED):
        raise MeetingError(_("Only a planned or postponed meeting can be confirmed."))
    if meeting.starts_at <= timezone.now():
        raise MeetingError(_("This meeting's time has passed; move it before confirming."))
    meeting.status, meeting.status_reason = Meeting.Status.CONFIRMED, ""
    meeting.invited_at = meeting.invited_at or timezone.now()
    meeting.save(update_fields=["status", "status_reason", "invited_at", "updated_at"])
    invite_members(meeting)
    _log(meeting, "confirmed", by)
    return meeting


def invite_members(meeting):
    """Create the missing invitations (members added since are invited too) and their e-mails."""
    existing = set(meeting.invitations.values_list("member_id", flat=True))
    new = [
        Invitation(meeting=meeting, member=member, expected=is_expected(member))
        for member in convened_members(meeting)
        if member.pk not in existing
    ]
    Invitation.objects.bulk_create(new)
    queue_messages(meeting, [i.member_id for i in new], Message.Kind.INVITATION)


def queue_messages(about, member_ids, kind, key=""):
    """Record one message per member about a meeting, a task or a member (never twice for the same key) and
    send them after commit."""
    field = "meeting" if isinstance(about, Meeting) else "about_member" if isinstance(about, Member) else "task"
    Message.objects.bulk_create(
        [Message(**{field: about}, member_id=pk, kind=kind, key=key) for pk in member_ids], ignore_conflicts=True
    )
    ids = Message.objects.filter(
        **{field: about}, member_id__in=member_ids, kind=kind, key=key, status=Message.Status.PENDING
    ).values_list("pk", flat=True)
    _enqueue(ids)


@transaction.atomic
def move(meeting, starts_at, reason, by=None):
    """Give the meeting a new time; invited members are told."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status in (Meeting.Status.HELD, Meeting.Status.CANCELLED) or hasattr(meeting, "minutes"):
        raise MeetingError(_("A held or cancelled meeting cannot be moved."))
    if not reason.strip():
        raise MeetingError(_("Give the reason for the move: members are told."))
    if starts_at <= timezone.now():
        raise MeetingError(_("The new time must be in the future."))
    previous = meeting.starts_at
    meeting.starts_at = starts_at
    meeting.status_reason = reason
    if meeting.status == Meeting.Status.POSTPONED:
        meeting.status = Meeting.Status.CONFIRMED if meeting.invited_at else Meeting.Status.PLANNED
    meeting.save(update_fields=["starts_at", "status", "status_reason", "updated_at"])
    # A reply was given for a day: on another day it no longer holds. The members are asked again by the notice
    # of the move (with their reply link); a new time on the same day keeps the replies.
    reset = 0
    if timezone.localtime(previous).date() != timezone.localtime(starts_at).date():
        reset = meeting.invitations.exclude(reply=Invitation.Reply.NONE).update(
            reply=Invitation.Reply.NONE, reason="", replied_at=None, replied_via="", recorded_by=None
        )
    change = _log(meeting, "moved", by, previous=previous.isoformat(), new=starts_at.isoformat(), reason=reason,
                  replies_reset=reset)  # fmt: skip
    _notify_invited(meeting, Message.Kind.MOVED, key=str(change.pk))
    return meeting


@transaction.atomic
def postpone(meeting, reason, by=None):
    """Put off a meeting until a new time is known; invited members are told."""
    return _call_off(meeting, Meeting.Status.POSTPONED, reason, by)


@transaction.atomic
def cancel(meeting, reason, by=None):
    return _call_off(meeting, Meeting.Status.CANCELLED, reason, by)


def _call_off(meeting, status, reason, by):
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status in (Meeting.Status.HELD, Meeting.Status.CANCELLED) or hasattr(meeting, "minutes"):
        raise MeetingError(_("A held or cancelled meeting cannot be changed this way."))
    if not reason.strip():
        raise MeetingError(_("Give the reason: members are told."))
    meeting.status, meeting.status_reason = status, reason
    meeting.save(update_fields=["status", "status_reason", "updated_at"])
    change = _log(meeting, status, by, reason=reason)
    kind = Message.Kind.CANCELLED if status == Meeting.Status.CANCELLED else Message.Kind.MOVED
    _notify_invited(meeting, kind, key=str(change.pk))
    return meeting


def _notify_invited(meeting, kind, key):
    member_ids = list(meeting.invitations.values_list("member_id", flat=True))
    if member_ids:
        queue_messages(meeting, member_ids, kind, key)


@transaction.atomic
def reply(invitation, answer, reason="", through_link=False):
    invitation = Invitation.objects.select_for_update().select_related("meeting").get(pk=invitation.pk)
    if not invitation.meeting.is_open:
        raise MeetingError(_("This meeting is over or called off; replies are closed."))
    if answer not in (Invitation.Reply.YES, Invitation.Reply.NO):
        raise MeetingError(_("Choose whether you will attend."))
    if answer == Invitation.Reply.NO and not reason.strip():
        raise MeetingError(_("Please give the reason you cannot attend."))
    invitation.reply = answer
    invitation.reason = reason.strip() if answer == Invitation.Reply.NO else ""
    invitation.replied_at = timezone.now()
    invitation.replied_through_link = through_link
    invitation.replied_via, invitation.recorded_by = "", None  # the member's own reply
    invitation.save(update_fields=["reply", "reason", "replied_at", "replied_through_link", "replied_via",
                                   "recorded_by"])  # fmt: skip
    return invitation


@transaction.atomic
def record_reply(invitation, answer, reason, via, by):
    """A reply the member gave by phone or in person, recorded by whoever manages the cell's meetings; kept
    with who recorded it, and in the meeting's history."""
    if via not in ("phone", "person"):
        raise MeetingError(_("Say how the member replied."))
    invitation = reply(invitation, answer, reason)
    invitation.replied_via, invitation.recorded_by = via, by
    invitation.save(update_fields=["replied_via", "recorded_by"])
    _log(invitation.meeting, "reply recorded", by, member=invitation.member.full_name, reply=answer, via=via,
         reason=invitation.reason)  # fmt: skip
    return invitation


def attendance_sheet(meeting):
    """One row per member to mark: the stored attendance, else a suggestion from the reply."""
    invitations = {i.member_id: i for i in meeting.invitations.select_related("member")}
    recorded = {a.member_id: a for a in meeting.attendances.select_related("member")}
    if invitations:
        # Those convened are those invited: members who joined later were not part of this meeting.
        members = sorted((i.member for i in invitations.values()), key=lambda m: m.sort_key)
    else:
        members = list(convened_on_the_day(meeting, timezone.localtime(meeting.starts_at).date()))
    known = {m.pk for m in members}
    # Members recorded earlier who have since left or changed cell stay on the sheet.
    members += [a.member for a in recorded.values() if a.member_id not in known]
    day = timezone.localtime(meeting.starts_at).date()
    status_that_day = statuses_on([m.pk for m in members if m.pk not in recorded], day)
    rows = []
    for member in members:
        invitation = invitations.get(member.pk)
        attendance = recorded.get(member.pk)
        # The category as it was that day: frozen once recorded, else from the status history.
        category = attendance.category if attendance else Attendance.category_of(
            member, day, status_that_day.get(member.pk))  # fmt: skip
        if attendance:
            status, reason = attendance.status, attendance.reason
        elif invitation and invitation.reply == Invitation.Reply.YES:
            status, reason = Attendance.Status.PRESENT, ""
        elif invitation and invitation.reply == Invitation.Reply.NO:
            status, reason = Attendance.Status.EXCUSED, invitation.reason
        else:
            status, reason = "", ""
        rows.append(
            {
                "member": member,
                "invitation": invitation,
                "attendance": attendance,
                "status": status,
                "reason": reason,
                "category": category,
                "category_label": Attendance.Category(category).label,
                "expected": category not in NOT_EXPECTED if attendance or not invitation else invitation.expected,
            }
        )
    return rows


def convened_on_the_day(meeting, day):
    """Who a meeting nobody was invited to convenes (`convened_members`), among the cell's members on `day`."""
    return Member.objects.filter(pk__in=RawSQL(*convened_sql(meeting, day))).order_by("sort_key")


def roll_on_the_day(meeting):
    """The whole roll of a meeting's day (domain §3, "the roll on the day"): its attendance records, and an
    unsaved record without a status for each member on the sheet left blank (exempt and away members need no
    mark), with their category that day. The records of `attendance_sheet`'s rows, by the members' sort key.

    The minutes' PDF is made from it (issue 17), so it reads no more than the records need: the attendance
    with its members, who is on the sheet by id alone (those invited, or when nobody was, those convened on
    the day), and only then the members left blank, with their status that day. A held meeting's sheet is
    usually all marked: nobody's row is read twice."""
    day = timezone.localtime(meeting.starts_at).date()
    # The caller's rows when it read them with their members (the minutes page: for the draft's quality too).
    rows = prefetched(meeting, "attendances")
    recorded = {a.member_id: a for a in (meeting.attendances.select_related("member") if rows is None else rows)}
    # Who is on the sheet, in one query: those invited, or when nobody was, those convened on the day.
    convened, params = convened_sql(meeting, day)
    invitations = Invitation._meta.db_table
    on_the_sheet = sql.rows(
        f"SELECT i.member_id FROM {invitations} i WHERE i.meeting_id = %s UNION ALL SELECT c.id FROM ({convened}) c"
        f" WHERE NOT EXISTS (SELECT 1 FROM {invitations} n WHERE n.meeting_id = %s)",
        [meeting.pk, *params, meeting.pk],
        Invitation.objects.db,
    )
    blank = [pk for (pk,) in on_the_sheet if pk not in recorded]
    # The status that day as `statuses_on` reads it (the latest change up to that day), with the member.
    status = StatusChange.objects.filter(member=OuterRef("pk"), since__lte=day).order_by("-since", "-pk")
    members = Member.objects.filter(pk__in=blank).annotate(status_that_day=Subquery(status.values("status")[:1]))
    roll = list(recorded.values()) + [
        Attendance(meeting=meeting, member=member, status="", official=Attendance.was_official(member, day),
                   category=Attendance.category_of(member, day, member.status_that_day))
        for member in (members if blank else [])
    ]  # fmt: skip
    return sorted(roll, key=lambda a: (a.member.sort_key, a.member_id))


def statuses_on(member_ids, day):
    """{member id: activity status on `day`}, from the status history (one query)."""
    from members.models import StatusChange

    statuses, member_ids = {}, list(member_ids)
    if not member_ids:  # everyone on a held meeting's sheet marked: nothing to ask (the ORM would build it all)
        return statuses
    history = StatusChange.objects.filter(member_id__in=member_ids, since__lte=day).order_by("since", "pk")
    for member_id, status in history.values_list("member_id", "status"):
        statuses[member_id] = status  # the latest one up to that day wins
    return statuses


@transaction.atomic
def record_attendance(meeting, marks, by=None):
    """Save attendance marks {member_id: (status, reason)}; the category is fixed when first recorded."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        raise MeetingError(_("A cancelled meeting has no attendance."))
    refusal = signals.attendance_refusal(meeting)
    if refusal:
        raise MeetingError(refusal)
    if meeting.starts_at > timezone.now():
        raise MeetingError(_("Attendance can be recorded once the meeting has started."))
    day = timezone.localtime(meeting.starts_at).date()
    existing = {a.member_id: a for a in meeting.attendances.select_for_update()}
    members = {m.pk: m for m in Member.objects.filter(pk__in=marks)}
    status_that_day = statuses_on(members, day)
    changes = []
    for member_id, (status, reason) in marks.items():
        if status == Attendance.Status.EXCUSED and not reason.strip():
            raise MeetingError(
                _("Give the reason of %(name)s's absence, or mark it as without a reason.")
                % {"name": members[member_id].full_name}
            )
        reason = reason.strip() if status == Attendance.Status.EXCUSED else ""
        attendance = existing.get(member_id)
        if attendance is None:
            Attendance.objects.create(
                meeting=meeting,
                member_id=member_id,
                status=status,
                reason=reason,
                category=Attendance.category_of(members[member_id], day, status_that_day.get(member_id)),
                official=Attendance.was_official(members[member_id], day),
                recorded_by=by,
            )
            changes.append({"member": members[member_id].full_name, "from": "", "to": status})
        elif (attendance.status, attendance.reason) != (status, reason):
            changes.append({"member": members[member_id].full_name, "from": attendance.status, "to": status})
            attendance.status, attendance.reason, attendance.recorded_by = status, reason, by
            attendance.save(update_fields=["status", "reason", "recorded_by", "recorded_at"])
    if changes:
        _log(meeting, "attendance", by, changes=changes)
    meeting.attendance_recorded_at = timezone.now()
    if meeting.status in (Meeting.Status.PLANNED, Meeting.Status.CONFIRMED):
        meeting.status = Meeting.Status.HELD
    meeting.save(update_fields=["attendance_recorded_at", "status", "updated_at"])
    return meeting
