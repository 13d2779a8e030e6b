"""The annual evidence's table, written in Python like the dashboards' long tables: a cell has dozens of members
with twelve values each, and the template engine costs a few microseconds per value (about 2 ms of the page)."""

from html import escape  # the standard library's: Django's wraps it for lazy strings, at a cost per call

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from chibo.templatetags.links import pk_url

register = template.Library()

# The whole numbers of a row, in the order of the table's columns.
COUNTS = ("present", "late", "excused", "unexcused", "spoke", "essays", "tasks", "on_time", "late_done", "not_done")


@register.simple_tag
def evidence_rows(rows):
    """One <tr> per member: name (a link to their page, with the removal flag), the counts, the band."""
    flag = escape(gettext("3 months absent without a reason"))  # outside the f-string: makemessages reads it
    out = []
    for row in rows:
        member = row["member"]
        badge = f' <span class="badge text-bg-danger">{flag}</span>' if row["removal_months"] else ""
        counts = "".join(f'<td class="text-end">{int(row[key])}</td>' for key in COUNTS)
        reason = row["band_reason"]
        why = f'<div class="small text-body-secondary">{escape(str(reason))}</div>' if reason else ""
        out.append(
            f'<tr data-member="{int(member.pk)}"><td><a href="{pk_url("members:detail", member.pk)}">'
            f"{escape(str(member))}</a>{badge}</td>{counts}<td>{escape(str(row['band_label']))}{why}</td></tr>"
        )
    return mark_safe("\n".join(out))  # every value above is escaped or a number
