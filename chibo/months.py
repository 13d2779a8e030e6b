"""Months as the first day of the month (a date), and stepping between them. Imports nothing of the apps."""

from datetime import date


def month_of(day):
    """The first day of a date's month."""
    return date(day.year, day.month, 1)


def add_months(month, count):
    """The month `count` months after (before, when negative) the month of `month`, as its first day."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first, last):
    """How many months from the month of `first` to the month of `last` (negative when `last` is earlier)."""
    return (last.year - first.year) * 12 + last.month - first.month
