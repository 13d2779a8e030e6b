"""Which messages are due: reminders before a meeting, nudges to members who have not replied, and the
note to the secretary the day after a meeting whose attendance is still unrecorded.

`scan` only creates message rows (each unique, so a reminder is never made twice) and returns the ones
to send; the tasks deliver them.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone

from meetings.models import Invitation, Meeting
from meetings.services import queue_messages
from members.models import Member

from . import reports
from .models import Message

# An overdue task's reminders stop this many days after its deadline: the review at the meeting follows up.
OVERDUE_DAYS = 60


def claim_timeout():
    """A message claimed by a worker that died is claimed again after this long (MESSAGE_CLAIM_TIMEOUT_SECONDS)."""
    return timedelta(seconds=settings.MESSAGE_CLAIM_TIMEOUT_SECONDS)


def at_hour(day, hour=None):
    return timezone.make_aware(datetime.combine(day, time(hour if hour is not None else settings.REMINDER_HOUR)))


def still_expected(member, meeting):
    """Expected now: still in the meeting's cell, on the roll, neither exempt, away nor suspended."""
    return member.cell_id == meeting.cell_id and member.status in (Member.Status.ACTIVE, Member.Status.VISITING)


def is_due(due_at, meeting, now):
    """Due, and not already overtaken by the invitation itself (a meeting confirmed at short notice)."""
    return due_at <= now and (meeting.invited_at is None or meeting.invited_at <= due_at)


def scan(now=None):
    """Create the messages due at `now` and return the ids of every message waiting to be sent."""
    now = now or timezone.now()
    horizon = now + timedelta(days=max([*settings.REMINDER_DAYS_BEFORE, settings.NUDGE_DAYS_BEFORE]) + 1)
    upcoming = Meeting.objects.filter(status=Meeting.Status.CONFIRMED, starts_at__gt=now, starts_at__lte=horizon)
    for meeting in upcoming.prefetch_related("invitations__member"):
        day = timezone.localtime(meeting.starts_at).date()
        expected = [i for i in meeting.invitations.all() if still_expected(i.member, meeting)]
        for days in settings.REMINDER_DAYS_BEFORE:
            if is_due(at_hour(day - timedelta(days=days)), meeting, now):
                # Keyed by the meeting's day too: after a move, the new day gets its own reminders.
                queue_messages(meeting, [i.member_id for i in expected], Message.Kind.REMINDER, f"{days}d:{day}")
        if is_due(at_hour(day - timedelta(days=settings.NUDGE_DAYS_BEFORE)), meeting, now):
            silent = [i.member_id for i in expected if i.reply == Invitation.Reply.NONE]
            queue_messages(meeting, silent, Message.Kind.NUDGE, str(day))
    _attendance_notes(now)
    _task_reminders(now)
    _temporary_activity_endings(now)
    reports.apply_early()  # reports that came before their delivery was written
    reports.overdue_reports(now)  # no delivery report in time: on to the next channel
    # A message whose sending kept failing in a way no retry caught (a killed worker): shown as failed.
    Message.objects.filter(
        status=Message.Status.SENDING,
        claimed_at__lt=now - claim_timeout(),
        attempts__gte=settings.MESSAGE_MAX_ATTEMPTS,
    ).update(status=Message.Status.FAILED, last_error="gave up after repeated interrupted attempts")
    return list(
        Message.objects.filter(
            Q(status=Message.Status.PENDING, next_attempt_at__isnull=True)
            | Q(status=Message.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=Message.Status.SENDING, claimed_at__lt=now - claim_timeout())
        ).values_list("pk", flat=True)
    )


def _attendance_notes(now):
    """The day after a meeting (from the reminder hour), remind the secretary to record attendance."""
    today = timezone.localtime(now).date()
    if now < at_hour(today):
        today -= timedelta(days=1)
    ended_before = timezone.make_aware(datetime.combine(today, time.min))
    unrecorded = Meeting.objects.filter(
        status=Meeting.Status.CONFIRMED,
        attendance_recorded_at__isnull=True,
        starts_at__lt=ended_before,
        starts_at__gte=ended_before - timedelta(days=7),
    )
    for meeting in unrecorded:
        secretary = cell_secretary(meeting.cell_id)
        if secretary:
            queue_messages(meeting, [secretary.pk], Message.Kind.ATTENDANCE_MISSING)


def _task_reminders(now):
    """Tasks of issued resolutions: a reminder before the deadline, and once overdue a notice to the person
    responsible and to the secretary. Keyed by the deadline, so a new deadline brings new reminders."""
    from resolutions.models import Resolution, Task

    today = timezone.localdate(now)
    if now < at_hour(today):
        return
    open_tasks = (
        Task.objects.exclude(status__in=[Task.Status.DONE, Task.Status.NOT_DONE])
        .exclude(resolution__status__in=[Resolution.Status.DRAFT, Resolution.Status.COMPLETED])
        .exclude(responsible__status=Member.Status.TRANSFERRED)
        # Overdue for more than two months: the secretary has been told; the review at the meeting follows up.
        .filter(
            deadline__lte=today + timedelta(days=settings.TASK_REMINDER_DAYS_BEFORE),
            deadline__gte=today - timedelta(days=OVERDUE_DAYS),
        )
        .select_related("resolution__cell", "responsible")
    )
    for task in open_tasks:
        if task.deadline >= today:
            queue_messages(task, [task.responsible_id], Message.Kind.TASK_DUE, str(task.deadline))
            continue
        queue_messages(task, [task.responsible_id], Message.Kind.TASK_OVERDUE, str(task.deadline))
        secretary = cell_secretary(task.resolution.cell_id)
        if secretary:
            queue_messages(task, [secretary.pk], Message.Kind.TASK_OVERDUE_SECRETARY, str(task.deadline))


def cell_secretary(cell_id):
    """Who runs the cell's paperwork: its active secretary, else a deputy."""
    return (
        Member.objects.filter(cell_id=cell_id, status=Member.Status.ACTIVE)
        .filter(position__in=[Member.Position.SECRETARY, Member.Position.DEPUTY])
        .order_by("-position")  # "secretary" sorts after "deputy"
        .first()
    )


def _temporary_activity_endings(now):
    """TRANSFER_END_REMINDER_DAYS before a member's temporary activity (away or here) ends, the cell's secretary
    is told once, by their own channels. Keyed by the end, so a new end brings a new reminder."""
    today = timezone.localdate(now)
    if now < at_hour(today):
        return
    # Those whose secretary was told of this end already are left out: one query when nothing is new.
    told = Message.objects.filter(
        about_member=OuterRef("pk"),
        kind=Message.Kind.TEMPORARY_ENDING,
        key=Cast(OuterRef("temporary_until"), CharField()),
    )
    ending = Member.objects.filter(
        status__in=[Member.Status.AWAY, Member.Status.VISITING],
        temporary_until__gte=today,
        temporary_until__lte=today + timedelta(days=settings.TRANSFER_END_REMINDER_DAYS),
    ).exclude(Exists(told))
    secretaries = {}
    for member in ending.order_by("pk"):
        if member.cell_id not in secretaries:
            secretaries[member.cell_id] = cell_secretary(member.cell_id)
        secretary = secretaries[member.cell_id]
        if secretary is not None and secretary.pk != member.pk:
            queue_messages(member, [secretary.pk], Message.Kind.TEMPORARY_ENDING, str(member.temporary_until))


def temporary_ending_still_due(message):
    """Still away or here with the same end, and the addressee still runs the cell."""
    about = message.about_member
    same = about.status in (Member.Status.AWAY, Member.Status.VISITING) and str(about.temporary_until) == message.key
    addressee = message.member
    runs_cell = addressee.cell_id == about.cell_id and addressee.status == Member.Status.ACTIVE
    return same and runs_cell
