"""What the home page shows a committee's viewers and administrators (receiver of `members.signals.home_page`):
for each unit their view starts from, the cells asking for follow-up this month (the dashboard's action lists,
kept for the home), this month's guidance, and the directives the cells are studying, with how many have held
their session."""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q

from meetings.models import Guidance
from members.models import OrgUnit
from resolutions.models import Directive

from .figures import FIGURE_SETTINGS, LISTS, page_figures
from .period import Period

UNITS_SHOWN = 3
CELLS_SHOWN = 5
HOME_FIGURES_VERSION = 1


def follow_up(unit, period, today):
    """The unit's cells to follow up as the home shows them: the dashboard's action lists cut to CELLS_SHOWN,
    and how many cells there are below.

    Kept in the cache for DASHBOARD_CACHE_SECONDS whatever changes below, unlike the dashboard's own figures:
    those give way to any change in a cell below, which in a province of thousands of cells is every few
    seconds on a meeting evening, and counting them again at each visit of the home would cost ten times the
    page (issue 17). The dashboard, one click away, shows a change at once."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    key = ":".join(
        map(str, ["dashboard-home", HOME_FIGURES_VERSION, unit.pk, period.start, today,
                  *[getattr(settings, name) for name in FIGURE_SETTINGS]])
    )  # fmt: skip
    kept = cache.get(key) if seconds else None
    if kept is None:
        data = page_figures(unit, period, today)
        kept = {
            "lists": [(item["key"], item["rows"][:CELLS_SHOWN], item["count"]) for item in data["lists"]],
            "cells": data["total"]["cells"],
        }
        if seconds:
            cache.set(key, kept, seconds)
    return kept


def home_page(sender, access, member, today, **kwargs):
    units = access.top_units()[:UNITS_SHOWN]
    if not units:
        return {}
    period = Period.of("month", today.replace(day=1))
    sections = {}
    for position, unit in enumerate(units):
        data = follow_up(unit, period, today)
        lists = [{"key": key, "label": LISTS[key], "rows": rows, "count": count} for key, rows, count in data["lists"]]
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
            "cells": data["cells"],
        }
    return sections
