"""The follow-up loop: a regular meeting reviews how the previous resolution's tasks were carried out."""

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Resolution, Task


def previous_resolution(meeting):
    """The latest monthly resolution issued at an earlier meeting of the same cell, or None."""
    return (
        Resolution.objects.exclude(status=Resolution.Status.DRAFT)
        .filter(cell_id=meeting.cell_id, meeting__starts_at__lt=meeting.starts_at, kind=Resolution.Kind.REGULAR)
        .order_by("-meeting__starts_at", "-number")
        .first()
    )


def review(meeting):
    """{resolution, rows: [{task, state, label, note}], counts} for a regular meeting, or None."""
    if meeting.kind != "regular":
        return None
    resolution = previous_resolution(meeting)
    if resolution is None:
        return None
    day = timezone.localtime(meeting.starts_at).date()
    rows, counts = [], {"on_time": 0, "late": 0, "not_done": 0, "open": 0}
    tasks = resolution.tasks.select_related("responsible").prefetch_related("updates")
    for task in tasks:
        last = next(iter(task.updates.all()), None)
        if task.status == Task.Status.DONE:
            state = "late" if task.finished_late() else "on_time"
        elif task.status == Task.Status.NOT_DONE or task.deadline < day:
            state = "not_done"
        else:
            state = "open"
        counts[state] += 1
        rows.append({"task": task, "state": state, "label": LABELS[state](), "note": last.note if last else ""})
    return {"resolution": resolution, "rows": rows, "counts": counts}


LABELS = {
    "on_time": lambda: _("done on time"),
    "late": lambda: _("done late"),
    "not_done": lambda: _("not done"),
    "open": lambda: _("under way"),
}


def review_text(meeting):
    """The review as plain text, for the minutes."""
    data = review(meeting)
    if data is None:
        return ""
    lines = [_("Review of resolution %(code)s:") % {"code": data["resolution"].code}]
    for row in data["rows"]:
        task = row["task"]
        note = f" ({row['note']})" if row["note"] else ""
        lines.append(f"- {task.title} — {task.responsible}: {row['label']}{note}")
    return "\n".join(lines)


def carry_into_minutes(sender, meeting, sections, **kwargs):
    """New minutes start their political-tasks block (the second section) from the review of the previous
    resolution (HD 12): receiver of `minutes.signals.sections_drafted`."""
    carried = review_text(meeting)
    if carried and len(sections) > 1:
        sections[1].text = carried


def meeting_page(sender, meeting, **kwargs):
    """What a meeting's page shows of the previous resolution: receiver of `meetings.signals.page_extras`."""
    return {"review": review(meeting)}
