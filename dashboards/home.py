"""What the home page shows a committee's viewers and administrators (receiver of `members.signals.home_page`):
for each unit their view starts from, the cells asking for follow-up this month (the dashboard's action lists,
from its kept figures), this month's guidance, and the directives the cells are studying, with how many have
held their session."""

from django.db.models import Count, Q

from meetings.models import Guidance
from members.models import OrgUnit
from resolutions.models import Directive

from .figures import LISTS, page_figures
from .period import Period

UNITS_SHOWN = 3
CELLS_SHOWN = 5


def home_page(sender, access, member, today, **kwargs):
    units = access.top_units()[:UNITS_SHOWN]
    if not units:
        return {}
    period = Period.of("month", today.replace(day=1))
    sections = {}
    for position, unit in enumerate(units):
        data = page_figures(unit, period, today)
        lists = [
            {
                "key": item["key"],
                "label": LISTS[item["key"]],
                "rows": item["rows"][:CELLS_SHOWN],
                "count": item["count"],
            }
            for item in data["lists"]
        ]
        cells = OrgUnit.objects.subtree(unit).cells()
        # A directive of the unit, or of a unit above it, is studied by every cell below.
        directives = list(
            Directive.objects.filter(unit__path__in=unit.ancestor_paths(), study_by__gte=today)
            .annotate(studied=Count("sessions", filter=Q(sessions__cell__in=cells)))
            .order_by("study_by", "pk")[:5]
        )
        sections[f"dashboards_unit_{unit.pk}"] = {
            "order": 30 + position,
            "template": "dashboards/home_committee.html",
            "unit": unit,
            "lists": lists,
            "query": f"period=month&month={period.start:%Y-%m}",
            "guidance": list(Guidance.objects.filter(unit=unit, month=period.start).order_by("pk")[:5]),
            "directives": directives,
            "cells": data["total"]["cells"],
        }
    return sections
