from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import Meeting, ScheduleRule


def local(*args):
    """An aware datetime in Vietnam's time zone."""
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def rule(cell):
    return ScheduleRule.objects.create(cell=cell, day=3, time="19:30", place="Nhà văn hóa thôn Đông")


@pytest.fixture
def make_meeting(db):
    def make(cell, starts_at=None, **fields):
        fields.setdefault("place", "Nhà văn hóa thôn Đông")
        fields.setdefault("kind", Meeting.Kind.REGULAR)
        return services.create_meeting(
            Meeting(cell=cell, starts_at=starts_at or timezone.now() + timedelta(days=10), **fields)
        )

    return make
