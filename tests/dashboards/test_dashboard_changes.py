"""The summary rows and figures after the changes a review found them wrong after (each test failed then)."""

from datetime import date, timedelta

import pytest
import time_machine

from dashboards import figures as dashboard
from dashboards import summaries
from dashboards.models import CellMonth, MemberYear
from dashboards.period import Period
from meetings import services
from meetings.models import Meeting
from members import services as member_services
from minutes import workflow as minutes_workflow
from minutes.models import Contribution, Vote
from resolutions import services as resolution_services
from resolutions.models import Resolution

from .conftest import local

pytestmark = pytest.mark.django_db


def at(when):
    return time_machine.travel(when, tick=False)


def held(cell, starts_at, marks, kind=Meeting.Kind.REGULAR):
    with at(starts_at - timedelta(days=20)):
        meeting = services.create_meeting(Meeting(cell=cell, kind=kind, starts_at=starts_at, place="x"))
    with at(starts_at + timedelta(hours=3)):
        services.record_attendance(meeting, {m.pk: (s, "Ốm" if s == "excused" else "") for m, s in marks.items()})
    return meeting


def test_member_year_is_counted_under_the_cell_of_the_latest_meeting(
    cell, sibling_cell, make_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a = make_member(cell, "Nguyễn Văn An")
        held(cell, local(2026, 2, 3, 19, 30), {a: "present"})
        member_services.transfer(a, sibling_cell, date(2026, 3, 1))
        a.refresh_from_db()
        held(sibling_cell, local(2026, 4, 3, 19, 30), {a: "present"})
    # models.py: "Counted under the cell of their latest meeting that year" -> the sibling cell (April)
    assert MemberYear.objects.get(member=a, year=2026).cell_id == sibling_cell.pk


def test_deleting_minutes_refreshes_who_spoke(cell, make_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a = make_member(cell, "Nguyễn Văn An")
        meeting = held(cell, local(2026, 2, 3, 19, 30), {a: "present"})
        with at(local(2026, 2, 4, 9, 0)):
            minutes = minutes_workflow.start(meeting)
            Contribution.objects.create(minutes=minutes, member=a, summary="Ý kiến")
    assert MemberYear.objects.get(member=a, year=2026).spoke == 1
    with django_capture_on_commit_callbacks(execute=True):
        minutes.delete()  # the admin's delete (draft minutes may be deleted there)
    assert summaries.check() == []


def test_changing_a_held_meeting_refreshes_the_members_years(cell, make_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a = make_member(cell, "Nguyễn Văn An")
        meeting = held(cell, local(2026, 2, 3, 19, 30), {a: "unexcused"})
    with django_capture_on_commit_callbacks(execute=True):
        meeting = Meeting.objects.get(pk=meeting.pk)
        meeting.status = Meeting.Status.CANCELLED  # what the admin's change form does
        meeting.save()
    assert summaries.check() == []


def test_changing_a_held_meeting_year_refreshes_the_members_years(
    cell, make_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a = make_member(cell, "Nguyễn Văn An")
        meeting = held(cell, local(2025, 12, 31, 19, 30), {a: "unexcused"})
    with django_capture_on_commit_callbacks(execute=True):
        meeting = Meeting.objects.get(pk=meeting.pk)
        meeting.starts_at = local(2026, 1, 2, 19, 30)  # a date typed wrongly, corrected in the admin
        meeting.save()
    assert summaries.check() == []


def test_changing_a_resolutions_issue_date_refreshes_the_old_month(
    cell, make_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a = make_member(cell, "Nguyễn Văn An")
        meeting = held(cell, local(2026, 2, 3, 19, 30), {a: "present"})
        with at(local(2026, 2, 4, 9, 0)):
            minutes = minutes_workflow.start(meeting)
            vote = Vote.objects.create(minutes=minutes, subject="NQ", votes_for=1, base=1, passed=True)
            resolution = resolution_services.issue(
                Resolution.objects.create(cell=cell, meeting=meeting, vote=vote, title="NQ"), render=False
            )
    assert CellMonth.objects.get(cell=cell, month=date(2026, 2, 1)).resolutions_issued == 1
    with django_capture_on_commit_callbacks(execute=True):
        resolution = Resolution.objects.get(pk=resolution.pk)
        resolution.issued_on = date(2026, 4, 2)  # issued_on is editable in ResolutionAdmin
        resolution.save()
    assert summaries.check() == []


def test_month_and_year_boundaries_follow_vietnams_calendar(cell, make_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a = make_member(cell, "Nguyễn Văn An")
        held(cell, local(2026, 1, 1, 0, 30), {a: "unexcused"})
        held(cell, local(2026, 3, 31, 23, 30), {a: "unexcused"}, Meeting.Kind.THEMATIC)
    assert set(CellMonth.objects.filter(cell=cell, regular_held__gt=0).values_list("month", flat=True)) == {
        date(2026, 1, 1)
    }
    assert CellMonth.objects.get(cell=cell, month=date(2026, 3, 1)).thematic_held == 1
    row = MemberYear.objects.get(member=a)
    assert (row.year, row.unexcused_months) == (2026, 2)
    assert summaries.check() == []


def test_correcting_who_spoke_refreshes_the_first_speakers_year(cell, make_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a, b = make_member(cell, "Nguyễn Văn An"), make_member(cell, "Trần Văn Bình")
        meeting = held(cell, local(2026, 2, 3, 19, 30), {a: "present", b: "present"})
        with at(local(2026, 2, 4, 9, 0)):
            minutes = minutes_workflow.start(meeting)
            contribution = Contribution.objects.create(minutes=minutes, member=a, summary="Ý kiến")
    with django_capture_on_commit_callbacks(execute=True):
        contribution = Contribution.objects.get(pk=contribution.pk)
        contribution.member = b  # the minutes page's contributions formset: the speaker corrected
        contribution.save()
    assert summaries.check() == []


def test_a_meeting_moved_to_another_hour_of_the_same_day_is_held_on_its_day(
    cell, make_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a = make_member(cell, "Nguyễn Văn An")
        with at(local(2026, 9, 1, 9, 0)):
            meeting = services.create_meeting(Meeting(cell=cell, starts_at=local(2026, 9, 3, 19, 30), place="x"))
            services.move(meeting, local(2026, 9, 3, 14, 0), "Mất điện buổi tối")
        with at(local(2026, 9, 3, 17, 0)):
            services.record_attendance(meeting, {a.pk: ("present", "")})
    with at("2026-11-20 10:00 +0700"):
        t = dashboard.build(cell, Period.of("month", date(2026, 9, 1)))["total"]
    assert t["on_day_rate"] == 100.0


def test_a_control_character_in_a_name_does_not_break_the_excel_export(
    client, commune_viewer, commune, cell, make_member, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from members.models import OrgUnit

    with django_capture_on_commit_callbacks(execute=True):
        a = make_member(cell, "Nguyễn Văn An")
        held(cell, local(2026, 2, 3, 19, 30), {a: "present"})
    OrgUnit.objects.filter(pk=cell.pk).update(name="Chi bộ\x01 thôn Đông")  # pasted from another program
    client.force_login(commune_viewer)
    with at("2026-11-20 10:00 +0700"):
        response = client.get(reverse("meetings:dashboard_export", args=[commune.pk, "cells", "xlsx"]))
    assert response.status_code == 200


def test_a_visiting_member_is_not_one_of_the_cells_official_members(
    cell, make_member, django_capture_on_commit_callbacks
):
    from members.models import Member

    with django_capture_on_commit_callbacks(execute=True):
        for i in range(8):
            make_member(cell, f"Nguyễn Văn Số {i}")
        make_member(cell, "Hồ Văn Đến", status=Member.Status.VISITING)
    with at("2026-11-20 10:00 +0700"):
        t = dashboard.build(cell, Period.of("year", date(2026, 11, 1)))["total"]
    # 8 official members of its own (+1 here on temporary activity): domain §8 asks a committee from 9
    assert t["committee_required"] == 0


def test_an_english_reader_gets_the_list_titles_in_english(client, commune_viewer, commune):
    from django.urls import reverse

    client.force_login(commune_viewer)
    html = client.get(
        reverse("meetings:dashboard_cells", args=[commune.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert '<html lang="en"' in html or 'lang="en"' in html
    assert "Tất cả chi bộ" not in html, "Vietnamese title in an English page"


def test_an_exempt_member_is_not_flagged_for_removal(cell, make_member, django_capture_on_commit_callbacks):
    from members.models import Member

    with django_capture_on_commit_callbacks(execute=True):
        a = make_member(cell, "Nguyễn Văn An")
        x = make_member(cell, "Vũ Văn Miễn", status=Member.Status.EXEMPT, birth_date=date(1940, 1, 1))
        for month in (2, 3, 4):
            held(cell, local(2026, month, 3, 19, 30), {a: "present", x: "unexcused"})
    with at("2026-11-20 10:00 +0700"):
        data = dashboard.build(cell, Period.of("year", date(2026, 11, 1)))
    assert data["total"]["unexcused"] == 0  # the cell's figure leaves the exempt member out (domain §3)...
    assert data["total"]["flagged"] == 0  # ...and so does the removal flag


def test_deleting_a_held_meeting_and_transferring_a_member_keep_the_rows_right(
    cell, sibling_cell, make_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a = make_member(cell, "Nguyễn Văn An", position="secretary")
        m = held(cell, local(2026, 2, 3, 19, 30), {a: "unexcused"})
        held(cell, local(2026, 5, 3, 19, 30), {a: "present"})
        with at(local(2026, 2, 4, 9, 0)):
            minutes = minutes_workflow.start(m)
            Contribution.objects.create(minutes=minutes, member=a, summary="x")
    with django_capture_on_commit_callbacks(execute=True):
        Meeting.objects.filter(pk=m.pk).delete()
    assert summaries.check() == []
    with django_capture_on_commit_callbacks(execute=True):
        member_services.transfer(a, sibling_cell, date(2026, 6, 1))
    assert summaries.check() == []


def test_one_transaction_outside_a_request_counts_once(cell, make_member, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_capture_on_commit_callbacks(execute=True):
        members = [make_member(cell, f"Nguyễn Văn Số {i}") for i in range(12)]
        meeting = held(cell, local(2026, 2, 3, 19, 30), dict.fromkeys(members[:1], "present"))
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
        at(local(2026, 2, 3, 23, 0)),
    ):
        services.record_attendance(meeting, {m.pk: ("present", "") for m in members})
    counts = [
        q["sql"] for q in queries.captured_queries if 'FROM "meetings_attendance"' in q["sql"] and "COUNT" in q["sql"]
    ]
    assert len(counts) <= 3  # the cell's months, the members' years, their unexcused months: once, not per member
    assert summaries.check() == []


# --- second review: figures kept between requests, and changes saved without a transaction -------------------

YEAR = Period.of("year", date(2026, 1, 1))
MAY = date(2026, 5, 10)


def test_a_members_year_moving_to_another_commune_leaves_no_kept_figures_behind(
    commune, cell, other_cell, make_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a, keep = make_member(cell, "Nguyễn Văn An"), make_member(cell, "Trần Văn Giữ")
        held(cell, local(2026, 2, 3, 19, 30), {a: "present", keep: "present"})
        member_services.transfer(a, other_cell, date(2026, 3, 1))
    a.refresh_from_db()
    assert dashboard.page_figures(commune, YEAR, MAY)["total"]["members"] == 2
    assert len(dashboard.page_figures(cell, YEAR, MAY)["members"]) == 2
    with django_capture_on_commit_callbacks(execute=True):
        held(other_cell, local(2026, 4, 3, 19, 30), {a: "present"})
    assert summaries.check() == []
    served, cell_served = dashboard.page_figures(commune, YEAR, MAY), dashboard.page_figures(cell, YEAR, MAY)
    assert (served["total"]["members"], len(cell_served["members"])) == (1, 1)


def test_a_renamed_member_is_renamed_in_the_kept_lists_of_their_former_commune(
    commune, cell, other_cell, make_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a = make_member(cell, "Nguyễn Văn An")
        for month in (2, 3, 4):
            held(cell, local(2026, month, 3, 19, 30), {a: "unexcused"})
        member_services.transfer(a, other_cell, date(2026, 5, 1))
    assert [f.member.full_name for f in dashboard.page_figures(commune, YEAR, MAY)["flagged"]] == ["Nguyễn Văn An"]
    with django_capture_on_commit_callbacks(execute=True):
        a.refresh_from_db()
        a.full_name = "Nguyễn Văn Ân"
        a.save()
    assert [f.member.full_name for f in dashboard.page_figures(commune, YEAR, MAY)["flagged"]] == ["Nguyễn Văn Ân"]


def test_the_flag_settings_are_part_of_what_is_kept(cell, make_member, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a = make_member(cell, "Nguyễn Văn An")
        for month in (2, 3):
            held(cell, local(2026, month, 3, 19, 30), {a: "unexcused"})
    assert [r["flagged"] for r in dashboard.page_figures(cell, YEAR, MAY)["members"]] == [False]
    settings.REMOVAL_MONTHS = 2
    assert [r["flagged"] for r in dashboard.page_figures(cell, YEAR, MAY)["members"]] == [True]


def test_an_instance_saved_twice_refreshes_every_row_it_passed_through(
    cell, sibling_cell, make_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a = make_member(cell, "Nguyễn Văn An")
        meeting = held(cell, local(2026, 2, 3, 19, 30), {a: "present"})
    with django_capture_on_commit_callbacks(execute=True):
        meeting = Meeting.objects.get(pk=meeting.pk)
        meeting.cell = sibling_cell
        meeting.save()
        meeting.starts_at = local(2026, 6, 3, 19, 30)
        meeting.save()
    assert summaries.check() == []


@pytest.mark.django_db(transaction=True)
def test_a_change_saved_without_a_transaction_is_counted(cell, make_member):
    from meetings.models import Attendance

    a = make_member(cell, "Nguyễn Văn An")
    meeting = held(cell, local(2026, 2, 3, 19, 30), {a: "present"})  # autocommit: each save commits at once
    assert summaries.check() == []
    record = Attendance.objects.get(meeting=meeting, member=a)
    record.status = "unexcused"
    record.save()  # as a shell or a worker outside any transaction
    assert summaries.check() == []
    assert CellMonth.objects.get(cell=cell, month=date(2026, 2, 1)).unexcused == 1
