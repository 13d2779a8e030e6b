"""Section I of the minutes counts the whole roll of the meeting's day; criterion 1 of the quality score leaves
out members nobody expected; the vote base leaves out members prosecuted or detained (domain §3, §4)."""

import io
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from docx import Document as WordDocument

from meetings import services
from meetings.models import Document, Meeting
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
    client, cell, make_member, make_meeting, secretary, member
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
    client.force_login(secretary)
    page = " ".join(client.get(reverse("meetings:minutes", args=[meeting.pk])).content.decode().split())
    assert "Làm nhiệm vụ đặc biệt (lực lượng vũ trang): 1; bị khởi tố, truy tố, tạm giam: 1." in page
    word = client.get(reverse("meetings:minutes_docx", args=[meeting.pk])).content
    assert "Làm nhiệm vụ đặc biệt (lực lượng vũ trang): 1; bị khởi tố, truy tố, tạm giam: 1." in "\n".join(
        p.text for p in WordDocument(io.BytesIO(word)).paragraphs
    )


def test_a_regular_and_a_thematic_meeting_the_same_day_last_120_minutes_together(client, secretary, cell):
    client.force_login(secretary)
    url = reverse("meetings:create", args=[cell.pk])
    regular = {"kind": "regular", "date": "03/12/2026", "time": "19:00", "duration_minutes": 90, "place": "X"}
    assert client.post(url, regular).status_code == 302
    thematic = {**regular, "kind": "thematic", "time": "20:30", "duration_minutes": 20}
    response = client.post(url, thematic)
    assert response.context["form"].errors["duration_minutes"] == [
        "Họp cùng ngày với sinh hoạt thường kỳ dài 90 phút, buổi này kéo dài ít nhất 30 phút: hai buổi cộng lại ít "
        "nhất 120 phút."
    ]
    # 30 minutes: too short alone, enough after the regular meeting of 90.
    assert client.post(url, {**thematic, "duration_minutes": 30}).status_code == 302
    alone = {**thematic, "date": "10/12/2026", "duration_minutes": 30}
    assert "Buổi sinh hoạt chi bộ kéo dài ít nhất 90 phút." in client.post(url, alone).content.decode()


def test_the_duration_criterion_counts_a_regular_and_a_thematic_meeting_together(
    cell, make_meeting, secretary, settings
):
    regular = make_meeting(cell, local(2026, 10, 3, 19, 0), duration_minutes=90)
    thematic = make_meeting(cell, local(2026, 10, 3, 20, 0), kind="thematic", duration_minutes=60)
    minutes = workflow.start(regular)
    Minutes.objects.filter(pk=minutes.pk).update(started_at=local(2026, 10, 3, 19, 0),
                                                 ended_at=local(2026, 10, 3, 20, 0))  # fmt: skip
    minutes.refresh_from_db()
    # 60 minutes, and the thematic meeting's 60 as planned (its minutes not written): 120 together.
    fraction, why = quality.duration_fraction(minutes)
    assert (fraction, str(why)) == (1.0, "60 phút, cộng buổi sinh hoạt chuyên đề cùng ngày là 120 phút")
    other = workflow.start(thematic)
    Minutes.objects.filter(pk=other.pk).update(started_at=local(2026, 10, 3, 20, 0),
                                               ended_at=local(2026, 10, 3, 20, 30))  # fmt: skip
    assert quality.duration_fraction(minutes)[0] == pytest.approx(90 / 120)  # it lasted 30 minutes
    settings.MEETING_MIN_MINUTES_COMBINED = 180
    assert quality.duration_fraction(minutes)[0] == pytest.approx(90 / 180)
    thematic.status = "cancelled"
    thematic.save(update_fields=["status"])
    assert quality.duration_fraction(minutes)[0] == pytest.approx(60 / 90)  # alone


def test_the_preparation_criterion_uses_the_documents_deadline(cell, make_meeting, secretary, settings):
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30))
    Document.objects.create(meeting=meeting, title="Dự thảo nghị quyết", file="x.pdf")
    Document.objects.filter(meeting=meeting).update(uploaded_at=local(2026, 10, 1, 20, 0))
    minutes = workflow.start(meeting)
    assert quality.computed_fractions(minutes)["preparation"][0] == 0.5  # a day before; no committee meeting
    settings.DOCUMENTS_DAYS_BEFORE = 3
    fraction, why = quality.computed_fractions(minutes)["preparation"]
    assert (fraction, str(why)) == (0.0, "chi ủy họp trước: không; tài liệu trước 3 ngày: không")


def test_the_meeting_page_shows_the_final_documents_late(client, secretary, roll_of_20, settings):
    minutes = workflow.start(roll_of_20)
    url = reverse("meetings:detail", args=[roll_of_20.pk])
    client.force_login(secretary)
    with time_machine.travel("2026-10-05 12:00 +0700"):  # the meeting ended on the 3rd at 21:00: due by the 5th
        page = client.get(url)
    assert page.context["final_documents"] == {"due": date(2026, 10, 5), "done": False, "signed": None, "late": False}
    assert "Văn bản hoàn chỉnh (biên bản đã ký) hạn chót 05/10/2026." in page.content.decode()
    with time_machine.travel("2026-10-06 08:00 +0700"):
        client.force_login(secretary)
        page = client.get(url)
    assert "Văn bản hoàn chỉnh chậm: biên bản đã ký có hạn chót 05/10/2026." in page.content.decode()
    Minutes.objects.filter(pk=minutes.pk).update(status=Minutes.Status.LOCKED, signed_at=local(2026, 10, 7, 9, 0))
    settings.MINUTES_FINAL_DAYS = 5
    with time_machine.travel("2026-10-08 08:00 +0700"):
        client.force_login(secretary)
        final = client.get(url).context["final_documents"]
    assert final == {"due": date(2026, 10, 8), "done": True, "signed": date(2026, 10, 7), "late": False}


def test_the_category_of_the_day_follows_the_status_history(cell, make_member, make_meeting, secretary, member):
    from members import services as member_services

    people = [Member.objects.get(user=secretary), Member.objects.get(user=member)]
    detained = make_member(cell, "Trịnh Văn Giam")
    member_services.change_status(detained, Member.Status.PROSECUTED, date(2026, 9, 15))
    august = make_meeting(cell, local(2026, 8, 3, 19, 30))
    october = make_meeting(cell, local(2026, 10, 3, 19, 30))
    with time_machine.travel(NOW):
        for meeting in (august, october):
            services.record_attendance(meeting, {p.pk: (P, "") for p in people} | {detained.pk: (U, "")})
    # In August they were active and in the vote base; in October prosecuted, out of it.
    assert [meeting_vote_base(m)["base"] for m in (august, october)] == [3, 2]
    assert october.attendances.get(member=detained).category == "prosecuted"


def test_the_preparation_criterion_needs_the_committee_s_meeting_held_and_every_document_by_the_deadline(
    cell, make_meeting, secretary
):
    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30))
    next_one = make_meeting(cell, local(2026, 11, 3, 19, 30))
    minutes = workflow.start(meeting)

    def preparation():
        fraction, why = quality.computed_fractions(minutes)["preparation"]
        return fraction, str(why)

    def document(of, uploaded_at):
        Document.objects.filter(pk=Document.objects.create(meeting=of, title="Tài liệu", file="x.pdf").pk).update(
            uploaded_at=uploaded_at
        )

    assert preparation() == (0.0, "chi ủy họp trước: không; tài liệu trước 1 ngày: không")  # no document at all
    # The committee's meeting preparing the next one, held, and a late document of the next one: not this one's.
    make_meeting(cell, local(2026, 10, 25, 19, 30), kind="committee", prepares=next_one, status="held")
    document(next_one, local(2026, 11, 3, 8, 0))
    committee = make_meeting(cell, local(2026, 9, 28, 19, 30), kind="committee", prepares=meeting)
    assert preparation() == (0.0, "chi ủy họp trước: không; tài liệu trước 1 ngày: không")  # planned, not held
    Meeting.objects.filter(pk=committee.pk).update(status="held")
    assert preparation() == (0.5, "chi ủy họp trước: có; tài liệu trước 1 ngày: không")
    document(meeting, local(2026, 10, 1, 20, 0))
    document(meeting, local(2026, 10, 2, 19, 30))  # a day before to the minute: on time
    assert preparation() == (1.0, "chi ủy họp trước: có; tài liệu trước 1 ngày: có")
    document(meeting, local(2026, 10, 2, 19, 31))  # one late is enough to miss the deadline
    assert preparation() == (0.5, "chi ủy họp trước: có; tài liệu trước 1 ngày: không")


def test_the_duration_criterion_counts_only_the_cell_s_meeting_of_the_other_kind_that_day(
    cell, sibling_cell, make_meeting, secretary
):
    thematic = make_meeting(cell, local(2026, 10, 3, 20, 0), kind="thematic", duration_minutes=60)
    minutes = workflow.start(thematic)
    Minutes.objects.filter(pk=minutes.pk).update(started_at=local(2026, 10, 3, 20, 0),
                                                 ended_at=local(2026, 10, 3, 21, 0))  # fmt: skip
    minutes.refresh_from_db()

    def duration():
        fraction, why = quality.computed_fractions(minutes)["duration"]
        return round(fraction, 4), str(why)

    alone = (round(60 / 90, 4), "60 phút")
    assert duration() == alone
    make_meeting(sibling_cell, local(2026, 10, 3, 18, 0), duration_minutes=90)  # another cell's
    make_meeting(cell, local(2026, 10, 4, 0, 30), duration_minutes=90)  # the next day here, though not in UTC
    make_meeting(cell, local(2026, 10, 2, 23, 30), duration_minutes=90)  # the day before
    make_meeting(cell, local(2026, 10, 3, 8, 0), kind="thematic", duration_minutes=90)  # of the same kind
    make_meeting(cell, local(2026, 10, 3, 17, 0), duration_minutes=90, status="cancelled")
    assert duration() == alone
    regular = make_meeting(cell, local(2026, 10, 3, 18, 0), duration_minutes=100)
    assert duration() == (1.0, "60 phút, cộng buổi sinh hoạt thường kỳ cùng ngày là 160 phút")  # as planned
    written = workflow.start(regular)
    Minutes.objects.filter(pk=written.pk).update(started_at=local(2026, 10, 3, 18, 30),
                                                 ended_at=local(2026, 10, 3, 19, 15))  # fmt: skip
    assert duration() == (round(105 / 120, 4), "60 phút, cộng buổi sinh hoạt thường kỳ cùng ngày là 105 phút")
    make_meeting(cell, local(2026, 10, 3, 10, 0), duration_minutes=30)  # the first regular meeting that day
    assert duration() == (round(90 / 120, 4), "60 phút, cộng buổi sinh hoạt thường kỳ cùng ngày là 90 phút")


def test_the_excuses_in_a_row_are_this_year_s_up_to_this_meeting_at_the_cell_s_meetings_of_its_sheet(
    cell, make_member, make_meeting, secretary, member
):
    person, present = Member.objects.get(user=member), Member.objects.get(user=secretary)
    elsewhere = make_member(cell, "Phan Văn Vắng")  # excused again and again, but not on this meeting's sheet

    def held(starts_at, status, kind="regular", others=()):
        meeting = make_meeting(cell, starts_at, kind=kind)
        marks = {present.pk: (P, ""), person.pk: (status, "Ốm")} | {m.pk: (E, "Ốm") for m in others}
        with time_machine.travel("2026-12-31 22:00 +0700"):
            services.record_attendance(meeting, marks)
        return meeting

    held(local(2025, 12, 3, 19, 30), E)  # last year's
    held(local(2026, 1, 3, 19, 30), E)
    held(local(2026, 1, 10, 19, 30), E, kind="committee")  # the committee's meetings are not in the run
    held(local(2026, 1, 20, 19, 30), E, kind="thematic")
    held(local(2026, 2, 3, 19, 30), P, others=[elsewhere])
    held(local(2026, 3, 3, 19, 30), E, others=[elsewhere])
    held(local(2026, 4, 3, 19, 30), P, others=[elsewhere])
    meeting = held(local(2026, 10, 3, 19, 30), E)
    held(local(2026, 11, 3, 19, 30), E)  # later meetings are not in the run
    held(local(2026, 12, 3, 19, 30), E)
    assert quality.longest_excused_streak(meeting) == 2  # January's regular and thematic meetings
    _fraction, why = quality.computed_fractions(workflow.start(meeting))["attendance"]
    assert "nhiều nhất 2 lần liên tiếp vắng có lý do" in str(why)


def test_the_nearest_committee_s_policy_weighs_a_draft_s_criteria(client, secretary, cell, commune, province,
                                                                   make_meeting):  # fmt: skip
    from minutes.models import QualityPolicy

    meeting = make_meeting(cell, local(2026, 10, 3, 19, 30))
    workflow.start(meeting)
    client.force_login(secretary)

    def points():
        rows = client.get(reverse("meetings:minutes", args=[meeting.pk])).context["criteria"]
        assert quality.policy_for(cell)[0] == quality.draft_facts(meeting.minutes)["policy"][0]
        return {row["label"]: row["points"] for row in rows}

    assert sum(points().values()) == 100 and len(points()) == len(quality.CRITERIA)  # the defaults
    QualityPolicy.objects.create(unit=province, weights={"conduct": 80, "closing": 20}, bands={"good": 80})
    QualityPolicy.objects.create(unit=commune, weights={"preparation": 15, "attendance": 20, "conduct": 45,
                                                        "closing": 20}, bands={})  # fmt: skip
    assert sorted(points().values()) == [15, 20, 20, 45]
    assert quality.policy_for(cell)[1]["good"] == 90
    QualityPolicy.objects.filter(unit=commune).delete()
    assert sorted(points().values()) == [20, 80]
    assert quality.policy_for(cell)[1]["good"] == 80


def test_participation_counts_each_member_who_spoke_in_these_minutes_once(roll_of_20, make_meeting):
    from minutes.models import Contribution

    minutes = workflow.start(roll_of_20)
    other = workflow.start(make_meeting(roll_of_20.cell, local(2026, 11, 3, 19, 30)))
    speakers = list(Member.objects.filter(cell=roll_of_20.cell).order_by("pk")[:3])
    Contribution.objects.bulk_create(
        [Contribution(minutes=minutes, member=speakers[0], order=0, summary="Nhất trí."),
         Contribution(minutes=minutes, member=speakers[0], order=1, summary="Bổ sung."),  # the same member again
         Contribution(minutes=minutes, member=speakers[1], order=2, summary="Nhất trí."),
         Contribution(minutes=other, member=speakers[2], order=0, summary="Ở cuộc họp khác.")]
    )  # fmt: skip
    assert quality.draft_facts(minutes)["speakers"] == 2
    fraction, why = quality.computed_fractions(minutes)["participation"]
    assert str(why) == "2 trên 17 đồng chí có mặt phát biểu"
    assert fraction == pytest.approx(min(1.0, 2 / 17 / quality.SPEAKERS_FOR_FULL_MARKS))
