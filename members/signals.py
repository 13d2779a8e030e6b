"""What members tell (and ask) the apps built on them, so that members never imports those apps: writes that
send no model signal, and what the members' pages show of the other apps."""

from django.dispatch import Signal

from chibo import pages

# Members written with bulk_create (an import): `cells` are the ids of the cells whose rolls changed.
members_imported = Signal()

# A unit placed below another parent, sent inside the save's transaction: `unit`, `old_parent_id`.
unit_moved = Signal()

# Asked what a unit's page shows of the apps built on members. Arguments: cells ({pk: cell} of the cells
# under the unit), today. Each receiver returns a dict merged into the page's context (meetings:
# "cell_warnings", the months and quarters without a meeting).
unit_page = Signal()

# Asked what a cell's member list shows. Arguments: cell, year. Each receiver returns a dict (meetings:
# "removal_months", {member pk: months absent} for the members the rules say to consider removing).
member_list_page = Signal()

# Asked what a member's page shows. Arguments: member, year, can_view_private. Each receiver returns a dict
# (meetings: "removal_months"; resolutions: "evidence", the year's evidence, for those who see private data).
member_page = Signal()


# Asked what the home page shows, built from what is waiting. Arguments: access (the user's
# `access.for_user`), member (theirs, or None), today. Each receiver returns {name: section}, a section being
# a dict with "order" (where it goes), "template" (what draws it) and its own data; the home draws them in
# order (meetings: the member's next meeting and the month's path for those who run the cell; resolutions:
# open tasks and study essays; dashboards: the cells a committee should follow up).
home_page = Signal()


def home_sections(access, member, today):
    """The sections the apps add to the home page, in order."""
    sections = []
    for _receiver, answer in home_page.send(sender=None, access=access, member=member, today=today):
        sections.extend((answer or {}).values())
    return sorted(sections, key=lambda section: section["order"])


def extras(signal, **kwargs):
    """The context the apps built on members add to one of its pages."""
    return pages.extras(signal, None, **kwargs)
