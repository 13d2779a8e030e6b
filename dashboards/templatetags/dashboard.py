"""Figures on the dashboards: percentages and counts that may be missing (nothing to count yet)."""

import functools

from django import template
from django.utils.formats import get_format, number_format

register = template.Library()


@register.filter
def pct(value):
    """85.3 → "85,3 %" in Vietnamese; None (nothing to divide) → "—"."""
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", get_format("DECIMAL_SEPARATOR")) + " %"


@register.filter
def figure(value):
    if value is None:
        return "—"
    return number_format(value, 1) if isinstance(value, float) else value


@register.filter
def vnd(value):
    """An amount of money in đồng with the thousands separated as Vietnamese write them: 1.250.000."""
    if value is None:
        return "—"
    return f"{int(value):,}".replace(",", ".")


@register.filter
def get(row, key):
    return row.get(key) if hasattr(row, "get") else None


@register.filter
def grade(key):
    """A quality grade's name (Tốt, Khá, Trung bình, Kém)."""
    from minutes.quality_sheet import GRADES

    return dict(GRADES).get(key, "")


# The columns of the table of units below a dashboard's unit: (figure, shown as a percentage?).
CHILD_COLUMNS = [
    ("cells", False), ("regular_rate", True), ("thematic_rate", True), ("attendance_rate", True),
    ("unexcused", False), ("minutes_rate", True), ("good_fair_rate", True), ("tasks_on_time_rate", True),
    ("flagged", False), ("dues_rate", True),
]  # fmt: skip
PLACEHOLDER = 987654321


def _dashboard_link():
    """The dashboard URL with a {pk} slot: reversing it once per row costs more than the row."""
    from django.urls import get_script_prefix

    return _link_for_prefix(get_script_prefix())


@functools.lru_cache(maxsize=8)
def _link_for_prefix(prefix):
    from django.urls import reverse

    return reverse("meetings:dashboard", args=[PLACEHOLDER]).replace(str(PLACEHOLDER), "{pk}")


@register.simple_tag
def dashboard_url(pk, query=""):
    """The dashboard of unit `pk` for the same period (`query`); the template escapes it."""
    return _dashboard_link().format(pk=int(pk)) + ("?" + query if query else "")


@register.simple_tag
def child_rows(rows, query):
    """The rows of the "units below" table, written in Python: a commune can have hundreds of cells, and the
    template engine costs a few microseconds per value (a 300-cell commune's page took 25 ms more)."""
    from html import escape  # the standard library's: Django's wraps it for lazy strings, at a cost per call

    from django.utils.safestring import mark_safe

    separator = get_format("DECIMAL_SEPARATOR")
    link = _dashboard_link() + "?" + escape(query)
    out = []
    for row in rows:
        cells = []
        for key, is_rate in CHILD_COLUMNS:
            value = row[key]
            if value is None:
                text = "—"
            elif is_rate:
                text = f"{value:.1f}".replace(".", separator) + " %"
            else:
                text = str(value)
            cells.append(f'<td class="text-end">{text}</td>')
        name = escape(row["name"])
        out.append(f'<tr><td><a href="{link.format(pk=row["pk"])}">{name}</a></td>{"".join(cells)}</tr>')
    return mark_safe("\n".join(out))  # every value above is escaped or a number


@register.simple_tag
def meeting_rows(meetings):
    """The rows of a cell's meetings table, written in Python like `child_rows`: with their labels, title and
    two links, the template engine took about a millisecond a row, and a year has a dozen meetings or more."""
    from html import escape

    from django.core.exceptions import ObjectDoesNotExist
    from django.utils import timezone
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext

    from chibo.templatetags.links import pk_url
    from meetings.models import Meeting
    from minutes.models import Minutes

    out = []
    for meeting in meetings:
        held = meeting.status == Meeting.Status.HELD
        try:
            minutes = meeting.minutes
        except ObjectDoesNotExist:
            minutes = None
        if minutes is not None:
            label = escape(str(Minutes.Status(minutes.status).label))
            shown = f'<a href="{pk_url("meetings:minutes", meeting.pk)}">{label}</a>'
            if minutes.quality_grade:
                shown += f" · {escape(str(grade(minutes.quality_grade)))}"
        elif held:
            shown = f'<span class="text-danger">{escape(gettext("No minutes yet"))}</span>'
        else:
            shown = ""
        out.append(
            f"<tr><td>{timezone.localtime(meeting.starts_at):%d/%m/%Y}</td>"
            f'<td><a href="{pk_url("meetings:detail", meeting.pk)}">{escape(str(meeting.display_title))}</a></td>'
            f"<td>{escape(str(Meeting.Status(meeting.status).label))}</td>"
            f'<td class="text-end">{f"{meeting.present}/{meeting.base}" if held else ""}</td>'
            f'<td class="text-end">{meeting.unexcused if held else ""}</td><td>{shown}</td></tr>'
        )
    return mark_safe("\n".join(out))  # every value above is escaped, a number or a link of ours


@register.simple_tag
def member_rows(rows):
    """The rows of a cell's members table (`figures.member_rows`), written in Python like `meeting_rows`."""
    from html import escape

    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext

    from chibo.templatetags.links import pk_url

    flagged = f'<span class="badge text-bg-danger">{escape(gettext("Flagged for removal"))}</span>'
    rarely = f'<span class="badge text-bg-warning">{escape(gettext("Rarely speaks"))}</span>'
    out = []
    for row in rows:
        member = row["member"]
        out.append(
            f'<tr><td><a href="{pk_url("members:detail", member.pk)}">{escape(member.full_name)}</a></td>'
            f'<td class="text-end">{row["attended"]}/{row["convened"]}</td>'
            f'<td class="text-end">{row["spoke"]}</td><td class="text-end">{row["unexcused"]}</td>'
            f"<td>{flagged if row['flagged'] else ''} {rarely if row['rarely'] else ''}</td></tr>"
        )
    return mark_safe("\n".join(out))  # every value above is escaped, a number or a link of ours
