"""Annual evidence per member (domain §7): attendance, speaking, tasks; and the band it suggests.

People decide the grade; Chibo gathers the facts and says which band they point to. Exempt members are not
graded. "Exceeded" tasks (for the top band) are not recorded, so the top band is never suggested.
"""

from collections import defaultdict

from django.db.models import Count, OuterRef, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from meetings.home import Rows
from meetings.models import Attendance
from meetings.warnings import counted_absences, flagged
from members.models import Member
from minutes.models import Contribution

from .models import StudyEssay, Task

BANDS = {
    "good": _("Completed tasks well (all on time)"),
    "done": _("Completed tasks (all done, at most 20% late)"),
    "not_done": _("Did not complete tasks"),
    "none": _("No task due yet this year"),
    "exempt": _("Exempt: not graded"),
}
LATE_SHARE_ALLOWED = 0.2


def evidence(members, year, today=None):
    """{member id: figures} for the members (a queryset, in its order), in three queries whatever their number:
    the members with the minutes they spoke in and the essays they handed in, their attendance, their tasks."""
    today = today or timezone.localdate()
    spoke = Contribution.objects.filter(member=OuterRef("pk"), minutes__meeting__starts_at__year=year)
    essays = StudyEssay.objects.filter(member=OuterRef("pk"), submitted_on__year=year)
    members = list(
        members.annotate(
            times_spoke=Rows(spoke.values("minutes").distinct()), essays_handed_in=Rows(essays.values("pk"))
        )
    )
    ids = [m.pk for m in members]
    result = {m.pk: {"member": m, "year": year, "spoke": m.times_spoke, "essays": m.essays_handed_in} for m in members}
    # By member and month: the year's attendance, and the months with an absence the removal rule counts.
    attendance = (
        Attendance.objects.filter(member_id__in=ids, meeting__starts_at__year=year)
        .exclude(meeting__kind="committee")
        .values("member_id", month=ExtractMonth("meeting__starts_at"))
        .annotate(
            present=Count("pk", filter=Q(status=Attendance.Status.PRESENT)),
            late=Count("pk", filter=Q(status=Attendance.Status.LATE)),
            excused=Count("pk", filter=Q(status=Attendance.Status.EXCUSED)),
            unexcused=Count("pk", filter=Q(status=Attendance.Status.UNEXCUSED)),
            counted=Count("pk", filter=counted_absences()),
        )
        # Tuples rather than dicts: a row per member and month, hundreds for a cell.
        .values_list("member_id", "month", "present", "late", "excused", "unexcused", "counted")
    )
    absent = defaultdict(set)
    for member_id, month, *counts, counted in attendance:
        figures = result[member_id]
        for key, count in zip(("present", "late", "excused", "unexcused"), counts, strict=True):
            figures[key] = figures.get(key, 0) + count
        if counted:
            absent[member_id].add(month)
    tasks = defaultdict(list)
    assigned = Task.objects.filter(responsible_id__in=ids, deadline__year=year).exclude(resolution__status="draft")
    for task in assigned.only("responsible_id", "status", "deadline", "completed_on"):
        tasks[task.responsible_id].append(task)
    flags = flagged(absent)
    for member_id, figures in result.items():
        for key in ("present", "late", "excused", "unexcused", "spoke", "essays"):
            figures.setdefault(key, 0)
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
