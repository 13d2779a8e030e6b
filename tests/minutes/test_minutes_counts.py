"""Section I of the minutes counts the whole roll of the meeting's day; criterion 1 of the quality score leaves
out members nobody expected; the vote base leaves out members prosecuted or detained (domain §3, §4)."""

import io
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from docx import Document as WordDocument

from meetings import services
from members.models import Member
from minutes import quality, workflow
from minutes.models import Minutes
from minutes.votes import meeting_vote_base

from .conftest import local
from .test_minutes import pdf_text

pytestmark = pytest.mark.django_db
P, E, U = "present", "excused", "unexcused"
NOW = "2026-10-03 22:00 +0700"


@pytest.fixture
def roll_of_20(cell, make_member, make_meeting, secretary, member):
    """A roll of 20: the secretary, a member, 15 official members, a probationary one, an exempt member and one
    away on temporary activity. The exempt and the away members are left blank on the attendance sheet."""
    people = [Member.objects.get(user=secretary), Member.objects.get(user=member)]
    people += [make_member(cell, f"Nguyễn Văn Số {n}") for n in range(15)]
    people.append(make_member(cell, "Đỗ Thị Dự", official_on=None, admitted_on=date(2026, 3, 1),
                              status_since=date(2026, 3, 1)))  # fmt: skip
    exempt = make_member(cell, "Vũ Văn Miễn", status=Member.Status.EXEMPT, birth_date=date(1940, 1, 1))
    away = make_member(cell, "Đinh Văn Xa", status=Member.Status.AWAY)
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30), chair=people[0])
    marks = {p.pk: (P, "") for p in people}
    marks[people[2].pk] = (E, "Ốm")
    with time_machine.travel(NOW):
        services.record_attendance(meeting, marks)
    meeting.exempt, meeting.away = exempt, away
    return meeting


def test_section_one_counts_the_whole_roll_with_the_members_left_blank(roll_of_20):
    block = workflow.attendance_block(workflow.start(roll_of_20))
    assert (block["total"], block["official"], block["probationary"], block["exempt"], block["away"]) == (
        20,
        19,
        1,
        1,
        1,
    )
    # The rate leaves the exempt and the away members out: 17 present of 18 expected.
    assert (block["present"], block["base"], block["rate"]) == (17, 18, 94.4)
    assert block["excused"] == [{"name": "Nguyễn Văn Số 0", "reason": "Ốm"}]
    assert block["unexcused"] == []


def test_the_pdf_the_word_file_and_the_page_give_the_same_roll(client, secretary, roll_of_20):
    minutes = workflow.start(roll_of_20)
    roll = "Tổng số đảng viên: 20 (chính thức 19, dự bị 1, sinh hoạt tạm thời 0)."
    exempt_away = "Miễn sinh hoạt: 1; đi sinh hoạt tạm thời nơi khác: 1."
    present = "Có mặt: 17/18"

    pdf = " ".join(pdf_text(workflow.render_pdf(Minutes.objects.get(pk=minutes.pk))).split())
    client.force_login(secretary)
    response = client.get(reverse("meetings:minutes_docx", args=[roll_of_20.pk]))
    word = "\n".join(p.text for p in WordDocument(io.BytesIO(response.content)).paragraphs)
    page = " ".join(client.get(reverse("meetings:minutes", args=[roll_of_20.pk])).content.decode().split())
    for name, text in (("pdf", pdf), ("word", word), ("page", page)):
        for expected in (roll, exempt_away, present):
            assert expected in text, (name, expected)


def test_signed_minutes_keep_the_roll_of_the_day(roll_of_20, secretary):
    minutes = workflow.start(roll_of_20)
    block = workflow.attendance_block(minutes)
    Member.objects.filter(pk=roll_of_20.exempt.pk).update(status=Member.Status.ACTIVE)
    # The status history still says exempt on the meeting's day: the block does not change.
    assert workflow.attendance_block(minutes)["exempt"] == block["exempt"] == 1


def test_attendance_points_ignore_exempt_and_away_members(cell, make_member, make_meeting, secretary, member):
    people = [Member.objects.get(user=secretary), Member.objects.get(user=member)]
    exempt = make_member(cell, "Vũ Văn Miễn", status=Member.Status.EXEMPT, birth_date=date(1940, 1, 1))
    away = make_member(cell, "Đinh Văn Xa", status=Member.Status.AWAY)
    earlier = [make_meeting(cell, local(2026, m, 3, 19, 30)) for m in (6, 7, 8, 9)]
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30))
    with time_machine.travel(NOW):
        for held in earlier:
            services.record_attendance(held, {p.pk: (P, "") for p in people} | {away.pk: (E, "Đi nơi khác")})
        services.record_attendance(
            meeting, {p.pk: (P, "") for p in people} | {away.pk: (E, "Đi nơi khác"), exempt.pk: (U, "")}
        )
    minutes = workflow.start(meeting)
    # Five absences with a reason in a row and an absence without one, all by members nobody expected.
    assert quality.longest_excused_streak(meeting) == 0
    fraction, why = quality.computed_fractions(minutes)["attendance"]
    assert fraction == 1.0
    assert "100,0% có mặt, 0 vắng không lý do, nhiều nhất 0 lần" in str(why)


def test_attendance_points_still_count_an_expected_member(cell, make_member, make_meeting, secretary, member):
    people = [Member.objects.get(user=secretary), Member.objects.get(user=member)]
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30))
    with time_machine.travel(NOW):
        services.record_attendance(meeting, {people[0].pk: (P, ""), people[1].pk: (U, "")})
    fraction, _why = quality.computed_fractions(workflow.start(meeting))["attendance"]
    assert fraction == pytest.approx(1 / 3)  # 50% present and one absence without a reason


def test_prosecuted_members_are_out_of_the_vote_base_and_special_duty_out_of_the_rate(
    cell, make_member, make_meeting, secretary, member
):
    people = [Member.objects.get(user=secretary), Member.objects.get(user=member)]
    people += [make_member(cell, f"Lê Văn Số {n}") for n in range(3)]
    prosecuted = make_member(cell, "Trịnh Văn Giam", status=Member.Status.PROSECUTED)
    soldier = make_member(cell, "Quân Văn Đội", status=Member.Status.SPECIAL_DUTY)
    suspended = make_member(cell, "Đình Văn Chỉ", status=Member.Status.SUSPENDED)
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30))
    sheet = {row["member"].pk: row for row in services.attendance_sheet(meeting)}
    assert suspended.pk not in sheet  # suspended members are not convened
    assert sheet[prosecuted.pk]["expected"] and not sheet[soldier.pk]["expected"]
    assert sheet[soldier.pk]["category_label"] == "Lực lượng vũ trang làm nhiệm vụ đặc biệt"
    marks = {p.pk: (P, "") for p in people[:3]} | {p.pk: (U, "") for p in people[3:]}
    with time_machine.travel(NOW):
        services.record_attendance(meeting, marks | {prosecuted.pk: (E, "Tạm giam")})
    # Base: 5 official members, not the one detained nor the soldier on duty who did not come; 3 present.
    assert meeting_vote_base(meeting) == {"base": 5, "voters": 3, "can_pass": True}
    summary = meeting.attendance_counts()
    # Rate: the member detained stays in it (only the vote base leaves them out), the soldier does not.
    assert (summary["present"], summary["base"]) == (3, 6)
    block = workflow.attendance_block(workflow.start(meeting))
    assert (block["total"], block["special_duty"], block["prosecuted"]) == (7, 1, 1)
    assert block["excused"] == [{"name": "Trịnh Văn Giam", "reason": "Tạm giam"}]
