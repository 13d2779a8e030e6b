from datetime import date

import pytest
import time_machine
from django.urls import reverse

from meetings import services
from meetings.models import Attendance, Invitation, Meeting, MeetingChange
from meetings.warnings import cell_removal_flags, removal_flags
from members.models import Member

from .conftest import local

pytestmark = pytest.mark.django_db

P, L, E, U = "present", "late", "excused", "unexcused"


@pytest.fixture
def roll(cell, make_member):
    """One member of each category that matters for the rate."""
    return {
        "official": make_member(cell, "Nguyễn Văn Chính"),
        "official2": make_member(cell, "Trần Văn Thức"),
        "official3": make_member(cell, "Lê Văn Ba"),
        "probationary": make_member(
            cell, "Phạm Thị Dự", official_on=None, admitted_on=date(2026, 3, 1), status_since=date(2026, 3, 1)
        ),
        "visiting": make_member(cell, "Hồ Văn Đến", status=Member.Status.VISITING),
        "exempt": make_member(cell, "Vũ Văn Miễn", status=Member.Status.EXEMPT, birth_date=date(1940, 1, 1)),
        "away": make_member(cell, "Đỗ Văn Đi", status=Member.Status.AWAY),
    }


@time_machine.travel("2026-10-20 09:00 +0700")
def record(meeting, roll, marks, by=None):
    return services.record_attendance(
        meeting, {roll[name].pk: (status, "Ốm" if status == E else "") for name, status in marks.items()}, by=by
    )


def test_the_rate_leaves_out_exempt_and_away_members(cell, roll, make_meeting):
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30))
    record(meeting, roll, {"official": P, "official2": L, "official3": U, "probationary": E, "visiting": P,
                           "exempt": P, "away": E})  # fmt: skip
    summary = meeting.attendance_counts()
    # base: 3 official + 1 probationary + 1 visiting = 5; present: official, official2 (late), visiting = 3
    assert (summary["present"], summary["base"], summary["rate"]) == (3, 5, 60.0)
    assert [a.member.full_name for a in summary["unexcused"]] == ["Lê Văn Ba"]
    assert sorted(a.member.full_name for a in summary["excused"]) == ["Phạm Thị Dự", "Đỗ Văn Đi"]
    assert summary["by_category"]["exempt"] == 1 and summary["by_category"]["away"] == 1


def test_visiting_members_can_be_left_out_of_the_rate(cell, roll, make_meeting, settings):
    settings.ATTENDANCE_COUNT_VISITING = False
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30))
    record(meeting, roll, {"official": P, "official2": P, "official3": U, "probationary": P, "visiting": U})
    summary = meeting.attendance_counts()
    # base: 3 official + 1 probationary (the visiting member left out); present: 3
    assert (summary["present"], summary["base"], summary["rate"]) == (3, 4, 75.0)


def test_the_category_is_kept_as_it_was_on_the_day(cell, roll, make_meeting):
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30))
    record(meeting, roll, {"probationary": P})
    member = roll["probationary"]
    member.official_on = date(2026, 10, 15)
    member.status = Member.Status.EXEMPT
    member.save()
    record(meeting, roll, {"probationary": L})  # a correction later on
    attendance = Attendance.objects.get(meeting=meeting, member=member)
    assert (attendance.category, attendance.status) == ("probationary", "late")


def test_an_official_date_after_the_meeting_day_means_probationary(cell, make_member, make_meeting):
    member = make_member(cell, "Ngô Thị Mới", official_on=date(2026, 10, 4), admitted_on=date(2025, 10, 4))
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30))
    with time_machine.travel("2026-10-20 09:00 +0700"):
        services.record_attendance(meeting, {member.pk: (P, "")})
    assert Attendance.objects.get(member=member).category == "probationary"


def test_an_absence_with_a_reason_needs_the_reason(cell, roll, make_meeting):
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30))
    with time_machine.travel("2026-10-20 09:00 +0700"), pytest.raises(services.MeetingError):
        services.record_attendance(meeting, {roll["official"].pk: (E, "  ")})
    assert not Attendance.objects.exists()


def test_attendance_cannot_be_recorded_before_the_meeting(cell, roll, make_meeting):
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30))
    with time_machine.travel("2026-10-03 18:00 +0700"), pytest.raises(services.MeetingError):
        services.record_attendance(meeting, {roll["official"].pk: (P, "")})


def month_meeting(cell, make_meeting, month, day=3, kind=Meeting.Kind.REGULAR, year=2026):
    return make_meeting(cell, local(year, month, day, 19, 30), kind=kind)


def test_three_months_with_an_unexcused_absence_raise_the_removal_flag(cell, roll, make_meeting):
    member = roll["official"]
    for month in (1, 4):
        record(month_meeting(cell, make_meeting, month), roll, {"official": U})
    # Twice in the same month counts once; an absence with a reason and a committee meeting do not count.
    record(month_meeting(cell, make_meeting, 4, day=20, kind=Meeting.Kind.THEMATIC), roll, {"official": U})
    record(month_meeting(cell, make_meeting, 5), roll, {"official": E})
    record(month_meeting(cell, make_meeting, 6, kind=Meeting.Kind.COMMITTEE), roll, {"official": U})
    record(month_meeting(cell, make_meeting, 12, year=2025), roll, {"official": U})  # last year
    assert removal_flags([member.pk], 2026) == {}
    record(month_meeting(cell, make_meeting, 9), roll, {"official": U})
    assert removal_flags([member.pk], 2026) == {member.pk: [1, 4, 9]}
    assert removal_flags([member.pk], 2025) == {}
    assert cell_removal_flags(cell.pk, 2026) == {member.pk: [1, 4, 9]}  # the member list's


def test_an_early_meeting_counts_in_its_vietnamese_month(cell, roll, make_meeting):
    # 06:00 on the 1st in Vietnam is 23:00 UTC the day before: the month is Vietnam's.
    for month in (2, 3, 4):
        meeting = make_meeting(cell, local(2026, month, 1, 6, 0))
        record(meeting, roll, {"official": U})
    assert removal_flags([roll["official"].pk], 2026) == {roll["official"].pk: [2, 3, 4]}
    # 06:00 on 1 January is still 2025 in UTC but 2026 in Vietnam.
    record(make_meeting(cell, local(2026, 1, 1, 6, 0)), roll, {"official2": U})
    assert removal_flags([roll["official2"].pk], 2025) == {}


@time_machine.travel("2026-10-03 21:00 +0700")
def test_the_attendance_sheet_is_prefilled_from_the_replies(client, secretary, cell, roll, make_meeting):
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30), status=Meeting.Status.CONFIRMED)
    services.invite_members(meeting)
    Invitation.objects.filter(meeting=meeting, member=roll["official"]).update(reply="yes")
    Invitation.objects.filter(meeting=meeting, member=roll["official2"]).update(reply="no", reason="Đi công tác")
    client.force_login(secretary)
    page = client.get(reverse("meetings:attendance", args=[meeting.pk]))
    rows = {row["member"].full_name: row for row in page.context["rows"]}
    assert (rows["Nguyễn Văn Chính"]["status"], rows["Trần Văn Thức"]["status"]) == (P, E)
    assert rows["Trần Văn Thức"]["reason"] == "Đi công tác"
    assert rows["Lê Văn Ba"]["status"] == ""
    assert not rows["Vũ Văn Miễn"]["expected"] and not rows["Đỗ Văn Đi"]["expected"]


@time_machine.travel("2026-10-03 21:00 +0700")
def test_saving_the_sheet_records_everyone_and_keeps_a_history(client, secretary, cell, roll, make_meeting):
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30), status=Meeting.Status.CONFIRMED)
    client.force_login(secretary)
    expected = Member.objects.filter(cell=cell).exclude(status__in=["exempt", "away"])
    data = {f"status-{m.pk}": P for m in expected}
    # Leaving an expected member unmarked is refused, and nothing is saved.
    missing = dict(data)
    missing.pop(f"status-{roll['official3'].pk}")
    response = client.post(reverse("meetings:attendance", args=[meeting.pk]), missing)
    assert response.status_code == 200 and response.context["errors"]
    assert not Attendance.objects.filter(meeting=meeting).exists()

    data[f"status-{roll['official3'].pk}"] = E
    data[f"reason-{roll['official3'].pk}"] = "Ốm"
    response = client.post(reverse("meetings:attendance", args=[meeting.pk]), data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert Attendance.objects.filter(meeting=meeting).count() == expected.count()
    change = MeetingChange.objects.get(meeting=meeting, action="attendance")
    assert change.by == secretary
    assert {"member": "Lê Văn Ba", "from": "", "to": E} in change.detail["changes"]


@time_machine.travel("2026-10-03 21:00 +0700")
def test_an_unknown_status_is_refused(client, secretary, cell, roll, make_meeting):
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30))
    client.force_login(secretary)
    data = {f"status-{m.pk}": "maybe" for m in Member.objects.filter(cell=cell)}
    response = client.post(reverse("meetings:attendance", args=[meeting.pk]), data)
    assert response.status_code == 200 and response.context["errors"]
    assert not Attendance.objects.exists()


def test_members_who_joined_after_the_meeting_are_not_on_its_sheet(client, secretary, cell, roll, make_meeting,
                                                                   make_member):  # fmt: skip
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30))
    newcomer = make_member(cell, "Người Mới Đến", admitted_on=date(2026, 10, 10), official_on=None,
                           status_since=date(2026, 10, 10))  # fmt: skip
    client.force_login(secretary)
    with time_machine.travel("2026-10-20 09:00 +0700"):
        rows = client.get(reverse("meetings:attendance", args=[meeting.pk])).context["rows"]
    assert newcomer not in [row["member"] for row in rows]


def test_the_category_is_the_status_on_the_meeting_day(cell, roll, make_meeting):
    from members import services as member_services

    member = roll["official"]
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30))
    member_services.change_status(member, Member.Status.EXEMPT, date(2026, 10, 15))
    record(meeting, roll, {"official": P})  # recorded after the member became exempt
    assert Attendance.objects.get(member=member).category == "official"


@time_machine.travel("2026-10-03 21:00 +0700")
def test_the_sheet_s_query_count_does_not_grow_with_the_cell(client, secretary, cell, roll, make_meeting,
                                                             make_member, django_assert_num_queries):  # fmt: skip
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30), status=Meeting.Status.CONFIRMED)
    services.invite_members(meeting)
    record(meeting, roll, {"official": P, "official2": E})
    client.force_login(secretary)
    url = reverse("meetings:attendance", args=[meeting.pk])
    # session, user with their access, the meeting with its cell, the invitations with their members, the
    # attendance recorded with its members, the status history of those not marked yet
    with django_assert_num_queries(6):
        client.get(url)
    for number in range(10):
        make_member(cell, f"Đảng Viên Mới {number}")
    services.invite_members(meeting)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.context["rows"]) == len(roll) + 1 + 10  # the roll, the secretary, the newcomers


@time_machine.travel("2026-10-03 21:00 +0700")
def test_the_sheet_shows_four_buttons_per_member_with_the_mark_checked(client, secretary, cell, roll, make_meeting):
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30), status=Meeting.Status.CONFIRMED)
    record(meeting, roll, {"official": P, "official2": E})
    client.force_login(secretary)
    page = client.get(reverse("meetings:attendance", args=[meeting.pk])).content.decode()
    for name, mark in (("official", P), ("official2", E)):
        key = roll[name].pk
        assert page.count(f'name="status-{key}"') == 4
        assert f'id="s-{key}-{mark}" value="{mark}" autocomplete="off" checked>' in page
        assert f'<label class="btn btn-outline-danger" for="s-{key}-unexcused">Vắng không lý do</label>' in page
    assert page.count(" checked>") == 2  # nobody else is marked yet


def test_the_roll_on_the_day_lists_those_invited_else_those_convened_that_day(cell, sibling_cell, make_meeting,
                                                                             make_member):  # fmt: skip
    from members.models import CellMembership

    def member(name, **fields):
        return make_member(cell, name, **fields)

    stayer = member("Lê Văn Ở")
    deputy = member("Lê Văn Phó", position=Member.Position.DEPUTY)
    member("Lê Văn Miễn", status=Member.Status.EXEMPT)  # convened, only not expected
    member("Lê Văn Đình", status=Member.Status.SUSPENDED)
    Member.objects.filter(pk=member("Lê Văn Đi").pk).update(status=Member.Status.TRANSFERRED)
    newcomer = member("Lê Văn Mới")  # in the cell from after the meeting's day
    CellMembership.objects.filter(member=newcomer).update(started_on=date(2026, 12, 1))
    CellMembership.objects.filter(member=member("Lê Văn Rời")).update(ended_on=date(2026, 6, 1))
    make_member(sibling_cell, "Lê Văn Khác")
    committee = make_meeting(cell, local(2026, 11, 21, 19, 30), kind=Meeting.Kind.COMMITTEE)  # the lower id
    meeting = make_meeting(cell, local(2026, 11, 20, 19, 30))

    def sheet(meeting):
        return {a.member.full_name for a in services.roll_on_the_day(meeting)}

    assert sheet(meeting) == {"Lê Văn Ở", "Lê Văn Phó", "Lê Văn Miễn"}
    assert sheet(committee) == {"Lê Văn Phó"}
    assert [m.full_name for m in services.convened_on_the_day(meeting, date(2026, 11, 20))] == [
        a.member.full_name for a in services.roll_on_the_day(meeting)
    ]  # the same members, by their sort key
    Invitation.objects.create(meeting=meeting, member=stayer)
    Invitation.objects.create(meeting=meeting, member=newcomer)
    assert sheet(meeting) == {"Lê Văn Ở", "Lê Văn Mới"}  # those invited alone
    assert sheet(committee) == {"Lê Văn Phó"}  # another meeting's invitations are not its own
    Invitation.objects.create(meeting=committee, member=deputy)
    assert sheet(meeting) == {"Lê Văn Ở", "Lê Văn Mới"} and sheet(committee) == {"Lê Văn Phó"}
