"""Annual evidence per member (domain §7): attendance, speaking, tasks; and the band it suggests.

People decide the grade; Chibo gathers the facts and says which band they point to. Exempt members are not
graded. "Exceeded" tasks (for the top band) are not recorded, so the top band is never suggested.
"""

from collections import defaultdict
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from chibo import sql
from meetings.models import Attendance, Meeting
from meetings.warnings import counted_absence, flagged, month_windows
from members.models import Member
from minutes.models import Contribution, Minutes

from .models import Resolution, StudyEssay, Task

BANDS = {
    "good": _("Completed tasks well (all on time)"),
    "done": _("Completed tasks (all done, at most 20% late)"),
    "not_done": _("Did not complete tasks"),
    "none": _("No task due yet this year"),
    "exempt": _("Exempt: not graded"),
}
LATE_SHARE_ALLOWED = 0.2
# The counts of a member's figures, zero when nothing is found.
COUNTS = ("present", "late", "excused", "unexcused", "spoke", "essays")


def evidence(members, year, today=None):
    """{member id: figures} for the members (a queryset, in its order), in three queries whatever their number:
    the members, their attendance by month with the minutes they spoke in and the essays they handed in, their
    tasks."""
    today = today or timezone.localdate()
    members = list(members)
    result = {m.pk: {"member": m, "year": year, **dict.fromkeys(COUNTS, 0)} for m in members}
    absent = defaultdict(set)  # the months with an absence the removal rule counts
    tasks = defaultdict(list)
    if result:
        for part, member_id, month, *counts in _counts(list(result), year):
            figures = result[member_id]
            if part == "attendance":
                *counts, counted = counts
                for key, count in zip(("present", "late", "excused", "unexcused"), counts, strict=True):
                    figures[key] += count
                if counted:
                    absent[member_id].add(month)
            else:
                figures[part] = counts[0]
        for task in _tasks(list(result), year):
            tasks[task.responsible_id].append(task)
    flags = flagged(absent)
    for member_id, figures in result.items():
        own = tasks[member_id]
        figures["tasks"] = len(own)
        figures["on_time"] = sum(1 for t in own if t.status == Task.Status.DONE and not t.finished_late())
        figures["late_done"] = sum(1 for t in own if t.finished_late())
        figures["not_done"] = sum(
            1 for t in own if t.status == Task.Status.NOT_DONE or (not t.is_closed and t.deadline < today)
        )
        figures["open"] = figures["tasks"] - figures["on_time"] - figures["late_done"] - figures["not_done"]
        figures["due"] = figures["tasks"] - figures["open"]  # done, or past their deadline
        figures["removal_months"] = flags.get(member_id, [])
        figures["band"] = suggest(figures)
        figures["band_label"] = BANDS[figures["band"]]
        figures["band_reason"] = reason(figures)
    return result


def _counts(member_ids, year):
    """Rows (part, member id, month, counts…) of the members' figures for the year: "attendance", by month,
    present, late, excused, unexcused and absences the removal rule counts, at meetings of the whole cell;
    "spoke", the minutes they spoke in; "essays", the essays they handed in.

    Written out as SQL, in one query: Django took longer to build and compile the three it took than the
    database to run them (issue 17)."""
    using = Attendance.objects.db
    members = ", ".join(["%s"] * len(member_ids))
    windows, window_params = month_windows(year)
    counted, counted_params = counted_absence()
    since, until = window_params[1], window_params[-1]
    status = Attendance.Status
    meetings = Meeting._meta.db_table
    return sql.rows(
        f"""SELECT 'attendance', a.member_id, w.month,
                   SUM(CASE WHEN a.status = %s THEN 1 ELSE 0 END), SUM(CASE WHEN a.status = %s THEN 1 ELSE 0 END),
                   SUM(CASE WHEN a.status = %s THEN 1 ELSE 0 END), SUM(CASE WHEN a.status = %s THEN 1 ELSE 0 END),
                   SUM(CASE WHEN {counted} THEN 1 ELSE 0 END)
              FROM {Attendance._meta.db_table} a JOIN {meetings} m ON m.id = a.meeting_id
              JOIN ({windows}) w ON m.starts_at >= w.since AND m.starts_at < w.until
             WHERE a.member_id IN ({members}) AND m.kind <> %s AND m.starts_at >= %s AND m.starts_at < %s
             GROUP BY a.member_id, w.month
            UNION ALL
            SELECT 'spoke', c.member_id, 0, COUNT(DISTINCT c.minutes_id), 0, 0, 0, 0
              FROM {Contribution._meta.db_table} c JOIN {Minutes._meta.db_table} mi ON mi.id = c.minutes_id
              JOIN {meetings} m ON m.id = mi.meeting_id
             WHERE c.member_id IN ({members}) AND m.starts_at >= %s AND m.starts_at < %s
             GROUP BY c.member_id
            UNION ALL
            SELECT 'essays', e.member_id, 0, COUNT(*), 0, 0, 0, 0 FROM {StudyEssay._meta.db_table} e
             WHERE e.member_id IN ({members}) AND e.submitted_on >= %s AND e.submitted_on <= %s
             GROUP BY e.member_id""",
        [status.PRESENT, status.LATE, status.EXCUSED, status.UNEXCUSED, *counted_params, *window_params,
         *member_ids, Meeting.Kind.COMMITTEE, since, until,
         *member_ids, since, until,
         *member_ids, date(year, 1, 1), date(year, 12, 31)],
        using,
    )  # fmt: skip


def _tasks(member_ids, year):
    """The members' tasks with a deadline in the year, of resolutions past their draft (only what the figures
    read of them)."""
    using = Task.objects.db
    deadline, completed_on = (sql.as_read(Task._meta.get_field(name), using) for name in ("deadline", "completed_on"))
    found = sql.rows(
        f"SELECT t.id, t.responsible_id, t.status, t.deadline, t.completed_on FROM {Task._meta.db_table} t"
        f" JOIN {Resolution._meta.db_table} r ON r.id = t.resolution_id"
        f" WHERE t.responsible_id IN ({', '.join(['%s'] * len(member_ids))}) AND t.deadline >= %s"
        " AND t.deadline <= %s AND r.status <> %s",
        [*member_ids, date(year, 1, 1), date(year, 12, 31), Resolution.Status.DRAFT],
        using,
    )
    return [
        Task(
            id=pk, responsible_id=responsible_id, status=status, deadline=deadline(due), completed_on=completed_on(done)
        )
        for pk, responsible_id, status, due, done in found
    ]


def reason(figures):
    """Why the tasks point to "not completed", in the member's own figures (the committee decides, and must be
    able to check): tasks not done or overdue, or the share finished late."""
    if figures["band"] != "not_done":
        return ""
    if figures["not_done"]:
        return ngettext(
            "%(n)s task not done, or past its deadline and not finished.",
            "%(n)s tasks not done, or past their deadline and not finished.",
            figures["not_done"],
        ) % {"n": figures["not_done"]}
    return gettext("%(late)s of %(due)s tasks finished late: more than %(allowed)s%%.") % {
        "late": figures["late_done"], "due": figures["due"], "allowed": round(100 * LATE_SHARE_ALLOWED)
    }  # fmt: skip


def suggest(figures):
    """The band the tasks point to: all on time → well; all done with at most 20% late → completed;
    anything not done (or more late) → not completed. Tasks not yet due do not count yet."""
    if figures["member"].status == Member.Status.EXEMPT:
        return "exempt"
    if not figures["due"]:
        return "none"
    if figures["not_done"]:
        return "not_done"
    if figures["late_done"] == 0:
        return "good"
    return "done" if figures["late_done"] / figures["due"] <= LATE_SHARE_ALLOWED else "not_done"


def member_page(sender, member, year, can_view_private, **kwargs):
    """The year's evidence on a member's page, for the member and those who see private data (receiver of
    `members.signals.member_page`)."""
    if not can_view_private:
        return {"evidence": None}
    return {"evidence": evidence(Member.objects.filter(pk=member.pk), year)[member.pk]}
