"""What the home page shows of resolutions.

- For a member (receiver of `members.signals.home_page`): their open tasks with a "Report" link, and the study
  essays they owe.
- On the month's path of those who run the cell (receiver of `meetings.signals.month_path`, counted with the
  month's meetings through `month_path_counts`): the meeting's resolution issued, and the cell's tasks due this
  week and overdue.
"""

from datetime import timedelta

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from meetings.home import Rows, step

from .models import Resolution, StudySession, Task

TASKS_SHOWN = 10
DUE_SOON_DAYS = 7


def in_force():
    return Q(resolution__status__in=[Resolution.Status.ISSUED, Resolution.Status.UNDER_REVIEW])


def open_tasks():
    return Task.objects.filter(in_force()).exclude(status__in=[Task.Status.DONE, Task.Status.NOT_DONE])


def home_page(sender, access, member, today, **kwargs):
    if member is None:
        return {}
    # The tasks of their present cell (a member transferred since reports to their new cell).
    mine = open_tasks().filter(responsible=member, resolution__cell=member.cell_id)
    tasks = list(mine.order_by("deadline", "pk")[:TASKS_SHOWN])
    for task in tasks:
        task.overdue = task.is_overdue(today)
    essays = list(
        StudySession.objects.filter(cell=member.cell_id, attendees=member)
        .exclude(essays__member=member)
        .select_related("directive")
        .order_by("held_on")[:5]
    )
    if not tasks and not essays:
        return {}
    return {"resolutions_member": {"order": 20, "template": "resolutions/home_member.html", "tasks": tasks,
                                   "essays": essays, "cell": member.cell}}  # fmt: skip


def month_path_counts(sender, today, **kwargs):
    # The meeting's resolutions in their order: the first issued one, else the first of all (a draft).
    resolutions = Resolution.objects.filter(meeting=OuterRef("pk")).values("pk")
    tasks = open_tasks().filter(resolution__cell=OuterRef("cell_id")).values("pk")
    return {
        "resolution_issued": Subquery(resolutions.exclude(status=Resolution.Status.DRAFT)[:1]),
        "resolution_first": Subquery(resolutions[:1]),
        "tasks_overdue": Rows(tasks.filter(deadline__lt=today)),
        "tasks_soon": Rows(tasks.filter(deadline__gte=today, deadline__lte=today + timedelta(days=DUE_SOON_DAYS))),
    }


def month_path(sender, meeting, today, **kwargs):
    resolution = meeting.resolution_issued
    draft = None if resolution else meeting.resolution_first
    if resolution:
        url = reverse("resolutions:detail", args=[resolution])
    elif draft:
        url = reverse("resolutions:detail", args=[draft])
    else:
        url = reverse("resolutions:create", args=[meeting.pk])
    counts = {"overdue": meeting.tasks_overdue, "soon": meeting.tasks_soon}
    return [
        step(
            _("Resolution issued"),
            resolution is not None,
            url,
            _("Draft") if draft else "",
            late=today > meeting.starts_at.date() + timedelta(days=7),
        ),
        step(
            _("Tasks followed up"),
            counts["overdue"] == 0,
            reverse("resolutions:list", args=[meeting.cell_id]),
            _("%(overdue)s overdue, %(soon)s due within a week") % counts,
            late=counts["overdue"] > 0,
        ),
    ]
