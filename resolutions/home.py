"""What the home page shows of resolutions.

- For a member (receiver of `members.signals.home_page`): their open tasks with a "Report" link, and the study
  essays they owe.
- On the month's path of those who run the cell (receiver of `meetings.signals.month_path`, counted with the
  month's meetings through `month_path_counts`): the meeting's resolution issued, and the cell's tasks due this
  week and overdue.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils.translation import gettext as _

from meetings.home import step

from .models import Directive, Resolution, StudyEssay, StudySession, Task

TASKS_SHOWN = 10
DUE_SOON_DAYS = 7


IN_FORCE = [Resolution.Status.ISSUED, Resolution.Status.UNDER_REVIEW]
CLOSED = [Task.Status.DONE, Task.Status.NOT_DONE]
# The open tasks `t` of resolutions `r` in force, in SQL (a condition follows its "AND") with its parameters.
OPEN_TASKS = (
    f"FROM {Task._meta.db_table} t JOIN {Resolution._meta.db_table} r ON r.id = t.resolution_id"
    " WHERE r.status IN (%s, %s) AND t.status NOT IN (%s, %s) AND "
)
OPEN_TASKS_PARAMS = [*IN_FORCE, *CLOSED]


def home_page(sender, access, member, today, **kwargs):
    """Written out as SQL, as the month's path is (`meetings.home.month_meetings`): Django took three times
    longer to build and compile the two queries than PostgreSQL to run them (issue 17)."""
    if member is None:
        return {}
    # The tasks of their present cell (a member transferred since reports to their new cell).
    tasks = list(
        Task.objects.raw(
            f"SELECT t.id, t.title, t.deadline, t.percent, t.status {OPEN_TASKS}"
            "t.responsible_id = %s AND r.cell_id = %s ORDER BY t.deadline, t.id LIMIT %s",
            [*OPEN_TASKS_PARAMS, member.pk, member.cell_id, TASKS_SHOWN],
        )
    )
    for task in tasks:
        task.overdue = task.is_overdue(today)
    # The sessions they attended and owe an essay for.
    essays = list(
        StudySession.objects.raw(
            f"SELECT s.id, s.held_on, d.title AS directive_title FROM {StudySession._meta.db_table} s"
            f" JOIN {Directive._meta.db_table} d ON d.id = s.directive_id"
            f" JOIN {StudySession.attendees.through._meta.db_table} a ON a.studysession_id = s.id"
            f" WHERE s.cell_id = %s AND a.member_id = %s AND NOT EXISTS"
            f" (SELECT 1 FROM {StudyEssay._meta.db_table} e WHERE e.session_id = s.id AND e.member_id = %s)"
            " ORDER BY s.held_on, s.id LIMIT 5",
            [member.cell_id, member.pk, member.pk],
        )
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
    # The cell's open tasks.
    tasks, soon = f"SELECT COUNT(*) {OPEN_TASKS}r.cell_id = m.cell_id AND ", today + timedelta(days=DUE_SOON_DAYS)
    return {
        "resolution_issued": (first.format(" AND r.status <> %s"), [Resolution.Status.DRAFT]),
        "resolution_first": (first.format(""), []),
        "tasks_overdue": (tasks + "t.deadline < %s", [*OPEN_TASKS_PARAMS, today]),
        "tasks_soon": (tasks + "t.deadline >= %s AND t.deadline <= %s", [*OPEN_TASKS_PARAMS, today, soon]),
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
