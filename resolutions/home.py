"""What the home page shows of resolutions.

- For a member (receiver of `members.signals.home_page`): their open tasks with a "Report" link, and the study
  essays they owe.
- On the month's path of those who run the cell (receiver of `meetings.signals.month_path`, counted with the
  month's meetings through `month_path_counts`): the meeting's resolution issued, and the cell's tasks due this
  week and overdue.
"""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from meetings.home import step

from .models import Resolution, StudySession, Task

TASKS_SHOWN = 10
DUE_SOON_DAYS = 7


IN_FORCE = [Resolution.Status.ISSUED, Resolution.Status.UNDER_REVIEW]
CLOSED = [Task.Status.DONE, Task.Status.NOT_DONE]


def in_force():
    return Q(resolution__status__in=IN_FORCE)


def open_tasks():
    return Task.objects.filter(in_force()).exclude(status__in=CLOSED)


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
    resolutions = Resolution._meta.db_table
    # The meeting's resolutions in their order (`Resolution.Meta.ordering`): the first issued one, else the
    # first of all (a draft).
    first = (f"SELECT r.id FROM {resolutions} r WHERE r.meeting_id = m.id{{}}"
             " ORDER BY r.year DESC, r.number DESC, r.id DESC LIMIT 1")  # fmt: skip
    # The cell's open tasks (`open_tasks`).
    tasks = (
        f"SELECT COUNT(*) FROM {Task._meta.db_table} t JOIN {resolutions} r ON r.id = t.resolution_id"
        " WHERE r.cell_id = m.cell_id AND r.status IN (%s, %s) AND t.status NOT IN (%s, %s) AND "
    )
    statuses, soon = [*IN_FORCE, *CLOSED], today + timedelta(days=DUE_SOON_DAYS)
    return {
        "resolution_issued": (first.format(" AND r.status <> %s"), [Resolution.Status.DRAFT]),
        "resolution_first": (first.format(""), []),
        "tasks_overdue": (tasks + "t.deadline < %s", [*statuses, today]),
        "tasks_soon": (tasks + "t.deadline >= %s AND t.deadline <= %s", [*statuses, today, soon]),
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
