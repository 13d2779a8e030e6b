"""Figures on the dashboards: percentages and counts that may be missing (nothing to count yet)."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def pct(value):
    """85.3 → "85,3 %" in Vietnamese; None (nothing to divide) → "—"."""
    if value is None:
        return "—"
    return f"{number_format(value, 1)} %"


@register.filter
def figure(value):
    if value is None:
        return "—"
    return number_format(value, 1) if isinstance(value, float) else value


@register.filter
def get(row, key):
    return row.get(key) if hasattr(row, "get") else None


@register.filter
def grade(key):
    """A quality grade's name (Tốt, Khá, Trung bình, Kém)."""
    from meetings.quality import GRADES

    return dict(GRADES).get(key, "")
