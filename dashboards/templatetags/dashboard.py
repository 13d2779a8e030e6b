"""Figures on the dashboards: percentages and counts that may be missing (nothing to count yet)."""

import functools
from html import escape  # the standard library's: Django's wraps it for lazy strings, at a cost per call

from django import template
from django.utils.formats import get_format, number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from dashboards.figures import CHILD_COLUMNS

register = template.Library()


def _percent(value, separator):
    return f"{value:.1f}".replace(".", separator) + " %"


@register.filter
def pct(value):
    """85.3 → "85,3 %" in Vietnamese; None (nothing to divide) → "—"."""
    if value is None:
        return "—"
    return _percent(value, get_format("DECIMAL_SEPARATOR"))


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
                text = _percent(value, separator)
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
    from django.core.exceptions import ObjectDoesNotExist
    from django.utils import timezone

    from chibo.templatetags.links import pk_url
    from meetings.models import Meeting
    from minutes.models import Minutes

    no_minutes = escape(gettext("No minutes yet"))  # outside the f-string: makemessages does not look inside them
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
            shown = f'<span class="text-danger">{no_minutes}</span>'
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
    from chibo.templatetags.links import pk_url

    # gettext outside the f-strings: makemessages does not look inside them.
    flagged_label, rarely_label = escape(gettext("Flagged for removal")), escape(gettext("Rarely speaks"))
    flagged = f'<span class="badge text-bg-danger">{flagged_label}</span>'
    rarely = f'<span class="badge text-bg-warning">{rarely_label}</span>'
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


# The lists of cells on a dashboard (nine "weakest" lists of ten, five lists asking for action), written in Python
# like the rows above: in the template they cost a commune's page 5 ms.


@register.simple_tag
def weakest_rows(item, query):
    """The items of one list of the weakest cells on a measure: each cell's link and its figure."""
    if not item["rows"]:
        none = escape(gettext("None."))  # outside the f-string: makemessages does not look inside them
        return mark_safe(f'<li class="list-unstyled text-muted">{none}</li>')
    separator = get_format("DECIMAL_SEPARATOR")
    link = _dashboard_link() + "?" + escape(query)
    figure, is_rate = item["figure"], item["figure"].endswith("rate")
    out = []
    for row in item["rows"]:
        value = row[figure]
        text = "—" if value is None else _percent(value, separator) if is_rate else str(value)
        out.append(f'<li><a href="{link.format(pk=row["pk"])}">{escape(row["name"])}</a> '
                   f'<span class="float-end">{text}</span></li>')  # fmt: skip
    return mark_safe("".join(out))  # every value above is escaped or a number


@register.simple_tag
def action_rows(rows, key, query):
    """The items of one list asking for action: each cell's link, the unit above it, and for missed meetings
    and unapproved minutes how many."""
    if not rows:
        none = escape(gettext("None."))  # outside the f-string: makemessages does not look inside them
        return mark_safe(f'<li class="text-muted">{none}</li>')
    link = _dashboard_link() + "?" + escape(query)
    out = []
    for row in rows:
        under = f' <span class="text-muted">· {escape(row["under"])}</span>' if row["under"] else ""
        overdue = unapproved = ""
        if key == "overdue":
            missed = row["missed_months"]
            months = ngettext("%(n)s month missed", "%(n)s months missed", missed) % {"n": missed} if missed else ""
            late = " " + gettext("meeting overdue") if row["late_meeting"] else ""
            overdue = f'<span class="text-muted">— {escape(months)}{escape(late)}</span>'
        elif key == "unapproved":
            unapproved = f'<span class="text-muted">— {row["minutes_unapproved"]}</span>'
        out.append(f'<li><a href="{link.format(pk=row["pk"])}">{escape(row["name"])}</a>{under}\n'
                   f"        {overdue}\n        {unapproved}\n      </li>")  # fmt: skip
    return mark_safe("".join(out))  # every value above is escaped or a number
