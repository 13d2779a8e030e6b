"""Working days (ngày làm việc) for the limits counted in them (transfers, domain §8): Monday to Friday, less
Vietnam's public holidays as listed in the setting PUBLIC_HOLIDAYS.

An entry "dd/mm" is a holiday every year (New Year, 30/4, 1/5, National Day); an entry "yyyy-mm-dd" one day of
one year: the lunar-calendar holidays (Tết, the Hùng Kings' day) and the days the government adds around them
move every year, so each year's are listed as dates.
"""

from datetime import date, timedelta

from django.conf import settings


def holidays(year):
    """The public holidays of `year` the setting lists."""
    found = set()
    for entry in settings.PUBLIC_HOLIDAYS:
        entry = entry.strip()
        if "/" in entry:
            day, month = (int(part) for part in entry.split("/"))
            found.add(date(year, month, day))
        elif entry:
            day = date.fromisoformat(entry)
            if day.year == year:
                found.add(day)
    return found


def is_working_day(day):
    return day.weekday() < 5 and day not in holidays(day.year)


def add_working_days(start, days):
    """The day `days` working days after `start` (the day of `start` itself not counted)."""
    off = {}
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.year not in off:
            off[day.year] = holidays(day.year)
        if day.weekday() < 5 and day not in off[day.year]:
            days -= 1
    return day


def working_days_between(start, end):
    """Working days after `start` up to and including `end` (0 when `end` is not after `start`)."""
    count, day, off = 0, start, {}
    while day < end:
        day += timedelta(days=1)
        if day.year not in off:
            off[day.year] = holidays(day.year)
        count += day.weekday() < 5 and day not in off[day.year]
    return count


def shortest_span(days):
    """The fewest calendar days `days` working days can take: one weekend in each five working days after the
    first, and no holiday (a bound for narrowing queries; `add_working_days` gives the day)."""
    return days + 2 * ((days - 1) // 5) if days > 0 else 0
