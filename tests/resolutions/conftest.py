from datetime import timedelta

import pytest
from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import Meeting
from members.models import Member
from minutes import workflow
from minutes.models import Vote
from resolutions.models import Resolution


@pytest.fixture
def held_meeting(db, cell, secretary, member):
    """A held meeting of the cell with its minutes and a vote that passed (2 of 2 official members)."""
    meeting = meeting_services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() - timedelta(days=2), place="Nhà văn hóa")
    )
    meeting_services.record_attendance(meeting, {m.pk: ("present", "") for m in Member.objects.filter(cell=cell)})
    minutes = workflow.start(meeting)
    Vote.objects.create(minutes=minutes, subject="Nghị quyết tháng", votes_for=2, base=2, passed=True)
    return meeting


@pytest.fixture
def make_resolution(held_meeting):
    def make(meeting=None, vote=None, **fields):
        meeting = meeting or held_meeting
        vote = vote if vote is not None else Vote.objects.filter(minutes__meeting=meeting).first()
        return Resolution.objects.create(cell=meeting.cell, meeting=meeting, vote=vote,
                                         title=fields.pop("title", "Nghị quyết"), **fields)  # fmt: skip

    return make
