"""The minutes' PDF is built from the database in a fixed number of queries, whatever the size of the meeting
(issue 17): the worker makes as many round trips for a meeting of 60 members, 60 speakers, 60 tasks and 60
votes as for one of 5."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings import services
from meetings.models import Invitation
from minutes import workflow
from minutes.models import Addendum, Contribution, MinutesTask, Vote
from minutes.tasks import render_minutes_pdf

from .conftest import local

pytestmark = pytest.mark.django_db
NOW = "2026-10-03 22:00 +0700"
MARKS = ["present", "late", "excused", "unexcused", "present"]


@pytest.fixture
def minutes_of(make_member, make_meeting):
    """The minutes of a held regular meeting of `size` members, all invited: marked present, late, excused and
    absent in turn, one in five left blank on the sheet; each member spoke and was given a task, and there
    are as many votes."""

    def make(cell, size):
        people = [make_member(cell, f"Đảng viên số {n}") for n in range(size)]
        meeting = make_meeting(cell, local(2026, 10, 3, 19, 30), chair=people[0], minute_taker=people[1])
        Invitation.objects.bulk_create(Invitation(meeting=meeting, member=person) for person in people)
        marks = {person.pk: (MARKS[n % 4], "Ốm" if MARKS[n % 4] == "excused" else "")
                 for n, person in enumerate(people) if n % 5 != 4}  # fmt: skip
        with time_machine.travel(NOW):
            services.record_attendance(meeting, marks)
            minutes = workflow.start(meeting)
        Contribution.objects.bulk_create(
            Contribution(minutes=minutes, member=person, order=n, summary=f"Ý kiến {n}")
            for n, person in enumerate(people)
        )
        MinutesTask.objects.bulk_create(
            MinutesTask(minutes=minutes, member=person, description=f"Việc {n}") for n, person in enumerate(people)
        )
        Vote.objects.bulk_create(
            Vote(minutes=minutes, order=n, subject=f"Biểu quyết {n}", votes_for=size // 2, base=size)
            for n in range(size)
        )
        return minutes

    return make


def context_queries(minutes):
    """The queries of building the PDF's context for the record the task reads."""
    record = workflow.pdf_records().get(pk=minutes.pk)
    with CaptureQueriesContext(connection) as captured, time_machine.travel(NOW):
        context = workflow.pdf_context(record)
    return len(captured.captured_queries), context


def test_the_context_of_unsigned_minutes_takes_the_same_queries_for_5_and_60_members(cell, sibling_cell, minutes_of):
    small, large = minutes_of(cell, 5), minutes_of(sibling_cell, 60)
    (small_queries, _context), (large_queries, large_context) = context_queries(small), context_queries(large)
    assert len(large_context["doc"]["contributions"]) == len(large_context["doc"]["tasks"]) == 60
    assert large_context["att"]["total"] == 60 and large_context["doc"]["tasks"][0]["who"].startswith("Đảng viên")
    # The parts in one query: sections, contributions and tasks with their members' names, votes (no addenda
    # before the minutes are locked); the roll: invitations with their members, attendance with their members,
    # the status history of those left blank; the dues report: the money collected, the book's lines of the
    # month and the arrears with their members' names.
    assert small_queries == large_queries == 6


def test_the_context_of_signed_minutes_reads_only_the_addenda(cell, sibling_cell, minutes_of, secretary):
    """Signed minutes are rendered from what was frozen when they were signed."""
    for minutes in (minutes_of(cell, 5), minutes_of(sibling_cell, 60)):
        with time_machine.travel(NOW):
            workflow.approve(minutes, secretary)
            workflow.sign(minutes, secretary)
        Addendum.objects.create(minutes=minutes, text="Sửa lỗi chính tả.", signed_by=secretary)
        queries, context = context_queries(minutes)
        assert queries == 1  # the addenda with who signed them
        assert len(context["doc"]["addenda"]) == 1 and len(context["doc"]["votes"]) in (5, 60)


def test_the_worker_builds_the_content_once_before_rendering(cell, sibling_cell, minutes_of):
    """The task hashes and renders one content (and reads it again once, under the row's lock, to tell
    whether the minutes changed while it rendered): as many queries for 60 members as for 5."""
    counts = []
    for minutes in (minutes_of(cell, 5), minutes_of(sibling_cell, 60)):
        with CaptureQueriesContext(connection) as captured, time_machine.travel(NOW):
            assert render_minutes_pdf.apply(args=[minutes.pk]).result == "rendered"
        counts.append(len(captured.captured_queries))
    # The record and its content (1 + 6); then in a transaction (SAVEPOINT here, BEGIN in a worker): the record
    # locked and its content again (1 + 6), the stored PDF written on the row, the end of the transaction.
    assert counts == [17, 17]


def test_the_parts_read_in_one_query_come_in_the_order_the_minutes_page_lists_them(cell, minutes_of, make_member):
    """Sections, speakers and votes by their order (then as added), tasks by deadline with those without one
    where the database puts them, each with its own columns: a vote's figures and result, a task's person."""
    minutes = minutes_of(cell, 3)
    MinutesTask.objects.filter(minutes=minutes).delete()
    minutes.sections.all().delete()
    for order, heading in [(2, "Phương hướng"), (1, "Tình hình"), (2, "Kiến nghị")]:
        minutes.sections.create(order=order, heading=heading, text=f"Nội dung {heading}")
    helper = make_member(cell, "Lê Thị Giúp")
    for day, who, what in [(20, None, "Dọn vệ sinh"), (None, helper, "Viết báo cáo"), (5, helper, "Thu đảng phí")]:
        MinutesTask.objects.create(minutes=minutes, member=who, description=what,
                                   deadline=date(2026, 10, day) if day else None)  # fmt: skip
    Vote.objects.filter(minutes=minutes, order=1).update(order=9, votes_for=3, votes_against=0, passed=True)
    doc = workflow.snapshot(minutes)
    assert [s["heading"] for s in doc["sections"]] == ["Tình hình", "Phương hướng", "Kiến nghị"]
    assert [c["member"] for c in doc["contributions"]] == ["Đảng viên số 0", "Đảng viên số 1", "Đảng viên số 2"]
    assert [(t["what"], t["who"], t["deadline"]) for t in doc["tasks"]] == [
        *[(t.description, str(t.member or ""), t.deadline.isoformat() if t.deadline else "")
          for t in MinutesTask.objects.filter(minutes=minutes).select_related("member")],
    ]  # fmt: skip
    assert [t["what"] for t in doc["tasks"] if t["deadline"]] == ["Thu đảng phí", "Dọn vệ sinh"]
    assert doc["votes"][-1] == {"subject": "Biểu quyết 1", "method": "hands", "for": 3, "against": 0, "other": 0,
                                "base": 3, "passed": True}  # fmt: skip
    assert [v["subject"] for v in doc["votes"]] == ["Biểu quyết 0", "Biểu quyết 2", "Biểu quyết 1"]
    assert doc["votes"][0]["passed"] is False
