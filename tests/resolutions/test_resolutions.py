import threading
from datetime import date, datetime

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from members.models import Member
from minutes.models import Vote
from resolutions import services
from resolutions.models import Resolution, Task

pytestmark = pytest.mark.django_db


def test_issuing_numbers_per_cell_and_year(make_resolution, held_meeting, other_cell):
    first, second = make_resolution(), make_resolution()
    assert services.issue(first, on=date(2026, 3, 1)).code == "01-NQ/CB"
    assert services.issue(second, on=date(2026, 4, 1)).code == "02-NQ/CB"
    next_year = services.issue(make_resolution(), on=date(2027, 1, 5))
    assert (next_year.year, next_year.number) == (2027, 1)


def test_a_resolution_whose_vote_did_not_pass_cannot_be_issued_and_takes_no_number(make_resolution, held_meeting):
    failed = Vote.objects.create(minutes=held_meeting.minutes, subject="Bác bỏ", votes_for=1, base=2, passed=False)
    without_vote = make_resolution()
    Resolution.objects.filter(pk=without_vote.pk).update(vote=None)
    for draft in (make_resolution(vote=failed), without_vote):
        with pytest.raises(services.ResolutionError):
            services.issue(draft, on=date(2026, 5, 1))
        draft.refresh_from_db()
        assert (draft.status, draft.number) == ("draft", None)
    assert services.issue(make_resolution(), on=date(2026, 5, 1)).number == 1  # no gap left behind


def test_the_vote_must_come_from_the_same_meeting(make_resolution, held_meeting, cell):
    from datetime import timedelta

    from django.utils import timezone

    from meetings import services as meeting_services
    from meetings.models import Meeting
    from minutes import workflow

    other = meeting_services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() - timedelta(days=40), place="X")
    )
    other_vote = Vote.objects.create(minutes=workflow.start(other), subject="Khác", votes_for=2, base=2, passed=True)
    with pytest.raises(services.ResolutionError):
        services.issue(make_resolution(vote=other_vote))


@pytest.mark.django_db(transaction=True)
def test_numbers_stay_unique_and_gapless_when_issued_at_once(make_resolution):
    drafts = [make_resolution(title=f"Nghị quyết {n}") for n in range(8)]
    barrier, errors = threading.Barrier(len(drafts)), []

    def issue(draft):
        try:
            barrier.wait()
            services.issue(draft, on=date(2026, 6, 1))
        except Exception as exc:  # collected and reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(d,)) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    numbers = sorted(Resolution.objects.filter(year=2026).values_list("number", flat=True))
    assert numbers == list(range(1, 9))


@pytest.fixture
def issued(make_resolution, member, secretary):
    resolution = services.issue(make_resolution(), on=date(2026, 11, 1))
    task = Task.objects.create(resolution=resolution, title="Vận động vệ sinh môi trường",
                               responsible=Member.objects.get(user=member), deadline=date(2026, 11, 30))  # fmt: skip
    return resolution, task


def test_only_the_person_responsible_and_the_committee_report_progress(client, issued, member, secretary,
                                                                       make_member, cell, outsider):  # fmt: skip
    from tests.conftest import make_user

    _resolution, task = issued
    url = reverse("resolutions:task_progress", args=[task.pk])
    client.force_login(member)
    response = client.post(url, {"status": "in_progress", "percent": 40, "note": "Đã họp tổ"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.percent) == ("in_progress", 40)
    assert task.updates.get().by == member
    other = make_user("other_member")
    make_member(cell, "Đảng Viên Khác", user=other)
    client.force_login(other)
    assert client.post(url, {"status": "done", "percent": 100}).status_code == 403
    client.force_login(outsider)
    assert client.post(url, {"status": "done", "percent": 100}).status_code == 404
    client.force_login(secretary)
    assert client.post(url, {"status": "done", "percent": 80}).status_code == 302
    task.refresh_from_db()
    assert (task.status, task.percent) == ("done", 100)  # done means all of it


def test_after_reporting_a_member_is_back_on_their_tasks_with_the_report_there(client, issued, member):
    _resolution, task = issued
    client.force_login(member)
    url = reverse("resolutions:task_progress", args=[task.pk])
    response = client.post(url, {"status": "in_progress", "percent": 40, "note": "Đã họp tổ"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("resolutions:mine")
    html = response.content.decode()
    assert "Đã lưu báo cáo" in html and "Đang thực hiện 40% — Đã họp tổ" in html


def test_a_hundred_percent_is_done(client, issued, member):
    _resolution, task = issued
    client.force_login(member)
    url = reverse("resolutions:task_progress", args=[task.pk])
    response = client.post(url, {"status": "in_progress", "percent": 100})
    assert response.status_code == 200 and "status" in response.context["form"].errors
    assert "Hoàn thành" in response.context["form"].errors["status"][0]
    task.refresh_from_db()
    assert (task.status, task.percent) == ("open", 0) and not task.updates.exists()  # nothing changed


def test_overdue_tasks_are_marked(client, issued, member):
    _resolution, task = issued
    client.force_login(member)
    with time_machine.travel("2026-11-30 20:00 +0700"):
        assert client.get(reverse("resolutions:mine")).context["tasks"][0].overdue is False
    with time_machine.travel("2026-12-01 08:00 +0700"):
        assert client.get(reverse("resolutions:mine")).context["tasks"][0].overdue is True
        page = client.get(reverse("resolutions:detail", args=[task.resolution_id]))
        assert page.context["tasks"][0].overdue
    task.status = Task.Status.DONE
    task.save()
    with time_machine.travel("2026-12-01 08:00 +0700"):
        assert client.get(reverse("resolutions:mine")).context["tasks"][0].overdue is False


def test_the_secretary_drafts_and_issues_from_a_meeting(client, held_meeting, secretary):
    client.force_login(secretary)
    vote = Vote.objects.get(minutes__meeting=held_meeting)
    response = client.post(reverse("resolutions:create", args=[held_meeting.pk]),
                           {"kind": "regular", "title": "Nghị quyết tháng 11", "vote": vote.pk,
                            "purpose": "Mục đích", "tasks_text": "", "solutions": "", "checking": ""})  # fmt: skip
    resolution = Resolution.objects.get()
    assert response["Location"] == resolution.get_absolute_url()
    # Issuing is for good: without the ticked box nothing is issued.
    refused = client.post(reverse("resolutions:issue", args=[resolution.pk]), follow=True)
    assert "Đánh dấu vào ô để xác nhận" in refused.content.decode() and 'id="confirm-issue"' in refused.content.decode()
    resolution.refresh_from_db()
    assert (resolution.status, resolution.number) == ("draft", None)
    client.post(reverse("resolutions:issue", args=[resolution.pk]), {"confirm": "1"})
    resolution.refresh_from_db()
    assert (resolution.status, resolution.number) == ("issued", 1)
    page = client.get(resolution.get_absolute_url())
    assert "01-NQ/CB" in page.content.decode()


def scan_at(moment):
    from notifications.tasks import scan_reminders

    with time_machine.travel(moment):
        scan_reminders()


def task_messages():
    from notifications.models import Message

    return sorted(Message.objects.filter(task__isnull=False).values_list("kind", "member__full_name", "key", "status"))


def test_a_task_is_reminded_before_its_deadline_and_when_overdue(issued, member, secretary):
    from django.core import mail

    _resolution, _task = issued
    scan_at("2026-11-26 07:00 +0700")  # four days before: nothing yet
    assert task_messages() == []
    scan_at("2026-11-27 07:00 +0700")
    scan_at("2026-11-28 07:00 +0700")  # scanned again: not sent twice
    assert task_messages() == [("task_due", "Lê Thị Hoa", "2026-11-30", "sent")]
    scan_at("2026-12-01 07:00 +0700")
    assert task_messages() == [
        ("task_due", "Lê Thị Hoa", "2026-11-30", "sent"),
        ("task_overdue", "Lê Thị Hoa", "2026-11-30", "sent"),
        ("task_overdue_secretary", "Trần Văn Bí", "2026-11-30", "sent"),
    ]
    assert any("/tasks/" in m.body and "Lê Thị Hoa" in m.body for m in mail.outbox if m.to == ["secretary@example.vn"])


def test_a_finished_task_gets_no_reminder_and_a_new_deadline_gets_its_own(issued, member):
    _resolution, task = issued
    scan_at("2026-11-28 07:00 +0700")
    task.deadline = date(2026, 12, 15)
    task.save()
    scan_at("2026-12-13 07:00 +0700")
    assert [key for _kind, _name, key, _status in task_messages()] == ["2026-11-30", "2026-12-15"]
    services.report_progress(task, None, Task.Status.DONE, 100, on=date(2026, 12, 14))
    scan_at("2026-12-16 07:00 +0700")
    assert [kind for kind, *_rest in task_messages()] == ["task_due", "task_due"]


def test_the_next_meeting_reviews_the_previous_resolution(client, issued, member, secretary, cell):
    from datetime import timedelta

    from django.utils import timezone

    from meetings import services as meeting_services
    from meetings.models import Meeting
    from minutes import workflow

    resolution, late_task = issued
    done = Task.objects.create(resolution=resolution, title="Thu đảng phí", responsible=late_task.responsible,
                               deadline=date(2026, 11, 20))  # fmt: skip
    services.report_progress(done, None, Task.Status.DONE, 100, note="Đã thu đủ", on=date(2026, 11, 18))
    services.report_progress(late_task, None, Task.Status.DONE, 100, on=date(2026, 12, 2))
    Task.objects.create(resolution=resolution, title="Sửa đường", responsible=late_task.responsible,
                                 deadline=date(2026, 11, 25))  # fmt: skip
    next_meeting = meeting_services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() + timedelta(days=12), place="Nhà văn hóa")
    )
    client.force_login(member)
    review = client.get(reverse("meetings:detail", args=[next_meeting.pk])).context["review"]
    assert review["resolution"] == resolution
    states = {row["task"].title: row["state"] for row in review["rows"]}
    assert states == {"Thu đảng phí": "on_time", "Vận động vệ sinh môi trường": "late", "Sửa đường": "not_done"}
    assert review["counts"] == {"on_time": 1, "late": 1, "not_done": 1, "open": 0}
    # The minutes of that meeting start from the review.
    with time_machine.travel(next_meeting.starts_at + timedelta(hours=3)):
        minutes = workflow.start(next_meeting)
    carried = minutes.sections.all()[1].text
    assert "01-NQ/CB" in carried and "Thu đảng phí" in carried and "Đã thu đủ" in carried


def test_an_issued_resolution_has_its_official_pdf_and_word_file(client, make_resolution, member, secretary,
                                                                 django_capture_on_commit_callbacks):  # fmt: skip
    import io
    import unicodedata

    from docx import Document as WordDocument
    from pypdf import PdfReader

    draft = make_resolution(title="Nghị quyết về xây dựng nông thôn mới", purpose="Nâng cao đời sống Nhân dân.")
    with django_capture_on_commit_callbacks(execute=True):
        resolution = services.issue(draft, on=date(2026, 11, 5))
    Task.objects.create(resolution=resolution, title="Làm đường bê tông", deadline=date(2026, 12, 20),
                        responsible=Member.objects.get(user=member))  # fmt: skip
    client.force_login(secretary)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("resolutions:render", args=[resolution.pk]))  # the new task: a new PDF
    resolution.refresh_from_db()
    assert resolution.pdf_status == "ready"
    client.force_login(member)
    content = b"".join(client.get(reverse("resolutions:pdf", args=[resolution.pk])).streaming_content)
    reader = PdfReader(io.BytesIO(content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))
    expected_texts = ["NGHỊ QUYẾT", "Số 01-NQ/CB", "ĐẢNG CỘNG SẢN VIỆT NAM", "Tân Hưng, ngày 05 tháng 11 năm 2026",
                      "Nâng cao đời sống Nhân dân.", "Làm đường bê tông", "Lê Thị Hoa", "T/M CHI BỘ"]  # fmt: skip
    for expected in [*expected_texts, "Trần Văn Bí"]:
        assert expected in text, expected
    word = client.get(reverse("resolutions:docx", args=[resolution.pk]))
    document = WordDocument(io.BytesIO(word.content))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "NGHỊ QUYẾT" in paragraphs and "Làm đường bê tông" in document.tables[1].rows[1].cells[0].text
    # Renaming the cell later changes nothing in the issued text.
    resolution.cell.name = "Chi bộ Đổi Tên"
    resolution.cell.save()
    from resolutions import documents

    assert documents.content(Resolution.objects.get(pk=resolution.pk))["cell"]["name"] == "Chi bộ thôn Đông"


def test_annual_evidence_on_a_constructed_year(client, make_resolution, secretary, member, cell, make_member):
    from resolutions.evidence import evidence

    resolution = services.issue(make_resolution(), on=date(2026, 1, 10))
    people = {
        "good": Member.objects.get(user=member),
        "done": make_member(cell, "Phạm Văn Đủ"),
        "not_done": make_member(cell, "Vũ Văn Chưa"),
        "none": make_member(cell, "Đỗ Văn Không"),
        "exempt": make_member(cell, "Hồ Văn Miễn", status=Member.Status.EXEMPT),
    }

    def task(who, deadline, status, finished=None):
        item = Task.objects.create(resolution=resolution, title="Việc", responsible=people[who], deadline=deadline)
        if status != "open":
            services.report_progress(item, None, status, 100, on=finished or deadline)

    for month in (2, 3, 4):
        task("good", date(2026, month, 20), Task.Status.DONE, date(2026, month, 18))
    for month in (2, 3, 4, 5):
        task("done", date(2026, month, 20), Task.Status.DONE)
    task("done", date(2026, 6, 20), Task.Status.DONE, date(2026, 6, 25))  # 1 late of 5: 20%
    task("not_done", date(2026, 3, 1), "open")  # overdue, never reported
    task("exempt", date(2026, 3, 1), "open")
    rows = evidence(Member.objects.filter(pk__in=[m.pk for m in people.values()]), 2026, today=date(2026, 11, 21))
    figures = {name: rows[m.pk] for name, m in people.items()}
    assert {name: f["band"] for name, f in figures.items()} == {
        "good": "good", "done": "done", "not_done": "not_done", "none": "none", "exempt": "exempt",
    }  # fmt: skip
    assert (figures["done"]["tasks"], figures["done"]["on_time"], figures["done"]["late_done"]) == (5, 4, 1)
    assert figures["not_done"]["not_done"] == 1
    client.force_login(secretary)
    page = client.get(reverse("resolutions:evidence", args=[cell.pk]) + "?year=2026")
    assert page.status_code == 200 and len(page.context["rows"]) == 6  # the five (one is the member) and the secretary
    client.force_login(member)
    assert client.get(reverse("resolutions:evidence", args=[cell.pk])).status_code == 403


@time_machine.travel("2027-02-01 09:00 +0700")
def test_the_evidence_counts_the_year_s_attendance_speaking_and_essays(cell, make_member):
    """The figures read by SQL written out (resolutions/evidence.py): the months are Vietnam's, committee
    meetings and other years do not count, absences count toward removal only for members expected there."""
    from meetings import services as meeting_services
    from meetings.models import Meeting
    from minutes.models import Contribution, Minutes
    from resolutions.evidence import evidence
    from resolutions.models import Directive, StudyEssay, StudySession

    an, binh = make_member(cell, "Nguyễn Văn An"), make_member(cell, "Trần Văn Bình")
    mien = make_member(cell, "Hồ Văn Miễn", status=Member.Status.EXEMPT)

    def meeting(*when, kind=Meeting.Kind.REGULAR, **marks):
        held = meeting_services.create_meeting(
            Meeting(cell=cell, starts_at=timezone.make_aware(datetime(*when)), place="Nhà văn hóa", kind=kind)
        )
        people = {"an": an, "binh": binh, "mien": mien}
        marks = {people[name].pk: (mark, "Ốm" if mark == "excused" else "") for name, mark in marks.items()}
        meeting_services.record_attendance(held, marks)
        return held

    meeting(2025, 12, 31, 23, 30, an="late", binh="unexcused")  # last year
    january = meeting(2026, 1, 1, 6, 0, an="present", binh="unexcused", mien="unexcused")  # still 2025 in UTC
    meeting(2026, 3, 5, 19, 30, an="unexcused", binh="excused", mien="unexcused")
    meeting(2026, 3, 20, 19, 30, kind=Meeting.Kind.THEMATIC, an="unexcused")  # March again: one month
    meeting(2026, 4, 5, 19, 30, kind=Meeting.Kind.COMMITTEE, an="unexcused", binh="unexcused")  # not the cell's
    june = meeting(2026, 6, 5, 19, 30, an="unexcused", binh="present", mien="unexcused")
    meeting(2026, 8, 5, 19, 30, an="unexcused", binh="late")
    december = meeting(2026, 12, 31, 23, 30, an="late", binh="present")
    meeting(2027, 1, 1, 0, 0, an="present", binh="unexcused")  # next year, though still 2026 in UTC
    spoken = {held: Minutes.objects.create(meeting=held) for held in (january, june, december)}
    for held, who in ((january, an), (january, an), (june, an), (december, binh), (december, an)):
        Contribution.objects.create(minutes=spoken[held], member=who, summary="Ý kiến")
    old = Minutes.objects.create(meeting=meeting(2025, 6, 5, 19, 30))
    Contribution.objects.create(minutes=old, member=binh, summary="Ý kiến")
    sessions = [
        StudySession.objects.create(cell=cell, held_on=date(2026, 1, 1), directive=Directive.objects.create(
            unit=cell.parent, title=f"Nghị quyết {n}", study_by=date(2026, 12, 31)))
        for n in (1, 2)
    ]  # fmt: skip
    essays = [(an, date(2026, 12, 31)), (binh, date(2025, 12, 31)), (an, date(2027, 1, 1)), (binh, date(2026, 1, 1))]
    for session, (who, on) in zip([sessions[0]] * 2 + [sessions[1]] * 2, essays, strict=True):
        StudyEssay.objects.create(session=session, member=who, submitted_on=on)
    rows = evidence(Member.objects.filter(pk__in=[an.pk, binh.pk, mien.pk]), 2026, today=date(2026, 12, 31))
    keys = ("present", "late", "excused", "unexcused", "spoke", "essays", "removal_months")
    assert {m.full_name: tuple(rows[m.pk][key] for key in keys) for m in (an, binh, mien)} == {
        "Nguyễn Văn An": (1, 1, 0, 4, 3, 1, [3, 6, 8]),
        "Trần Văn Bình": (2, 1, 1, 1, 1, 1, []),
        "Hồ Văn Miễn": (0, 0, 0, 3, 0, 0, []),  # exempt: not expected, so never flagged
    }


def test_interim_and_final_reviews_move_the_resolution_on(client, issued, secretary, member):
    resolution, _task = issued
    client.force_login(member)
    url = reverse("resolutions:review", args=[resolution.pk])
    assert client.post(url, {"kind": "interim", "held_on": "01/12/2026", "conclusions": "Đạt 60%"}).status_code == 403
    client.force_login(secretary)
    client.post(url, {"kind": "interim", "held_on": "01/12/2026", "conclusions": "Đạt 60% kế hoạch."})
    assert Resolution.objects.get(pk=resolution.pk).status == "under_review"
    client.post(url, {"kind": "final", "held_on": "20/12/2026", "conclusions": "Hoàn thành."})
    assert Resolution.objects.get(pk=resolution.pk).status == "completed"
    client.post(url, {"kind": "interim", "held_on": "21/12/2026", "conclusions": "Thêm nữa?"})
    assert resolution.reviews.count() == 2  # a completed resolution takes no more reviews
    with pytest.raises(services.ResolutionError):
        services.add_review(resolution, "interim", date(2026, 12, 22), "x")


# The essay is dated the day it is handed in and counts in that year's evidence: three days after the session.
@time_machine.travel("2026-12-08 09:00 +0700")
def test_a_cell_studies_a_directive_and_members_hand_in_essays(client, commune_admin, secretary, member, cell,
                                                               sibling_cell, outsider, other_cell):  # fmt: skip
    from resolutions.models import Directive, StudySession

    client.force_login(commune_admin)
    data = {"title": "Nghị quyết Đại hội Đảng bộ xã", "reference": "01-NQ/ĐU", "study_by": "31/12/2026"}
    client.post(reverse("resolutions:directives", args=[cell.parent_id]), data)
    directive = Directive.objects.get()
    client.force_login(secretary)
    page = client.get(reverse("resolutions:study", args=[cell.pk]))
    assert [item.title for item in page.context["items"]] == ["Nghị quyết Đại hội Đảng bộ xã"]
    hoa = Member.objects.get(user=member)
    client.post(reverse("resolutions:study", args=[cell.pk]),
                {"directive": directive.pk, "held_on": "05/12/2026", "attendees": [hoa.pk]})  # fmt: skip
    session = StudySession.objects.get()
    assert (session.held_on, list(session.attendees.all())) == (date(2026, 12, 5), [hoa])
    client.force_login(member)
    client.post(reverse("resolutions:essay", args=[session.pk]), {})
    assert [e.member for e in session.essays.all()] == [hoa]
    client.force_login(outsider)  # another commune's cell: neither the directive nor the session
    assert client.get(reverse("resolutions:study", args=[other_cell.pk])).context["items"] == []
    assert client.post(reverse("resolutions:essay", args=[session.pk]), {}).status_code == 404
    client.force_login(commune_admin)
    listing = client.get(reverse("resolutions:directives", args=[cell.parent_id]))
    assert listing.context["items"][0].studied == 1 and listing.context["cells"] == 2
    # The essays count in the year's evidence.
    from resolutions.evidence import evidence

    assert evidence(Member.objects.filter(pk=hoa.pk), 2026)[hoa.pk]["essays"] == 1


def test_numbers_are_per_cell(make_resolution, other_cell, outsider):
    from datetime import timedelta

    from django.utils import timezone

    from meetings import services as meeting_services
    from meetings.models import Meeting
    from minutes import workflow

    services.issue(make_resolution(), on=date(2026, 3, 1))
    elsewhere = meeting_services.create_meeting(
        Meeting(cell=other_cell, starts_at=timezone.now() - timedelta(days=2), place="X")
    )
    vote = Vote.objects.create(minutes=workflow.start(elsewhere), subject="NQ", votes_for=1, base=1, passed=True)
    other = Resolution.objects.create(cell=other_cell, meeting=elsewhere, vote=vote, title="NQ")
    assert services.issue(other, on=date(2026, 3, 2)).number == 1


def test_a_vote_resting_under_a_resolution_cannot_change_and_a_correction_is_no_error(
    client, make_resolution, held_meeting, secretary
):
    from minutes.models import Minutes

    client.force_login(secretary)
    minutes = Minutes.objects.get(meeting=held_meeting)
    vote = Vote.objects.get(minutes=minutes)
    data = {
        "version": minutes.version, "date": timezone_date(held_meeting), "start_time": "19:30", "end_time": "21:15",
        "place": "X", "chair": "", "chair_title": "", "minute_taker": "", "guests": "", "praise_criticism": "",
        "conclusion": "", "sections-TOTAL_FORMS": 0, "sections-INITIAL_FORMS": 0, "contributions-TOTAL_FORMS": 0,
        "contributions-INITIAL_FORMS": 0, "tasks-TOTAL_FORMS": 0, "tasks-INITIAL_FORMS": 0,
        "votes-TOTAL_FORMS": 1, "votes-INITIAL_FORMS": 1, "votes-0-id": vote.pk, "votes-0-subject": vote.subject,
        "votes-0-method": "hands", "votes-0-votes_for": 1, "votes-0-votes_against": 1, "votes-0-votes_other": 0,
    }  # fmt: skip
    url = reverse("meetings:minutes_edit", args=[held_meeting.pk])
    assert client.post(url, data).status_code == 302  # corrected: it no longer passes, and no error
    vote.refresh_from_db()
    assert (vote.votes_for, vote.passed) == (1, False)
    data["votes-0-votes_for"], data["votes-0-votes_against"] = 2, 0
    data["version"] = Minutes.objects.get(pk=minutes.pk).version
    client.post(url, data)
    make_resolution()  # a resolution now rests on the vote
    data["version"] = Minutes.objects.get(pk=minutes.pk).version
    data["votes-0-votes_for"], data["votes-0-votes_against"] = 1, 1
    response = client.post(url, data)
    assert response.status_code == 200
    vote.refresh_from_db()
    assert (vote.votes_for, vote.passed) == (2, True)


def timezone_date(meeting):
    from django.utils import timezone

    return timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y")


def test_the_evidence_counts_only_tasks_already_due(make_resolution, member):
    from resolutions.evidence import evidence

    resolution = services.issue(make_resolution(), on=date(2026, 1, 10))
    hoa = Member.objects.get(user=member)
    for deadline, finished in [(date(2026, 2, 1), date(2026, 1, 30)), (date(2026, 3, 1), date(2026, 3, 5))]:
        item = Task.objects.create(resolution=resolution, title="Việc", responsible=hoa, deadline=deadline)
        services.report_progress(item, None, Task.Status.DONE, 100, on=finished)
    for month in (12, 12, 12):
        Task.objects.create(
            resolution=resolution, title="Chưa đến hạn", responsible=hoa, deadline=date(2026, month, 20)
        )
    figures = evidence(Member.objects.filter(pk=hoa.pk), 2026, today=date(2026, 11, 21))[hoa.pk]
    assert (figures["due"], figures["late_done"], figures["band"]) == (2, 1, "not_done")  # 1 late of 2 due: 50%
    # "Không hoàn thành" always says why, in the member's own figures.
    assert figures["band_reason"] == "1/2 nhiệm vụ hoàn thành muộn: quá 20%."
    later = evidence(Member.objects.filter(pk=hoa.pk), 2026, today=date(2027, 3, 1))[hoa.pk]
    assert later["not_done"] == 3  # seen after the year: what was never done is not done
    assert later["band_reason"] == "3 nhiệm vụ chưa hoàn thành, hoặc đã quá hạn mà chưa xong."


def test_a_single_late_task_says_why_on_the_member_s_page(client, make_resolution, secretary, member):
    resolution = services.issue(make_resolution(), on=date(2026, 1, 10))
    hoa = Member.objects.get(user=member)
    item = Task.objects.create(resolution=resolution, title="Việc", responsible=hoa, deadline=date(2026, 2, 1))
    services.report_progress(item, None, Task.Status.DONE, 100, on=date(2026, 2, 3))
    client.force_login(secretary)
    with time_machine.travel("2026-11-21 09:00 +0700"):
        page = client.get(reverse("members:detail", args=[hoa.pk])).content.decode()
    assert "Không hoàn thành nhiệm vụ</strong> — 1/1 nhiệm vụ hoàn thành muộn: quá 20%." in page


def test_no_resolution_from_a_committee_meeting(client, secretary, cell):
    from datetime import timedelta

    from django.utils import timezone

    from meetings import services as meeting_services
    from meetings.models import Meeting

    committee = meeting_services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() - timedelta(days=1), place="X", kind=Meeting.Kind.COMMITTEE)
    )
    client.force_login(secretary)
    assert client.get(reverse("resolutions:create", args=[committee.pk])).status_code == 404


def test_a_member_here_on_temporary_activity_reports_on_their_task(client, issued, member):
    _resolution, task = issued
    Member.objects.filter(user=member).update(status=Member.Status.VISITING)
    client.force_login(member)
    assert client.get(reverse("resolutions:task_progress", args=[task.pk])).status_code == 200


def test_bad_evidence_is_refused_and_nothing_is_recorded(client, issued, member):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _resolution, task = issued
    client.force_login(member)
    response = client.post(
        reverse("resolutions:task_progress", args=[task.pk]),
        {"status": "in_progress", "percent": 50, "evidence": SimpleUploadedFile("anh.png", b"MZ not an image")},
    )
    assert response.status_code == 200 and "evidence" in response.context["form"].errors
    assert not task.updates.exists()
    good = SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    client.post(reverse("resolutions:task_progress", args=[task.pk]),
                {"status": "in_progress", "percent": 50, "evidence": good})  # fmt: skip
    assert task.updates.get().evidence.name.endswith("anh.png")


def test_a_deadline_before_the_resolution_s_date_asks_for_a_confirmation(client, issued, secretary, member):
    resolution, _task = issued  # issued on 01/11/2026
    client.force_login(secretary)
    url = reverse("resolutions:task_create", args=[resolution.pk])
    data = {"title": "Rà soát hộ nghèo", "responsible": Member.objects.get(user=member).pk, "deadline": "30/11/2025"}
    response = client.post(url, data)
    assert response.status_code == 200 and "early_deadline" in response.context["form"].errors
    assert "trước ngày của nghị quyết, 01/11/2026" in response.content.decode()
    assert not resolution.tasks.filter(title="Rà soát hộ nghèo").exists()
    assert client.post(url, {**data, "early_deadline": "on"}).status_code == 302
    assert resolution.tasks.get(title="Rà soát hộ nghèo").deadline == date(2025, 11, 30)


def test_a_task_is_edited_or_withdrawn_until_it_has_progress(client, issued, secretary, member):
    resolution, task = issued
    client.force_login(secretary)
    page = client.get(resolution.get_absolute_url()).content.decode()
    assert reverse("resolutions:task_edit", args=[task.pk]) in page
    client.post(reverse("resolutions:task_edit", args=[task.pk]),
                {"title": "Vận động vệ sinh môi trường thôn", "responsible": task.responsible_id,
                 "deadline": "15/12/2026"})  # fmt: skip
    task.refresh_from_db()
    assert (task.title, task.deadline) == ("Vận động vệ sinh môi trường thôn", date(2026, 12, 15))
    services.report_progress(task, member, "in_progress", 30)
    response = client.post(reverse("resolutions:task_withdraw", args=[task.pk]), follow=True)
    assert "không thể sửa hoặc rút" in response.content.decode()
    assert Task.objects.filter(pk=task.pk).exists()
    page = client.get(resolution.get_absolute_url()).content.decode()
    assert reverse("resolutions:task_edit", args=[task.pk]) not in page
    other = Task.objects.create(resolution=resolution, title="Việc mới", responsible=task.responsible,
                                deadline=date(2026, 12, 20))  # fmt: skip
    client.post(reverse("resolutions:task_withdraw", args=[other.pk]))
    assert not Task.objects.filter(pk=other.pk).exists()


def test_the_minutes_assignments_become_tasks_without_retyping(client, issued, secretary, held_meeting):
    from minutes.models import MinutesTask

    resolution, _task = issued
    people = list(Member.objects.filter(cell=resolution.cell).order_by("pk"))
    minutes = held_meeting.minutes
    MinutesTask.objects.create(minutes=minutes, member=people[0], description="Sửa đường liên thôn",
                               deadline=date(2026, 12, 31))  # fmt: skip
    MinutesTask.objects.create(minutes=minutes, member=people[1], description="Thu đảng phí",
                               deadline=date(2026, 12, 15))  # fmt: skip
    MinutesTask.objects.create(minutes=minutes, member=None, description="Chuẩn bị hội nghị", deadline=None)
    client.force_login(secretary)
    page = client.get(resolution.get_absolute_url()).content.decode()
    assert "Lấy nhiệm vụ từ biên bản (3 việc)" in page
    response = client.post(reverse("resolutions:tasks_from_minutes", args=[resolution.pk]), follow=True)
    html = response.content.decode()
    assert "Đã tạo 2 nhiệm vụ từ biên bản." in html and "Chuẩn bị hội nghị" in html
    made = {(t.title, t.responsible_id, t.deadline) for t in resolution.tasks.exclude(pk=_task.pk)}
    assert made == {("Sửa đường liên thôn", people[0].pk, date(2026, 12, 31)),
                    ("Thu đảng phí", people[1].pk, date(2026, 12, 15))}  # fmt: skip
    client.post(reverse("resolutions:tasks_from_minutes", args=[resolution.pk]))  # again: nothing twice
    assert resolution.tasks.count() == 3


def test_no_task_is_made_for_a_member_gone_from_the_cell_since_the_minutes(client, issued, secretary, held_meeting,
                                                                           sibling_cell, make_member):  # fmt: skip
    from minutes.models import MinutesTask

    resolution, _task = issued
    moved = make_member(resolution.cell, "Đinh Văn Chuyển")
    suspended = make_member(resolution.cell, "Lò Văn Đình", status=Member.Status.SUSPENDED)
    for person, what in ((moved, "Việc của người đã chuyển"), (suspended, "Việc của người bị đình chỉ")):
        MinutesTask.objects.create(minutes=held_meeting.minutes, member=person, description=what,
                                   deadline=date(2026, 12, 31))  # fmt: skip
    Member.objects.filter(pk=moved.pk).update(cell=sibling_cell)  # transferred since the meeting
    client.force_login(secretary)
    html = client.post(reverse("resolutions:tasks_from_minutes", args=[resolution.pk]), follow=True).content.decode()
    assert "Việc của người đã chuyển" in html and "Việc của người bị đình chỉ" in html  # named as left out
    assert resolution.tasks.count() == 1  # only the task there was


def test_the_evidence_table_writes_each_member_s_row_escaped(settings):
    """The evidence's rows are written in Python (resolutions/templatetags/evidence.py): the member's name is
    escaped, the flag and the band's reason show when there are some, the counts in the table's order."""
    from django.template import engines
    from django.utils import translation

    member = Member(pk=41, full_name='Lê "Tí" <b>Bé</b> & Co')
    numbers = (9, 1, 2, 3, 4, 1, 5, 2, 1, 2)
    counts = dict(zip(("present", "late", "excused", "unexcused", "spoke", "essays", "tasks", "on_time", "late_done",
                       "not_done"), numbers, strict=True))  # fmt: skip
    rows = [
        {"member": member, "removal_months": [3, 4, 5], "band_label": "Không hoàn thành", "band_reason": "2 < 3",
         **counts},
        {"member": Member(pk=42, full_name="Trần Văn Hai"), "removal_months": [], "band_label": "Tốt",
         "band_reason": "", **dict.fromkeys(counts, 0)},
    ]  # fmt: skip
    with translation.override("vi"):
        html = engines["django"].from_string("{% load evidence %}{% evidence_rows rows %}").render({"rows": rows})
    first, second = html.split("\n")
    assert first == (
        '<tr data-member="41"><td><a href="/members/41/">Lê &quot;Tí&quot; &lt;b&gt;Bé&lt;/b&gt; &amp; Co</a> '
        '<span class="badge text-bg-danger">Vắng không lý do 3 tháng</span></td>'
        + "".join(f'<td class="text-end">{n}</td>' for n in numbers)
        + '<td>Không hoàn thành<div class="small text-body-secondary">2 &lt; 3</div></td></tr>'
    )
    assert second.startswith('<tr data-member="42"><td><a href="/members/42/">Trần Văn Hai</a></td>')
    assert second.endswith('<td class="text-end">0</td><td>Tốt</td></tr>')
