"""Demo meetings for `seed_demo`: a lived-in year for each cell, and the next two months ahead."""

import random
from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone

from members.models import Member

from .agenda import add_standard_agenda
from .models import Attendance, Invitation, Meeting, MeetingChange, ScheduleRule, ThematicTopic
from .schedule import regular_start

EXCUSES = ["Ốm", "Đi công tác", "Đi viện chăm người nhà", "Về quê có việc gia đình", "Trực cơ quan"]
TOPICS = [
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về tiết kiệm",
    "Vai trò của đảng viên trong xây dựng nông thôn mới",
    "Phòng, chống suy thoái tư tưởng chính trị, đạo đức, lối sống",
    "Nâng cao chất lượng sinh hoạt chi bộ",
    "Đảng viên gương mẫu nơi cư trú",
    "Chuyển đổi số ở thôn, khu phố",
]
PLACES = {
    "HY.TH.01": "Nhà văn hóa thôn Đông",
    "HY.TH.02": "Nhà văn hóa thôn Đoài",
    "HY.TH.03": "Nhà văn hóa thôn Trung",
}


def month_add(day, months):
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


@transaction.atomic
def seed_cell(cell, today=None):
    """Build the cell's schedule, last twelve months (held) and the next two (planned, invited)."""
    if cell.meetings.exists():
        return 0
    today = today or timezone.localdate()
    rng = random.Random(f"meetings-{cell.code}")
    place = PLACES.get(cell.code, f"Hội trường {cell.name.replace('Chi bộ ', '')}")
    rule = ScheduleRule.objects.create(
        cell=cell,
        day=rng.choice([3, 5, 10]),
        time=time(19, 30) if rng.random() < 0.7 else time(14, 0),
        weekend=rng.choice(list(ScheduleRule.Weekend.values)),
        place=place,
    )
    members = list(Member.objects.filter(cell=cell).on_roll().exclude(status=Member.Status.SUSPENDED))
    committee = [m for m in members if m.position != Member.Position.MEMBER and m.status == Member.Status.ACTIVE]
    secretary = next((m for m in members if m.position == Member.Position.SECRETARY), members[0])
    # One member drifts away this year, so the removal flag shows in the demo.
    drifter = next((m for m in members if m.position == Member.Position.MEMBER and m.user_id is None), None)
    drifter = drifter if cell.code.endswith(".01") else None
    first = month_add(today.replace(day=1), -12)
    topics = []
    for quarter_start in range(0, 15, 3):
        month = month_add(first, quarter_start)
        topics.append(
            ThematicTopic.objects.create(
                cell=cell,
                year=month.year,
                quarter=(month.month - 1) // 3 + 1,
                title=TOPICS[len(topics) % len(TOPICS)],
                drafter=rng.choice(committee or members),
            )
        )
    count, upcoming = 0, 0
    for offset in range(15):
        month = month_add(first, offset)
        starts_at = regular_start(rule, month.year, month.month)
        past = starts_at < timezone.now()
        if offset == 4:  # one meeting moved by a week, with its reason
            starts_at += timedelta(days=7)
        regular = _meeting(cell, Meeting.Kind.REGULAR, starts_at, place, secretary, rule)
        count += 1
        if offset == 4:
            MeetingChange.objects.create(meeting=regular, action="moved", detail={"reason": "Trùng lịch bầu cử"})
            regular.status_reason = "Trùng lịch bầu cử"
        _meeting(cell, Meeting.Kind.COMMITTEE, starts_at - timedelta(days=3), place, secretary, rule, prepares=regular)
        if offset == 7 and past:  # an extraordinary meeting called, then cancelled
            cancelled = _meeting(cell, Meeting.Kind.EXTRAORDINARY, starts_at + timedelta(days=12), place, secretary,
                                 rule)  # fmt: skip
            cancelled.status, cancelled.status_reason = Meeting.Status.CANCELLED, "Mưa bão, hoãn sang kỳ họp thường lệ"
            cancelled.save(update_fields=["status", "status_reason"])
        if month.month % 3 == 2 and past:  # a thematic meeting in the middle month of each quarter
            topic = next((t for t in topics if t.year == month.year and t.quarter == (month.month - 1) // 3 + 1), None)
            thematic = _meeting(cell, Meeting.Kind.THEMATIC, starts_at + timedelta(days=1), place, secretary, rule,
                                topic=topic, title=topic.title if topic else "")  # fmt: skip
            _hold(thematic, members, rng, drifter, today)
        if past:
            _hold(regular, members, rng, drifter, today)
            _hold(regular.preparations.first(), committee, rng, None, today)
        elif upcoming < 2:  # the next two months: invited, the nearer one half answered
            _invite(regular, members, rng, answered=upcoming == 0)
            upcoming += 1
        else:
            regular.delete()
            count -= 1
    return count


def _meeting(cell, kind, starts_at, place, secretary, rule, **fields):
    meeting = Meeting.objects.create(
        cell=cell,
        kind=kind,
        starts_at=starts_at,
        duration_minutes=60 if kind == Meeting.Kind.COMMITTEE else rule.duration_minutes,
        place=place,
        chair=secretary,
        **fields,
    )
    add_standard_agenda(meeting)
    return meeting


def _invite(meeting, members, rng, answered):
    """Confirmed and invited; for the nearer meeting half the cell has replied already."""
    meeting.status = Meeting.Status.CONFIRMED
    meeting.invited_at = timezone.now()
    meeting.save(update_fields=["status", "invited_at"])
    invitations = []
    for member in members:
        expected = member.status not in Member.NOT_EXPECTED
        reply, reason = "", ""
        if answered and expected and member.user_id is None and rng.random() < 0.5:
            reply = "yes" if rng.random() < 0.85 else "no"
            reason = rng.choice(EXCUSES) if reply == "no" else ""
        invitations.append(Invitation(meeting=meeting, member=member, expected=expected, reply=reply, reason=reason,
                                      replied_at=timezone.now() if reply else None))  # fmt: skip
    Invitation.objects.bulk_create(invitations)


def _hold(meeting, members, rng, drifter, today):
    """Held: everyone invited, most replied, attendance recorded."""
    day = timezone.localtime(meeting.starts_at).date()
    invitations, attendances = [], []
    for member in members:
        if member.admitted_on > day:
            continue
        expected = member.status not in Member.NOT_EXPECTED
        roll = rng.random()
        if member == drifter and day.year == today.year and meeting.kind == Meeting.Kind.REGULAR and day.month <= 9:
            status, reason, reply = Attendance.Status.UNEXCUSED, "", ""
        elif not expected:
            status, reason, reply = Attendance.Status.EXCUSED, member.get_status_display(), ""
        elif roll < 0.80:
            status, reason, reply = Attendance.Status.PRESENT, "", "yes"
        elif roll < 0.86:
            status, reason, reply = Attendance.Status.LATE, "", "yes"
        elif roll < 0.97:
            status, reason, reply = Attendance.Status.EXCUSED, rng.choice(EXCUSES), "no"
        elif roll < 0.985:
            status, reason, reply = Attendance.Status.PRESENT, "", ""  # came without replying
        else:
            status, reason, reply = Attendance.Status.UNEXCUSED, "", ""
        invitations.append(Invitation(meeting=meeting, member=member, expected=expected, reply=reply,
                                      reason=reason if reply == "no" else "",
                                      replied_at=meeting.starts_at - timedelta(days=2) if reply else None))  # fmt: skip
        attendances.append(Attendance(meeting=meeting, member=member, status=status, reason=reason,
                                      category=Attendance.category_of(member, day),
                                      official=Attendance.was_official(member, day)))  # fmt: skip
    Invitation.objects.bulk_create(invitations)
    Attendance.objects.bulk_create(attendances)
    meeting.status = Meeting.Status.HELD
    meeting.invited_at = meeting.starts_at - timedelta(days=5)
    meeting.attendance_recorded_at = meeting.starts_at + timedelta(hours=3)
    meeting.save(update_fields=["status", "invited_at", "attendance_recorded_at", "status_reason"])
