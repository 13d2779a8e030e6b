"""The member list's rows, written in Python like the evidence's and the dashboards' long tables: a cell has
dozens of members with a dozen values each, and the template engine costs a few microseconds per value."""

from html import escape  # the standard library's: Django's wraps it for lazy strings, at a cost per call

from django import template
from django.utils.dateformat import format as date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from chibo.templatetags.links import pk_url

register = template.Library()


@register.simple_tag
def member_rows(members, can_view_private):
    """One <tr> per member: name (a link to their page, with the flags), category, position, status (and when a
    temporary status ends), and the phone for those who see private data."""
    # Outside the f-strings: makemessages reads them.
    absent = escape(gettext("3 months absent without a reason"))
    unpaid = escape(gettext("3 months of dues unpaid without a reason"))
    review = escape(gettext("Review for official status"))
    out = []
    for m in members:
        badges = "".join(
            f' <span class="badge text-bg-{tone}">{label}</span>'
            for shown, tone, label in (
                (m.removal_months, "danger", absent),
                (m.dues_removal_months, "danger", unpaid),
                (m.probation_review_due(), "warning", review),
            )
            if shown
        )
        position = escape(str(m.get_position_display())) if m.position != "member" else ""
        status = escape(str(m.get_status_display()))
        if m.status == "active":
            status = f'<span class="text-muted">{status}</span>'
        if m.temporary_until:
            ends = escape(gettext("ends %(date)s") % {"date": date_format(m.temporary_until, "d/m/Y")})
            status += f' <span class="small text-muted" data-until>({ends})</span>'
        phone = ""
        if can_view_private:
            if m.phone:
                phone = f'<a href="tel:{escape(m.phone)}">{escape(str(m.phone_shown))}</a>'
            phone = f"<td>{phone}</td>"
        out.append(
            f'<tr><td><a href="{pk_url("members:detail", m.pk)}" class="fw-semibold">{escape(m.full_name)}</a>'
            f"{badges}</td><td>{escape(str(m.category_label))}</td><td>{position}</td><td>{status}</td>{phone}</tr>"
        )
    return mark_safe("\n".join(out))  # every value above is escaped
