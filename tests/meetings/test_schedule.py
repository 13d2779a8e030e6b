from datetime import date, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from meetings.models import Meeting, ScheduleRule
from meetings.schedule import plan_year, regular_day, regular_start

from .conftest import local

pytestmark = pytest.mark.django_db


def rule_of(**fields):
    return ScheduleRule(**{"day": 3, "time": time(19, 30), **fields})


@pytest.mark.parametrize(
    ("day", "year", "month", "expected"),
    [
        (3, 2026, 11, date(2026, 11, 3)),
        (31, 2026, 4, date(2026, 4, 30)),  # 30-day month
        (31, 2026, 2, date(2026, 2, 28)),
        (30, 2028, 2, date(2028, 2, 29)),  # leap year
        (29, 2027, 2, date(2027, 2, 28)),
        (31, 2026, 12, date(2026, 12, 31)),
    ],
)
def test_a_day_of_the_month_fits_every_month_length(day, year, month, expected):
    assert regular_day(rule_of(day=day), year, month) == expected


@pytest.mark.parametrize(
    ("nth", "weekday", "year", "month", "expected"),
    [
        (1, 0, 2026, 9, date(2026, 9, 7)),  # first Monday
        (1, 5, 2026, 8, date(2026, 8, 1)),  # first Saturday is the 1st
        (2, 2, 2026, 9, date(2026, 9, 9)),  # second Wednesday
        (-1, 4, 2026, 10, date(2026, 10, 30)),  # last Friday
        (-1, 0, 2028, 2, date(2028, 2, 28)),  # last Monday of a leap February
    ],
)
def test_a_weekday_of_the_month(nth, weekday, year, month, expected):
    rule = rule_of(mode=ScheduleRule.Mode.WEEKDAY, nth=nth, weekday=weekday)
    assert regular_day(rule, year, month) == expected


@pytest.mark.parametrize(
    ("day", "weekend", "year", "month", "expected"),
    [
        (3, "keep", 2026, 10, date(2026, 10, 3)),  # Saturday kept
        (3, "before", 2026, 10, date(2026, 10, 2)),  # Saturday → Friday
        (3, "after", 2026, 10, date(2026, 10, 5)),  # Saturday → Monday
        (3, "after", 2026, 5, date(2026, 5, 4)),  # Sunday → Monday
        (3, "before", 2026, 5, date(2026, 5, 1)),  # Sunday → Friday
        (1, "before", 2026, 8, date(2026, 8, 3)),  # the Friday before is in July: Monday instead
        (31, "after", 2026, 1, date(2026, 1, 30)),  # the Monday after is in February: Friday instead
        (31, "after", 2026, 2, date(2026, 2, 27)),  # 28 Feb is a Saturday and 2 March is in March
    ],
)
def test_the_weekend_rule_never_leaves_the_month(day, weekend, year, month, expected):
    assert regular_day(rule_of(day=day, weekend=weekend), year, month) == expected


def test_a_meeting_at_1930_in_vietnam_stays_1930():
    starts_at = regular_start(rule_of(), 2026, 11)
    assert starts_at.utcoffset().total_seconds() == 7 * 3600
    assert starts_at.astimezone(ZoneInfo("UTC")).hour == 12  # stored as 12:30 UTC
    assert starts_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M") == "19:30"


@time_machine.travel("2026-03-10 09:00 +0700")
def test_planning_the_year_creates_the_remaining_months_once(cell, rule):
    created = plan_year(cell, 2026)
    regular = [m for m in created if m.kind == Meeting.Kind.REGULAR]
    committee = [m for m in created if m.kind == Meeting.Kind.COMMITTEE]
    # March 3 has passed: April to December.
    assert [m.starts_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date() for m in regular] == [
        date(2026, month, 3) for month in range(4, 13)
    ]
    assert all(m.status == Meeting.Status.PLANNED and m.place == rule.place for m in regular)
    # Each regular meeting has its committee meeting three days before.
    assert [(c.prepares_id, (c.prepares.starts_at - c.starts_at).days) for c in committee] == [
        (m.pk, 3) for m in regular
    ]
    assert regular[0].agenda_items.count() == 13
    assert plan_year(cell, 2026) == []  # a second run adds nothing
    assert Meeting.objects.filter(cell=cell).count() == 18


@time_machine.travel("2026-03-10 09:00 +0700")
def test_planning_skips_months_that_have_a_regular_meeting(cell, rule, make_meeting):
    make_meeting(cell, local(2026, 6, 20, 8, 0))
    cancelled = make_meeting(cell, local(2026, 7, 3, 19, 30), status=Meeting.Status.CANCELLED)
    created = [m for m in plan_year(cell, 2026) if m.kind == Meeting.Kind.REGULAR]
    months = [m.starts_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).month for m in created]
    assert 6 not in months
    assert 7 in months  # a cancelled meeting leaves its month without one
    assert cancelled.pk not in [m.pk for m in created]
