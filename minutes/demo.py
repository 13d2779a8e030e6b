"""Demo minutes for `seed_demo`: signed minutes, with speakers, a task and a vote, for each cell's held
meetings but the latest."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from meetings.models import Meeting
from members.models import Member

from . import quality, workflow
from .models import Contribution, Minutes, MinutesSection, MinutesTask, Vote
from .votes import meeting_vote_base, passes

SECTION_TEXT = [
    "Đồng chí Bí thư thông tin tình hình thời sự trong nước, của tỉnh và của xã; phổ biến văn bản mới của cấp "
    "trên. Tư tưởng đảng viên ổn định, tin tưởng vào sự lãnh đạo của Đảng.",
    "Chi bộ đánh giá kết quả thực hiện nghị quyết tháng trước: hoàn thành thu nộp đảng phí, vận động nhân dân "
    "tham gia vệ sinh môi trường; còn chậm trong việc hoàn thiện hồ sơ đất đai.",
    "Chi bộ giới thiệu đoàn viên ưu tú để bồi dưỡng kết nạp; nhắc nhở đảng viên sinh hoạt đầy đủ, đúng giờ.",
    "Các đồng chí thảo luận sôi nổi, thẳng thắn tự phê bình và phê bình.",
]
PRAISE = "Biểu dương các đồng chí tích cực vận động nhân dân; nhắc nhở đảng viên vắng không lý do."
CONCLUSION = "Chi bộ thống nhất đánh giá kết quả tháng qua và triển khai nhiệm vụ tháng tới như đã thảo luận."
SPEECHES = [
    "Đề nghị chi bộ quan tâm hơn việc sửa đường liên thôn trước mùa mưa.",
    "Nhất trí với báo cáo; đề nghị phân công cụ thể người phụ trách vệ sinh môi trường.",
    "Đề nghị đảng viên gương mẫu trong việc nộp đảng phí đúng hạn.",
    "Báo cáo tình hình tư tưởng nhân dân trong xóm; bà con đồng tình với chủ trương.",
    "Đề nghị tổ chức học tập nghị quyết mới cho đảng viên cao tuổi tại nhà.",
]


@transaction.atomic
def seed_minutes(cell, today=None):
    """Signed minutes, with speakers and votes, for the cell's held regular and thematic meetings but the
    latest one, which is left for the demo secretary to write."""
    held = list(
        cell.meetings.filter(status=Meeting.Status.HELD, kind__in=[Meeting.Kind.REGULAR, Meeting.Kind.THEMATIC])
        .order_by("starts_at")
    )  # fmt: skip
    if not held or Minutes.objects.filter(meeting__cell=cell).exists():
        return 0
    rng = random.Random(f"minutes-{cell.code}")
    secretary = Member.objects.filter(cell=cell, position=Member.Position.SECRETARY).first()
    signer = secretary.user if secretary and secretary.user_id else None
    # A committee member takes the minutes; a cell without a committee appoints a member at the opening.
    takers = list(Member.objects.filter(cell=cell, position=Member.Position.COMMITTEE)) or list(
        Member.objects.filter(cell=cell, status=Member.Status.ACTIVE).order_by("pk")[:3]
    )
    count = 0
    for meeting in held[:-1]:
        minutes = Minutes.objects.create(
            meeting=meeting,
            started_at=meeting.starts_at,
            ended_at=meeting.starts_at + timedelta(minutes=105),
            place=meeting.place,
            chair=meeting.chair,
            chair_title="Bí thư chi bộ",
            minute_taker=rng.choice([m for m in takers if m.pk != meeting.chair_id] or takers or [None]),
            praise_criticism=PRAISE,
            conclusion=CONCLUSION,
        )
        MinutesSection.objects.bulk_create(
            MinutesSection(minutes=minutes, order=index + 1, heading=item.title, text=SECTION_TEXT[index % 4])
            for index, item in enumerate(meeting.agenda_items.filter(section="body"))
        )
        present = [a.member for a in meeting.attendances.select_related("member") if a.is_present]
        speakers = rng.sample(present, k=min(len(present), rng.randint(2, 5)))
        Contribution.objects.bulk_create(
            Contribution(minutes=minutes, member=m, order=i, summary=rng.choice(SPEECHES))
            for i, m in enumerate(speakers)
        )
        MinutesTask.objects.create(
            minutes=minutes,
            member=rng.choice(present) if present else None,
            description="Vận động nhân dân tham gia ngày chủ nhật xanh",
            deadline=timezone.localtime(meeting.starts_at).date() + timedelta(days=20),
        )
        base = meeting_vote_base(meeting)
        against = rng.choice([0, 0, 0, 1])
        Vote.objects.create(minutes=minutes, subject=f"Nghị quyết {meeting.display_title.lower()}",
                            votes_for=base["voters"] - against, votes_against=against, base=base["base"],
                            passed=passes(base["voters"] - against, base["base"]))  # fmt: skip
        weights, _bands = quality.policy_for(cell)
        entered = {key: round(weights[key] * rng.uniform(0.75, 1.0), 1) for key in quality.ENTERED}
        scores, total, grade = quality.assess(minutes, entered)
        minutes.quality_scores = {k: str(v) for k, v in scores.items()}
        minutes.quality_total, minutes.quality_grade = total, grade
        minutes.search_text = workflow._search_text(minutes)
        minutes.status = Minutes.Status.LOCKED
        minutes.approved_at = minutes.signed_at = minutes.ended_at
        minutes.signed_by = signer
        minutes.frozen = workflow.snapshot(minutes)
        minutes.save()
        count += 1
    return count
