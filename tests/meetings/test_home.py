"""The home page by role, built from what is waiting: a member's next meeting with the two reply buttons, its
documents, their tasks and essays, the year's attendance; the month's path of the secretary through the
preparation steps; the cells a committee should follow up. Query counts are pinned and do not grow with the
data."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import services
from meetings.models import AgendaItem, Document, Invitation, Meeting
from members.models import Member
from minutes import workflow
from resolutions.models import Directive, Resolution, StudyEssay, StudySession, Task
from tests.meetings.conftest import local

NOW = "2026-12-05 09:00 +0700"


@pytest.fixture
def month(cell, secretary, member, make_member, make_meeting):
    """December 2026: the committee met on the 2nd, the regular meeting is on the 10th, invitations sent."""
    for n in range(3):
        make_member(cell, f"Đảng viên {n}")
    with time_machine.travel("2026-12-01 09:00 +0700", tick=False):
        committee = make_meeting(cell, local(2026, 12, 2, 19, 30), kind=Meeting.Kind.COMMITTEE)
        meeting = make_meeting(cell, local(2026, 12, 10, 19, 30))
        services.confirm(meeting)
    Meeting.objects.filter(pk=committee.pk).update(status=Meeting.Status.HELD)
    return meeting


def home(client, user):
    cache.clear()  # a committee's figures counted, not taken from the cache
    client.force_login(user)
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("members:home"))
    assert page.status_code == 200
    return page, len(queries.captured_queries)


def section(page, template):
    [found] = [s for s in page.context["sections"] if s["template"] == template]
    return found


def test_a_member_sees_the_next_meeting_and_replies_from_home(client, cell, member, month, make_meeting):
    Document.objects.create(meeting=month, title="Dự thảo nghị quyết tháng 12", file=ContentFile(b"x", "d.pdf"))
    with time_machine.travel("2026-12-01 09:00 +0700", tick=False):
        later = make_meeting(cell, local(2027, 1, 8, 19, 30))
        services.confirm(later)
    page, _queries = home(client, member)
    html = page.content.decode()
    next_meeting = section(page, "meetings/home_member.html")
    assert next_meeting["upcoming"].meeting == month
    assert "Tôi sẽ dự họp" in html and "Tôi không dự được" in html
    assert "Dự thảo nghị quyết tháng 12" in html
    assert "Còn 1 giấy mời khác chờ đồng chí trả lời." in html  # January's
    # "I will attend" from the home page: recorded, and the home then shows the answer.
    with time_machine.travel(NOW, tick=False):
        client.post(reverse("meetings:reply", args=[month.pk]), {"answer": "yes"})
    assert Invitation.objects.get(meeting=month, member__user=member).reply == "yes"
    html = home(client, member)[0].content.decode()
    assert "Câu trả lời của đồng chí: <strong>Sẽ dự</strong>" in html and "Đổi câu trả lời" in html


def test_a_member_sees_their_tasks_essays_and_the_year_s_attendance(client, cell, secretary, member, month,
                                                                      make_meeting):  # fmt: skip
    lan = Member.objects.get(user=member)
    with time_machine.travel("2026-11-01 09:00 +0700", tick=False):
        past = make_meeting(cell, local(2026, 11, 5, 19, 30))
    services.record_attendance(past, {m.pk: ("present" if m == lan else "unexcused", "")
                                      for m in Member.objects.filter(cell=cell)})  # fmt: skip
    minutes = workflow.start(past)
    resolution = Resolution.objects.create(cell=cell, meeting=past, title="Nghị quyết tháng 11", year=2026, number=1,
                                           status=Resolution.Status.ISSUED)  # fmt: skip
    Task.objects.create(resolution=resolution, title="Thu đảng phí quý IV", responsible=lan, deadline=date(2026, 12, 1))
    Task.objects.create(resolution=resolution, title="Đã xong", responsible=lan, deadline=date(2026, 11, 20),
                        status=Task.Status.DONE, percent=100)  # fmt: skip
    directive = Directive.objects.create(unit=cell.parent, title="Nghị quyết Đại hội XIV", study_by=date(2026, 12, 31))
    session = StudySession.objects.create(cell=cell, directive=directive, held_on=date(2026, 11, 25))
    session.attendees.add(lan)
    # Neither a draft's task nor a session whose essay they handed in is waiting for them.
    draft = Resolution.objects.create(cell=cell, meeting=past, title="Dự thảo", status=Resolution.Status.DRAFT)
    Task.objects.create(resolution=draft, title="Việc của dự thảo", responsible=lan, deadline=date(2026, 12, 1))
    handed_in = StudySession.objects.create(
        cell=cell, held_on=date(2026, 11, 10),
        directive=Directive.objects.create(unit=cell.parent, title="Chỉ thị đã nộp", study_by=date(2026, 12, 31)),
    )  # fmt: skip
    handed_in.attendees.add(lan)
    StudyEssay.objects.create(session=handed_in, member=lan, submitted_on=date(2026, 11, 12))
    assert minutes is not None
    page, _queries = home(client, member)
    html = page.content.decode()
    tasks = section(page, "resolutions/home_member.html")
    assert [t.title for t in tasks["tasks"]] == ["Thu đảng phí quý IV"] and tasks["tasks"][0].overdue
    assert reverse("resolutions:task_progress", args=[tasks["tasks"][0].pk]) in html and "Báo cáo" in html
    assert "Nghị quyết Đại hội XIV" in html and "Chỉ thị đã nộp" not in html
    assert "Năm 2026 đồng chí dự 1/1 buổi sinh hoạt." in html


def test_the_secretary_follows_the_month_s_path(client, cell, secretary, member, month):
    page, _queries = home(client, secretary)
    path = section(page, "meetings/home_path.html")
    assert path["meeting"] == month
    steps = {s["label"]: s for s in path["steps"]}
    assert list(steps) == ["Chi ủy họp chuẩn bị", "Chương trình và tài liệu, trước ít nhất một ngày",
                           "Đã gửi giấy mời, đã nhận trả lời", "Đã ghi nhận điểm danh",
                           "Biên bản đã viết, thông qua và ký", "Đã ban hành nghị quyết",
                           "Theo dõi nhiệm vụ"]  # fmt: skip
    assert steps["Chi ủy họp chuẩn bị"]["done"]
    agenda = steps["Chương trình và tài liệu, trước ít nhất một ngày"]
    assert not agenda["done"] and agenda["url"] == reverse("meetings:agenda", args=[month.pk])
    replies = steps["Đã gửi giấy mời, đã nhận trả lời"]
    assert not replies["done"] and replies["detail"] == "0/5 đã trả lời"
    assert "Lê Thị Hoa" in replies["silent"] and replies["url"] == reverse("meetings:reach", args=[month.pk])
    assert not steps["Biên bản đã viết, thông qua và ký"]["late"]  # the meeting is ahead
    assert steps["Theo dõi nhiệm vụ"]["done"]  # nothing overdue
    html = page.content.decode()
    assert 'id="home-path"' in html and "Cần làm" in html and "Hoàn thành" in html
    # A plain member sees no path.
    assert not [s for s in home(client, member)[0].context["sections"] if s["template"] == "meetings/home_path.html"]


def test_the_secretary_s_path_counts_what_each_step_needs(client, cell, sibling_cell, secretary, member, month,
                                                          make_member, make_meeting):  # fmt: skip
    from minutes.models import Minutes

    lan = Member.objects.get(user=member)
    items = AgendaItem.objects.filter(meeting=month).count()  # the agenda a new meeting starts with
    # The first document is up two days before the meeting, in time; a later one changes nothing.
    for title, days in (("Báo cáo tháng", 2), ("Phụ lục", 0)):
        document = Document.objects.create(meeting=month, title=title, file=ContentFile(b"x", "d.pdf"))
        Document.objects.filter(pk=document.pk).update(uploaded_at=month.starts_at - timedelta(days=days))
    Invitation.objects.filter(meeting=month, member=lan).update(reply=Invitation.Reply.YES)
    Minutes.objects.create(meeting=month, status=Minutes.Status.APPROVED)
    draft = Resolution.objects.create(cell=cell, meeting=month, title="Dự thảo nghị quyết tháng 12")
    # Tasks of the cell's resolutions in force: one overdue, one due within the week; the others are done, due
    # later, of a draft or of another cell.
    with time_machine.travel("2026-11-01 09:00 +0700", tick=False):
        november = make_meeting(cell, local(2026, 11, 5, 19, 30))
        other = make_meeting(sibling_cell, local(2026, 11, 6, 19, 30))
    issued = Resolution.objects.create(cell=cell, meeting=november, title="Nghị quyết tháng 11", year=2026, number=1,
                                       status=Resolution.Status.ISSUED)  # fmt: skip
    elsewhere = Resolution.objects.create(cell=sibling_cell, meeting=other, title="Nghị quyết", year=2026, number=1,
                                          status=Resolution.Status.ISSUED)  # fmt: skip
    someone = make_member(sibling_cell, "Trần Văn Nam")
    for resolution, responsible, deadline, status in (
        (issued, lan, date(2026, 12, 1), Task.Status.OPEN),
        (issued, lan, date(2026, 12, 8), Task.Status.IN_PROGRESS),
        (issued, lan, date(2026, 11, 20), Task.Status.DONE),
        (issued, lan, date(2026, 12, 20), Task.Status.OPEN),
        (draft, lan, date(2026, 12, 1), Task.Status.OPEN),
        (elsewhere, someone, date(2026, 12, 1), Task.Status.OPEN),
    ):
        Task.objects.create(resolution=resolution, title="Việc", responsible=responsible, deadline=deadline,
                            status=status)  # fmt: skip
    steps = {s["label"]: s for s in section(home(client, secretary)[0], "meetings/home_path.html")["steps"]}
    agenda = steps["Chương trình và tài liệu, trước ít nhất một ngày"]
    assert agenda["done"] and agenda["detail"] == f"{items} mục, 2 tài liệu"
    assert steps["Đã gửi giấy mời, đã nhận trả lời"]["detail"] == "1/5 đã trả lời"
    minutes = steps["Biên bản đã viết, thông qua và ký"]
    assert not minutes["done"] and minutes["detail"] == "Đã thông qua tại buổi sinh hoạt"
    resolution = steps["Đã ban hành nghị quyết"]
    assert not resolution["done"] and resolution["detail"] == "Bản nháp"
    assert resolution["url"] == reverse("resolutions:detail", args=[draft.pk])
    tasks = steps["Theo dõi nhiệm vụ"]
    assert not tasks["done"] and tasks["late"] and tasks["detail"] == "1 quá hạn, 1 đến hạn trong tuần"
    # Once issued (numbered), the meeting's resolution is the one the step links to.
    Resolution.objects.filter(pk=draft.pk).update(status=Resolution.Status.ISSUED, year=2026, number=2)
    steps = {s["label"]: s for s in section(home(client, secretary)[0], "meetings/home_path.html")["steps"]}
    resolution = steps["Đã ban hành nghị quyết"]
    assert resolution["done"] and resolution["url"] == reverse("resolutions:detail", args=[draft.pk])
    # Its task overdue since the 1st now counts too.
    assert steps["Theo dõi nhiệm vụ"]["detail"] == "2 quá hạn, 1 đến hạn trong tuần"


def test_a_late_first_document_leaves_the_agenda_step_to_do(client, cell, secretary, month):
    items = AgendaItem.objects.filter(meeting=month).count()
    document = Document.objects.create(meeting=month, title="Báo cáo tháng", file=ContentFile(b"x", "d.pdf"))
    Document.objects.filter(pk=document.pk).update(uploaded_at=month.starts_at - timedelta(hours=12))
    steps = {s["label"]: s for s in section(home(client, secretary)[0], "meetings/home_path.html")["steps"]}
    agenda = steps["Chương trình và tài liệu, trước ít nhất một ngày"]
    assert not agenda["done"] and agenda["detail"] == f"{items} mục, 1 tài liệu"


def test_the_secretary_s_home_makes_eleven_queries(client, cell, secretary, member, month, django_assert_num_queries):
    Document.objects.create(meeting=month, title="Dự thảo nghị quyết tháng 12", file=ContentFile(b"x", "d.pdf"))
    client.force_login(secretary)
    cache.clear()
    # The session; the user with their access; their invitations with the meetings; the next meeting's
    # documents; their year's attendance; the month's meetings with what every step of the path counts; the
    # names of those who have not replied; the cell's warnings; their tasks; the essays they owe; the cell's
    # structure with whether a transfer is in progress (none here).
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(11):
        page = client.get(reverse("members:home"))
    assert page.status_code == 200
    assert "Dự thảo nghị quyết tháng 12" in page.content.decode()


def test_without_this_month_s_meeting_the_path_says_to_plan_it(client, cell, secretary):
    page, _queries = home(client, secretary)
    [first] = section(page, "meetings/home_path.html")["steps"]
    assert first["url"] == reverse("meetings:create", args=[cell.pk]) and first["late"]
    html = page.content.decode()
    assert "Lập kế hoạch sinh hoạt thường kỳ tháng này" in html
    assert "Tháng này chưa có lịch sinh hoạt thường kỳ." in html  # and the cell's warning


def test_a_committee_sees_the_cells_to_follow_up(client, commune, cell, sibling_cell, commune_viewer, month):
    directive = Directive.objects.create(unit=commune, title="Chỉ thị 35", study_by=date(2026, 12, 31))
    StudySession.objects.create(cell=cell, directive=directive, held_on=date(2026, 12, 1))
    page, _queries = home(client, commune_viewer)
    found = section(page, "dashboards/home_committee.html")
    assert found["unit"] == commune and found["cells"] == 2
    committee = {item["key"]: [row["name"] for row in item["rows"]] for item in found["lists"]}
    # … and the cell structure (domain §8): too few official members, candidates to become a party committee
    assert set(committee) == {"overdue", "unapproved", "committee", "too_small", "party_committee"}
    html = page.content.decode()
    assert "Chỉ thị 35" in html and "1/2 chi bộ đã học tập" in html


def test_a_committee_s_home_keeps_its_cells_to_follow_up_while_the_cells_below_change(
    client, commune, cell, commune_viewer, month, make_meeting, django_capture_on_commit_callbacks
):
    from dashboards import summaries

    page, _queries = home(client, commune_viewer)  # counted: nothing kept yet
    generation = summaries.generation(commune)
    with time_machine.travel("2026-12-01 09:00 +0700", tick=False), django_capture_on_commit_callbacks(execute=True):
        services.confirm(make_meeting(cell, local(2026, 12, 20, 19, 30)))
    assert summaries.generation(commune) != generation  # the dashboard's own figures gave way
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
        again = client.get(reverse("members:home"))
    # session, the user with their access, the directives, the guidance: nothing below is counted again
    assert len(queries.captured_queries) == 4
    kept, counted = (section(p, "dashboards/home_committee.html") for p in (again, page))
    assert (kept["lists"], kept["cells"]) == (counted["lists"], counted["cells"])


def test_the_home_s_queries_do_not_grow_with_the_data(client, cell, secretary, member, commune_viewer, month,
                                                       make_member, make_meeting):  # fmt: skip
    counts = [home(client, user)[1] for user in (member, secretary, commune_viewer)]
    for n in range(15):
        make_member(cell, f"Đảng viên thêm {n}")
    with time_machine.travel("2026-12-01 09:00 +0700", tick=False):
        for day in (12, 15, 20):
            services.confirm(make_meeting(cell, local(2026, 12, day, 19, 30)))
    Document.objects.create(meeting=month, title="Tài liệu", file=ContentFile(b"x", "t.pdf"))
    assert [home(client, user)[1] for user in (member, secretary, commune_viewer)] == counts
    # member, secretary (with the cell's structure and whether a transfer is in progress, none here; the month's
    # meetings with what every step of its path counts in one query; the cell's warnings in one), committee
    # (counted: nothing kept; the dashboard's cells with their roll, members' year, sums and overdue tasks in one
    # query), each with the session and the user with their access
    assert counts == [7, 11, 8]


def test_a_member_transferred_out_no_longer_sees_the_old_cell_s_tasks(client, cell, sibling_cell, member, month):
    from resolutions.models import Resolution, Task

    lan = Member.objects.get(user=member)
    resolution = Resolution.objects.create(cell=cell, meeting=month, title="Nghị quyết", year=2026, number=3,
                                           status=Resolution.Status.ISSUED)  # fmt: skip
    Task.objects.create(resolution=resolution, title="Việc ở chi bộ cũ", responsible=lan, deadline=date(2026, 12, 20))
    assert "Việc ở chi bộ cũ" in home(client, member)[0].content.decode()
    Member.objects.filter(pk=lan.pk).update(cell=sibling_cell)
    assert "Việc ở chi bộ cũ" not in home(client, member)[0].content.decode()
