"""What the summary tables watch: the model signals of meetings, attendance, minutes, contributions,
resolutions, tasks, members, the dues book and the tree note which rows a change touches (ids only, no query), for
summaries.py to refresh. `connect()` runs once, from the app's `ready()`. May import every app below."""

from django.db.models.signals import post_delete, post_init, post_save, pre_delete

from meetings.models import Attendance, Meeting, MeetingChange
from members.models import Member, OrgUnit
from members.signals import members_imported, unit_moved
from minutes.models import Contribution, Minutes

from .counting import month_of
from .summaries import batch_in_progress, flushed_on_commit, touch_cells, tree_changed, unit_left

# The values a summary row is keyed by, kept as loaded: a change of them refreshes the old row and the new.
REMEMBERED = {
    "Meeting": ("cell_id", "starts_at"),
    "Member": ("cell_id",),
    "Task": ("deadline",),
    "Resolution": ("cell_id", "issued_on"),
    "Attendance": ("member_id", "meeting_id"),
    "Contribution": ("member_id", "minutes_id"),
}


def _remember(sender, instance, **kwargs):
    # Read from __dict__: a deferred field is absent there, and reading it would cost a query per instance.
    instance._summary_key = tuple(instance.__dict__.get(name) for name in REMEMBERED[sender.__name__])


def _loaded(instance):
    return getattr(instance, "_summary_key", None) or ()


def _meeting_changed(sender, instance, **kwargs):
    batch = batch_in_progress()
    if batch is None:
        return
    batch.cells.add(instance.cell_id)
    batch.meetings.add(instance.pk)
    old_cell, old_start = _loaded(instance) or (None, None)
    for cell_id, starts_at in [(instance.cell_id, instance.starts_at), (old_cell, old_start)]:
        if cell_id and starts_at:
            batch.cells.add(cell_id)
            batch.cell_months.add((cell_id, month_of(starts_at)))
    if old_start and instance.starts_at and month_of(old_start).year != month_of(instance.starts_at).year:
        # Moved to another year: the attendees' former year is counted again too (the new one in _resolve).
        for member_id in Attendance.objects.filter(meeting_id=instance.pk).values_list("member_id", flat=True):
            batch.member_years.add((member_id, month_of(old_start).year))


def _meeting_deleting(sender, instance, **kwargs):
    batch = batch_in_progress()
    if batch is None:
        return
    month = month_of(instance.starts_at)
    batch.cells.add(instance.cell_id)
    batch.cell_months.add((instance.cell_id, month))
    for member_id in instance.attendances.values_list("member_id", flat=True):
        batch.member_years.add((member_id, month.year))
    for member_id in Contribution.objects.filter(minutes__meeting=instance).values_list("member_id", flat=True):
        batch.member_years.add((member_id, month.year))


def _attendance_changed(sender, instance, **kwargs):
    batch = batch_in_progress()
    if batch is not None:
        batch.attendees.add((instance.member_id, instance.meeting_id))
        old = _loaded(instance)
        if len(old) == 2 and all(old) and old != (instance.member_id, instance.meeting_id):
            batch.attendees.add(old)


def _minutes_changed(sender, instance, **kwargs):
    batch = batch_in_progress()
    if batch is not None:
        batch.meetings.add(instance.meeting_id)


def _minutes_deleting(sender, instance, **kwargs):
    """The contributions go with the minutes: their speakers' years, while they can still be read."""
    batch = batch_in_progress()
    if batch is None:
        return
    meeting = Meeting.objects.filter(pk=instance.meeting_id).values_list("starts_at", flat=True).first()
    if meeting:
        for member_id in instance.contributions.values_list("member_id", flat=True):
            batch.member_years.add((member_id, month_of(meeting).year))


def _contribution_changed(sender, instance, **kwargs):
    batch = batch_in_progress()
    if batch is not None:
        batch.speakers.add((instance.member_id, instance.minutes_id))
        old = _loaded(instance)
        if len(old) == 2 and all(old) and old != (instance.member_id, instance.minutes_id):
            batch.speakers.add(old)


def _meeting_change_logged(sender, instance, created, **kwargs):
    if created and instance.action == "moved":
        batch = batch_in_progress()
        if batch is not None:
            batch.meetings.add(instance.meeting_id)


def _resolution_changed(sender, instance, **kwargs):
    batch = batch_in_progress()
    if batch is None:
        return
    for cell_id, issued_on in [(instance.cell_id, instance.issued_on), _loaded(instance) or (None, None)]:
        if cell_id and issued_on:
            batch.cell_months.add((cell_id, month_of(issued_on)))
    batch.resolutions.add(instance.pk)


def _task_changed(sender, instance, **kwargs):
    batch = batch_in_progress()
    if batch is None:
        return
    old = _loaded(instance)
    batch.tasks.add((instance.pk, old[0] if old else None))


def _task_deleting(sender, instance, **kwargs):
    batch = batch_in_progress()
    if batch is not None and instance.deadline:
        cell_id = type(instance).objects.filter(pk=instance.pk).values_list("resolution__cell_id", flat=True).first()
        if cell_id:
            batch.cell_months.add((cell_id, month_of(instance.deadline)))


def _member_changed(sender, instance, **kwargs):
    batch = batch_in_progress()
    if batch is None:
        return
    batch.cells.add(instance.cell_id)
    batch.members.add(instance.pk)
    old = _loaded(instance)
    if old and old[0]:
        batch.cells.add(old[0])


def _dues_changed(sender, instance, **kwargs):
    """A line of the dues book or a month's report: that cell's month (and its arrears today)."""
    batch = batch_in_progress()
    if batch is not None and instance.cell_id and instance.month:
        batch.cell_months.add((instance.cell_id, instance.month))
        if getattr(instance, "member_id", None):  # a line (not a report): its months unpaid count toward removal
            batch.member_years.add((instance.member_id, instance.month.year))


def _dues_allocated(sender, instance, **kwargs):
    """A payment's part for a month: the dues services raise the line's paid amount without saving it."""
    batch = batch_in_progress()
    if batch is not None:
        batch.dues_entries.add(instance.entry_id)


def _dues_basis_changed(sender, instance, **kwargs):
    """An exemption or a new basis may change the amounts due of lines already opened, by an update."""
    batch = batch_in_progress()
    if batch is not None:
        since = getattr(instance, "from_month", None) or getattr(instance, "valid_from", None)
        if since:
            batch.dues_members.add((instance.member_id, since))


def _members_imported(sender, cells, **kwargs):
    touch_cells(cells)


def connect():
    from dues.models import DuesAllocation, DuesEntry, DuesExemption, DuesProfile, DuesReport
    from resolutions.models import Resolution, Task

    for model, handler in [
        (DuesAllocation, _dues_allocated),
        (DuesExemption, _dues_basis_changed),
        (DuesProfile, _dues_basis_changed),
    ]:
        post_save.connect(
            flushed_on_commit(handler), sender=model, dispatch_uid=f"summary-{model.__name__}", weak=False
        )
    for model in (DuesEntry, DuesReport):
        post_save.connect(
            flushed_on_commit(_dues_changed), sender=model, dispatch_uid=f"summary-{model.__name__}", weak=False
        )
        post_delete.connect(
            flushed_on_commit(_dues_changed), sender=model, dispatch_uid=f"summary-{model.__name__}-deleted", weak=False
        )

    for model in (Meeting, Member, Task, Resolution, Attendance, Contribution):
        post_init.connect(_remember, sender=model, dispatch_uid=f"summary-remember-{model.__name__}")
    post_save.connect(flushed_on_commit(_meeting_changed), sender=Meeting, dispatch_uid="summary-meeting", weak=False)
    pre_delete.connect(
        flushed_on_commit(_meeting_deleting), sender=Meeting, dispatch_uid="summary-meeting-delete", weak=False
    )
    post_delete.connect(
        flushed_on_commit(_meeting_changed), sender=Meeting, dispatch_uid="summary-meeting-deleted", weak=False
    )
    pre_delete.connect(
        flushed_on_commit(_minutes_deleting), sender=Minutes, dispatch_uid="summary-minutes-delete", weak=False
    )
    for model, handler in [
        (Attendance, _attendance_changed),
        (Minutes, _minutes_changed),
        (Contribution, _contribution_changed),
        (Resolution, _resolution_changed),
        (Member, _member_changed),
    ]:
        post_save.connect(
            flushed_on_commit(handler), sender=model, dispatch_uid=f"summary-{model.__name__}", weak=False
        )
        post_delete.connect(
            flushed_on_commit(handler), sender=model, dispatch_uid=f"summary-{model.__name__}-deleted", weak=False
        )
    post_save.connect(
        flushed_on_commit(_meeting_change_logged), sender=MeetingChange, dispatch_uid="summary-moved", weak=False
    )
    members_imported.connect(_members_imported, dispatch_uid="summary-members-imported")
    post_save.connect(tree_changed, sender=OrgUnit, dispatch_uid="summary-tree")
    post_delete.connect(tree_changed, sender=OrgUnit, dispatch_uid="summary-tree-deleted")
    unit_moved.connect(unit_left, dispatch_uid="summary-unit-moved")
    post_save.connect(flushed_on_commit(_task_changed), sender=Task, dispatch_uid="summary-task", weak=False)
    pre_delete.connect(flushed_on_commit(_task_deleting), sender=Task, dispatch_uid="summary-task-delete", weak=False)
    # Last, after every handler above has read them: the loaded values become the saved ones.
    for model in (Meeting, Member, Task, Resolution, Attendance, Contribution):
        post_save.connect(_remember, sender=model, dispatch_uid=f"summary-saved-{model.__name__}")
