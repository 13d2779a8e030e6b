"""Resolution workflows: issuing with a gapless number, and task progress with its history."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member, OrgUnit

from .models import Resolution, ResolutionCounter, Task, TaskUpdate


class ResolutionError(Exception):
    """A refused change, with a message for the user."""


@transaction.atomic
def issue(resolution, by=None, on=None, render=True):
    """Give the resolution the next number of its cell and year, and issue it.

    The counter row is locked for the length of this transaction: two issues at once are numbered one after
    the other, and an issue that fails takes its number back with it, so numbers never repeat or skip.
    """
    resolution = (
        Resolution.objects.select_for_update(of=("self",)).select_related("vote__minutes").get(pk=resolution.pk)
    )
    if resolution.status != Resolution.Status.DRAFT:
        raise ResolutionError(_("Only a draft resolution can be issued."))
    vote = resolution.vote
    if vote is None:
        raise ResolutionError(_("Choose the vote that adopted the resolution."))
    if vote.minutes.meeting_id != resolution.meeting_id:
        raise ResolutionError(_("The vote must come from this meeting's minutes."))
    if not vote.passed:
        raise ResolutionError(_("The vote did not pass: the resolution cannot be issued."))
    on = on or timezone.localdate()
    ResolutionCounter.objects.bulk_create(
        [ResolutionCounter(cell_id=resolution.cell_id, year=on.year)], ignore_conflicts=True
    )
    counter = ResolutionCounter.objects.select_for_update().get(cell_id=resolution.cell_id, year=on.year)
    counter.last += 1
    counter.save(update_fields=["last"])
    resolution.number, resolution.year = counter.last, on.year
    resolution.status, resolution.issued_on, resolution.issued_by = Resolution.Status.ISSUED, on, by
    from . import documents

    resolution.frozen = documents.snapshot(resolution)
    resolution.save(update_fields=["number", "year", "status", "issued_on", "issued_by", "frozen", "updated_at"])
    if render:
        documents.request_pdf(resolution)
    return resolution


@transaction.atomic
def report_progress(task, by, status, percent, note="", evidence=None, on=None):
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.resolution.status == Resolution.Status.DRAFT:
        raise ResolutionError(_("The resolution is not issued yet."))
    if status == Task.Status.DONE:
        percent = 100
    on = on or timezone.localdate()
    TaskUpdate.objects.create(task=task, status=status, percent=percent, note=note, evidence=evidence or "", by=by)
    task.status, task.percent = status, percent
    task.completed_on = on if status in (Task.Status.DONE, Task.Status.NOT_DONE) else None
    task.save(update_fields=["status", "percent", "completed_on"])
    return task


@transaction.atomic
def add_review(resolution, kind, held_on, conclusions, by=None):
    """Record an interim or final review; the resolution is then under review, or completed."""
    from .models import ResolutionReview

    resolution = Resolution.objects.select_for_update().get(pk=resolution.pk)
    if resolution.status in (Resolution.Status.DRAFT, Resolution.Status.COMPLETED):
        raise ResolutionError(_("Only an issued resolution still in force can be reviewed."))
    if not conclusions.strip():
        raise ResolutionError(_("Write the review's conclusions."))
    if resolution.issued_on and held_on < resolution.issued_on:
        raise ResolutionError(_("A review cannot come before the resolution was issued."))
    ResolutionReview.objects.create(resolution=resolution, kind=kind, held_on=held_on, conclusions=conclusions, by=by)
    final = kind == ResolutionReview.Kind.FINAL
    resolution.status = Resolution.Status.COMPLETED if final else Resolution.Status.UNDER_REVIEW
    resolution.save(update_fields=["status", "updated_at"])
    return resolution


@transaction.atomic
def record_study(cell, directive, held_on, attendees):
    """The cell's study session of a directive (one per directive), with who attended."""
    from .models import StudySession

    if not OrgUnit.objects.filter(pk=directive.unit_id, path__in=cell.ancestor_paths()).exists():
        raise ResolutionError(_("This directive is not for this cell."))
    session, _created = StudySession.objects.update_or_create(cell=cell, directive=directive,
                                                              defaults={"held_on": held_on})  # fmt: skip
    session.attendees.set([m for m in attendees if m.cell_id == cell.pk])
    return session


@transaction.atomic
def submit_essay(session, member, file=None, on=None):
    from .models import StudyEssay

    if member.cell_id != session.cell_id:
        raise ResolutionError(_("Only members of the cell hand in essays."))
    essay, _created = StudyEssay.objects.update_or_create(
        session=session,
        member=member,
        defaults={"submitted_on": on or timezone.localdate(), **({"file": file} if file else {})},
    )
    return essay


@transaction.atomic
def tasks_from_minutes(resolution):
    """Make a task of each assignment of the meeting's minutes that has a person and a deadline and is not a task
    of the resolution yet. Returns (the tasks made, the assignments left out, described)."""
    from minutes.models import MinutesTask

    existing = set(resolution.tasks.values_list("title", "responsible_id"))
    made, skipped = [], []
    for assignment in MinutesTask.objects.filter(minutes__meeting=resolution.meeting).select_related("member"):
        title = assignment.description.strip()[:300]
        person = assignment.member
        # As when a task is added by hand: someone active (or here on temporary activity) in the cell now, not
        # a member transferred or suspended since the meeting.
        in_cell = person is not None and person.cell_id == resolution.cell_id and person.status in (
            Member.Status.ACTIVE, Member.Status.VISITING)  # fmt: skip
        if not in_cell or assignment.deadline is None:
            skipped.append(title)
            continue
        if (title, assignment.member_id) in existing:
            continue
        made.append(Task.objects.create(resolution=resolution, title=title, responsible=assignment.member,
                                        deadline=assignment.deadline))  # fmt: skip
        existing.add((title, assignment.member_id))
    return made, skipped
