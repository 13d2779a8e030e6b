"""Demo resolutions for `seed_demo`: one per signed regular meeting, with tasks done on time, late, not done,
and open ones for the coming weeks (one for the demo member)."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from members.models import Member

from . import services
from .models import Resolution, Task, TaskUpdate

TASKS = [
    "Vận động nhân dân tham gia ngày chủ nhật xanh",
    "Hoàn thành thu nộp đảng phí",
    "Rà soát hộ nghèo, cận nghèo",
    "Tuyên truyền phòng chống cháy nổ",
    "Sửa chữa đường liên thôn",
]


@transaction.atomic
def seed_resolutions(cell, today=None):
    if Resolution.objects.filter(cell=cell).exists():
        return 0
    today = today or timezone.localdate()
    rng = random.Random(f"resolutions-{cell.code}")
    members = list(Member.objects.filter(cell=cell, status=Member.Status.ACTIVE).order_by("sort_key"))
    demo_member = next((m for m in members if m.user_id and m.position == Member.Position.MEMBER), None)
    meetings = [
        m for m in cell.meetings.filter(kind="regular", minutes__status="locked").order_by("starts_at")
        if m.minutes.votes.filter(passed=True).exists()
    ]  # fmt: skip
    count = 0
    for index, meeting in enumerate(meetings):
        day = timezone.localtime(meeting.starts_at).date()
        resolution = Resolution.objects.create(
            cell=cell, meeting=meeting, vote=meeting.minutes.votes.filter(passed=True).first(),
            title=f"Nghị quyết {meeting.display_title.lower()}", purpose="Lãnh đạo thực hiện nhiệm vụ tháng tới.",
            tasks_text="Tập trung các nhiệm vụ trọng tâm đã thống nhất.", solutions="Phân công đảng viên phụ trách.",
            checking="Chi ủy kiểm tra, đánh giá tại kỳ sinh hoạt sau.",
        )  # fmt: skip
        services.issue(resolution, on=day, render=False)  # PDFs are rendered when first asked for
        latest = index == len(meetings) - 1
        for number in range(2):
            responsible = demo_member if latest and number == 0 and demo_member else rng.choice(members)
            deadline = day + timedelta(days=rng.randint(15, 25)) if not latest else today + timedelta(days=5 + number)
            task = Task.objects.create(
                resolution=resolution,
                title=rng.choice(TASKS),
                responsible=responsible,
                deadline=deadline,
                expected_result="Báo cáo kết quả tại kỳ sinh hoạt sau",
            )
            if latest:
                continue
            roll = rng.random()
            status = Task.Status.DONE if roll < 0.8 else Task.Status.NOT_DONE
            finished = deadline - timedelta(days=2) if roll < 0.65 else deadline + timedelta(days=3)
            TaskUpdate.objects.create(task=task, status=status, percent=100 if status == "done" else 60,
                                      note="Đã báo cáo tại chi bộ")  # fmt: skip
            Task.objects.filter(pk=task.pk).update(status=status, percent=100 if status == "done" else 60,
                                                   completed_on=finished)  # fmt: skip
        count += 1
    return count


@transaction.atomic
def seed_study(province, cells, today=None):
    """A directive from the province, studied by most cells, with essays from most members who attended."""
    from .models import Directive, StudyEssay, StudySession

    if Directive.objects.filter(unit=province).exists():
        return 0
    today = today or timezone.localdate()
    directive = Directive.objects.create(
        unit=province, title="Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XX", reference="01-NQ/ĐH",
        study_by=today + timedelta(days=20),
    )  # fmt: skip
    for index, cell in enumerate(cells):
        if index % 3 == 2:
            continue  # a cell that has not studied yet shows on the committee's page
        rng = random.Random(f"study-{cell.code}")
        members = list(Member.objects.filter(cell=cell, status=Member.Status.ACTIVE))
        came = [m for m in members if rng.random() < 0.85]
        session = StudySession.objects.create(cell=cell, directive=directive, held_on=today - timedelta(days=10))
        session.attendees.set(came)
        StudyEssay.objects.bulk_create(
            StudyEssay(session=session, member=m, submitted_on=today - timedelta(days=rng.randint(1, 8)))
            for m in came
            if rng.random() < 0.8 and m.user_id is None
        )
    return 1
