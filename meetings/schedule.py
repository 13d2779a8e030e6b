"""The regular schedule: which day each month's regular meeting falls on, and the year's proposal."""

import calendar
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from .models import Meeting, ScheduleRule

SATURDAY, SUNDAY = 5, 6


def regular_day(rule, year, month):
    """The day of `month` the rule gives, moved off a weekend as the rule says, never out of the month."""
    last = calendar.monthrange(year, month)[1]
    if rule.mode == ScheduleRule.Mode.DAY_OF_MONTH:
        day = date(year, month, min(rule.day, last))
    elif rule.nth == ScheduleRule.Nth.LAST:
        day = date(year, month, last)
        day -= timedelta(days=(day.weekday() - rule.weekday) % 7)
    else:
        first = date(year, month, 1)
        day = first + timedelta(days=(rule.weekday - first.weekday()) % 7 + 7 * (rule.nth - 1))
    if day.weekday() < SATURDAY or rule.weekend == ScheduleRule.Weekend.KEEP:
        return day
    before = day - timedelta(days=day.weekday() - 4)  # the Friday before
    after = day + timedelta(days=7 - day.weekday())  # the Monday after
    preferred, other = (before, after) if rule.weekend == ScheduleRule.Weekend.BEFORE else (after, before)
    # Every month must keep its meeting: when the move would leave the month, go the other way.
    return preferred if preferred.month == month else other


def regular_start(rule, year, month):
    """The aware start time (Vietnam's time zone) of the month's regular meeting."""
    return timezone.make_aware(datetime.combine(regular_day(rule, year, month), rule.time))


def propose_year(rule, year, existing=()):
    """Start times for each month of `year` that has no regular meeting yet (`existing`: (year, month) pairs)."""
    return [regular_start(rule, year, month) for month in range(1, 13) if (year, month) not in set(existing)]


def months_with_regular_meeting(cell, year):
    local_months = set()
    for starts_at in (
        cell.meetings.regular()
        .not_cancelled()
        .filter(starts_at__year__in=[year - 1, year, year + 1])
        .values_list("starts_at", flat=True)
    ):
        local = timezone.localtime(starts_at)
        local_months.add((local.year, local.month))
    return local_months


@transaction.atomic
def plan_year(cell, year, by=None, after=None):
    """Create the planned regular meetings (and the committee's preparatory ones) of `year`.

    Months that already have a regular meeting are left alone, so running it twice adds nothing. Months
    before `after` (default: now) are skipped: Chibo does not plan the past.
    """
    from .services import create_meeting

    # Locking the rule makes two plannings of one cell (a double click) run one after the other.
    rule = ScheduleRule.objects.select_for_update().get(cell=cell)
    after = after or timezone.now()
    created = []
    for starts_at in propose_year(rule, year, months_with_regular_meeting(cell, year)):
        if starts_at < after:
            continue
        meeting = create_meeting(
            Meeting(
                cell=cell,
                kind=Meeting.Kind.REGULAR,
                starts_at=starts_at,
                duration_minutes=rule.duration_minutes,
                place=rule.place,
            ),
            by=by,
        )
        created.append(meeting)
        if rule.committee_days_before:
            created.append(
                create_meeting(
                    Meeting(
                        cell=cell,
                        kind=Meeting.Kind.COMMITTEE,
                        starts_at=starts_at - timedelta(days=rule.committee_days_before),
                        duration_minutes=60,
                        place=rule.place,
                        prepares=meeting,
                    ),
                    by=by,
                )
            )
    return created
