from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import AgendaItem, Attendance, Document, Invitation, Meeting, ScheduleRule, ThematicTopic
from members.models import Member
from notifications.models import Message

from .conftest import local

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@time_machine.travel("2026-11-21 09:00 +0700")
def test_the_secretary_plans_a_meeting_with_vietnamese_date_and_time(client, secretary, cell, member):
    client.force_login(secretary)
    response = client.post(
        reverse("meetings:create", args=[cell.pk]),
        {"kind": "regular", "title": "", "date": "03/12/2026", "time": "19:30", "duration_minutes": 90,
         "place": "Nhà văn hóa thôn Đông"},
    )  # fmt: skip
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    assert meeting.starts_at.astimezone(VN).strftime("%d/%m/%Y %H:%M") == "03/12/2026 19:30"
    assert (meeting.status, meeting.created_by) == ("planned", secretary)
    assert list(meeting.agenda_items.values_list("section", flat=True)[:1]) == ["opening"]
    assert str(meeting) == "Sinh hoạt thường kỳ tháng 12/2026"


@time_machine.travel("2026-11-21 09:00 +0700")
def test_a_second_regular_meeting_in_a_month_is_warned_about_before_saving(client, secretary, cell, make_meeting):
    make_meeting(cell, local(2026, 12, 3, 19, 30))
    client.force_login(secretary)
    data = {"kind": "regular", "date": "17/12/2026", "time": "19:30", "duration_minutes": 90, "place": "X"}
    response = client.post(reverse("meetings:create", args=[cell.pk]), data)
    assert response.status_code == 200 and "second_regular" in response.context["form"].errors
    html = response.content.decode()
    assert "Chi bộ đã có buổi sinh hoạt thường kỳ tháng này, ngày 03/12/2026." in html
    assert 'type="checkbox" name="second_regular"' in html
    assert Meeting.objects.count() == 1  # nothing saved yet
    # A thematic meeting the same month is no second regular one; nor is a regular one in January.
    assert client.post(reverse("meetings:create", args=[cell.pk]), {**data, "kind": "thematic"}).status_code == 302
    assert client.post(reverse("meetings:create", args=[cell.pk]), {**data, "date": "07/01/2027"}).status_code == 302
    # Ticked: planned.
    assert client.post(reverse("meetings:create", args=[cell.pk]), {**data, "second_regular": "on"}).status_code == 302
    assert Meeting.objects.regular().in_month(2026, 12).count() == 2


def test_a_cell_meeting_is_at_least_90_minutes(client, secretary, cell):
    client.force_login(secretary)
    response = client.post(
        reverse("meetings:create", args=[cell.pk]),
        {"kind": "regular", "date": "03/12/2026", "time": "19:30", "duration_minutes": 45, "place": "X"},
    )
    assert "duration_minutes" in response.context["form"].errors
    assert not Meeting.objects.exists()


def test_bad_dates_and_times_are_refused(client, secretary, cell):
    client.force_login(secretary)
    response = client.post(
        reverse("meetings:create", args=[cell.pk]),
        {"kind": "regular", "date": "31/11/2026", "time": "25:00", "duration_minutes": 90, "place": "X"},
    )
    assert {"date", "time"} <= set(response.context["form"].errors)
    assert not Meeting.objects.exists()


def test_the_chair_is_chosen_among_the_cells_members(client, secretary, cell, other_cell, make_member):
    stranger = make_member(other_cell, "Người Ngoài Chi Bộ")
    client.force_login(secretary)
    response = client.post(
        reverse("meetings:create", args=[cell.pk]),
        {"kind": "regular", "date": "03/12/2026", "time": "19:30", "duration_minutes": 90, "place": "X",
         "chair": stranger.pk},
    )  # fmt: skip
    assert "chair" in response.context["form"].errors


def test_once_invited_the_time_changes_only_by_moving(client, secretary, cell, make_meeting):
    meeting = make_meeting(cell, timezone.now() + timedelta(days=5))
    services.confirm(meeting)
    client.force_login(secretary)
    starts_at = meeting.starts_at
    client.post(
        reverse("meetings:edit", args=[meeting.pk]),
        {"kind": "regular", "title": "Tên mới", "date": "01/01/2030", "time": "08:00", "duration_minutes": 120,
         "place": "Hội trường"},
    )  # fmt: skip
    meeting.refresh_from_db()
    assert (meeting.title, meeting.duration_minutes, meeting.starts_at) == ("Tên mới", 120, starts_at)


def test_move_postpone_and_cancel_through_the_pages(client, secretary, cell, make_meeting):
    meeting = make_meeting(cell, timezone.now() + timedelta(days=5))
    client.force_login(secretary)
    new_day = (timezone.localdate() + timedelta(days=9)).strftime("%d/%m/%Y")
    client.post(reverse("meetings:move", args=[meeting.pk]), {"date": new_day, "time": "08:00", "reason": "Mùa vụ"})
    meeting.refresh_from_db()
    assert meeting.starts_at.astimezone(VN).strftime("%d/%m/%Y %H:%M") == f"{new_day} 08:00"
    past = client.post(reverse("meetings:move", args=[meeting.pk]), {"date": "01/01/2020", "time": "08:00",
                                                                      "reason": "x"})  # fmt: skip
    assert past.status_code == 200 and past.context["form"].errors
    client.post(reverse("meetings:postpone", args=[meeting.pk]), {"reason": "Bão"})
    assert Meeting.objects.get(pk=meeting.pk).status == "postponed"
    client.post(reverse("meetings:cancel", args=[meeting.pk]), {"reason": "Bão to"})
    meeting.refresh_from_db()
    assert (meeting.status, meeting.status_reason) == ("cancelled", "Bão to")
    assert list(meeting.changes.values_list("action", flat=True)) == ["cancelled", "postponed", "moved", "created"]


def test_moving_starts_from_the_meeting_s_time_and_asks_for_replies_again(
    client, secretary, member, cell, make_meeting, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel("2026-11-20 09:00 +0700", tick=False):
        meeting = make_meeting(cell, local(2026, 12, 3, 19, 30))
        services.confirm(meeting)
        lan = Invitation.objects.get(meeting=meeting, member__user=member)
        services.reply(lan, "yes", "", through_link=False)
        client.force_login(secretary)
        form = client.get(reverse("meetings:move", args=[meeting.pk])).context["form"]
        assert form["date"].value() == date(2026, 12, 3) and form["time"].value().strftime("%H:%M") == "19:30"
        # Another hour the same day: the replies hold.
        client.post(reverse("meetings:move", args=[meeting.pk]), {"date": "03/12/2026", "time": "08:00",
                                                                  "reason": "Trùng lịch"})  # fmt: skip
        lan.refresh_from_db()
        assert lan.reply == "yes"
        # Another day: the reply given for the old day no longer counts, and the members are asked again.
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("meetings:move", args=[meeting.pk]), {"date": "05/12/2026", "time": "19:30",
                                                                      "reason": "Mùa vụ"})  # fmt: skip
    lan.refresh_from_db()
    assert (lan.reply, lan.replied_at) == ("", None)
    assert meeting.changes.filter(action="moved").first().detail["replies_reset"] == 1
    [notice] = [m for m in mailoutbox if m.to == [Member.objects.get(user=member).email]]
    assert "không còn giá trị: đề nghị đồng chí trả lời lại" in notice.body


def agenda_data(items, **extra):
    data = {"form-TOTAL_FORMS": len(items), "form-INITIAL_FORMS": len(items)}
    for index, item in enumerate(items):
        data.update({f"form-{index}-id": item.pk, f"form-{index}-section": item.section,
                     f"form-{index}-order": item.order, f"form-{index}-title": item.title})  # fmt: skip
    return {**data, **extra}


def test_new_agenda_items_go_last_and_items_move_up_and_down(client, secretary, cell, make_meeting):
    meeting = make_meeting(cell)
    client.force_login(secretary)
    url = reverse("meetings:agenda", args=[meeting.pk])
    page = client.get(url)
    body = [i.order for i in meeting.agenda_items.all() if i.section != "closing"]
    new_rows = page.context["formset"].extra_forms
    assert [form["order"].value() for form in new_rows] == [max(body) + 1, max(body) + 2]
    html = page.content.decode()
    assert html.count('name="move"') == 2 * meeting.agenda_items.count()  # buttons: reached by keyboard too
    items = list(meeting.agenda_items.order_by("order", "pk"))
    # "Move up" on the third item: it is second now, and the agenda keeps one place per item.
    response = client.post(url, agenda_data(items, move=f"{items[2].pk}:up"))
    assert response["Location"] == url
    after = list(meeting.agenda_items.order_by("order", "pk"))
    assert [i.pk for i in after[:3]] == [items[0].pk, items[2].pk, items[1].pk]
    assert len({i.order for i in after}) == len(after)
    # "Move down" on the last does nothing; an id of another meeting's item changes nothing either.
    other = make_meeting(cell).agenda_items.first()
    for move in (f"{after[-1].pk}:down", f"{other.pk}:up", "x:up"):
        client.post(url, agenda_data(after, move=move))
        assert list(meeting.agenda_items.order_by("order", "pk")) == after


def test_the_agenda_is_edited_added_to_and_trimmed(client, secretary, cell, make_meeting):
    meeting = make_meeting(cell)
    items = list(meeting.agenda_items.all())
    client.force_login(secretary)
    data = {"form-TOTAL_FORMS": len(items) + 1, "form-INITIAL_FORMS": len(items)}
    for index, item in enumerate(items):
        data.update({f"form-{index}-id": item.pk, f"form-{index}-section": item.section,
                     f"form-{index}-order": item.order, f"form-{index}-title": item.title})  # fmt: skip
    data["form-0-DELETE"] = "on"
    data.update({f"form-{len(items)}-section": "body", f"form-{len(items)}-order": 95,
                 f"form-{len(items)}-title": "Học tập chuyên đề năm 2026"})  # fmt: skip
    assert client.post(reverse("meetings:agenda", args=[meeting.pk]), data).status_code == 302
    titles = list(AgendaItem.objects.filter(meeting=meeting).values_list("title", flat=True))
    assert len(titles) == len(items) and items[0].title not in titles
    assert titles[8] == "Học tập chuyên đề năm 2026"


@time_machine.travel("2026-03-10 09:00 +0700")
def test_the_schedule_page_saves_the_rule_and_plans_the_year(client, secretary, cell):
    client.force_login(secretary)
    response = client.post(
        reverse("meetings:schedule", args=[cell.pk]),
        {"rule-mode": "weekday", "rule-day": 3, "rule-nth": 1, "rule-weekday": 0, "rule-time": "19:30",
         "rule-weekend": "keep", "rule-duration_minutes": 90, "rule-place": "Nhà văn hóa",
         "rule-committee_days_before": 2},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(reverse("meetings:schedule", args=[cell.pk]))
    assert [s.astimezone(VN).date() for s in page.context["proposal"]][:2] == [date(2026, 4, 6), date(2026, 5, 4)]
    client.post(reverse("meetings:schedule", args=[cell.pk]), {"plan": "1", "year": 2026})
    assert Meeting.objects.filter(cell=cell, kind="regular").count() == 9
    assert ScheduleRule.objects.get(cell=cell).committee_days_before == 2
    # Planning next year shows next year's list, not this one's.
    planned = client.post(reverse("meetings:schedule", args=[cell.pk]), {"plan": "1", "year": 2027}, follow=True)
    assert planned.redirect_chain[-1][0].endswith("?view=list&month=2027-01")
    listed = planned.context["meetings"]
    assert listed and {timezone.localtime(m.starts_at).year for m in listed} == {2027}


@time_machine.travel("2026-11-21 09:00 +0700")  # a meeting on 20/12/2026 is within the planning window
def test_a_topic_becomes_a_thematic_meeting(client, secretary, cell, member):
    client.force_login(secretary)
    client.post(reverse("meetings:topics", args=[cell.pk]), {"year": 2026, "quarter": 4, "title": "Chuyển đổi số"})
    topic = ThematicTopic.objects.get()
    client.post(
        reverse("meetings:topic_meeting", args=[topic.pk]),
        {"kind": "thematic", "title": topic.title, "date": "20/12/2026", "time": "19:30", "duration_minutes": 90,
         "place": "Nhà văn hóa"},
    )  # fmt: skip
    meeting = Meeting.objects.get()
    assert (meeting.kind, meeting.topic) == ("thematic", topic)
    assert "Trình bày chuyên đề" in list(meeting.agenda_items.values_list("title", flat=True))


def test_the_calendar_query_count_does_not_grow_with_meetings(client, member, cell, make_meeting,
                                                             django_assert_num_queries):  # fmt: skip
    client.force_login(member)
    url = reverse("meetings:calendar", args=[cell.pk]) + "?month=2026-12"
    # session, user with their access and their cell (the page's: no query of its own), the meetings of the
    # month, the cell's warnings (the months covered and its first month, in one)
    with django_assert_num_queries(4):
        client.get(url)
    for day in range(1, 25, 3):
        make_meeting(cell, local(2026, 12, day, 19, 30))
    with django_assert_num_queries(4):
        response = client.get(url)
    assert sum(len(meetings) for week in response.context["weeks"] for _day, meetings in week) == 8


def test_the_meeting_page_query_count_does_not_grow_with_the_cell(client, secretary, cell, make_meeting,
                                                                 make_member, django_assert_num_queries):  # fmt: skip
    meeting = make_meeting(cell, timezone.now() + timedelta(days=5))
    services.confirm(meeting)
    client.force_login(secretary)
    url = reverse("meetings:detail", args=[meeting.pk])
    # session, user with their access, the meeting with its cell (no chair, minute-taker or meeting it prepares
    # to read), agenda, documents, invitations, attendance, the guidance (with the previous regular meeting), the
    # messages, the previous resolution to review, the dues report (the money collected; the month's lines and
    # the arrears), history
    with django_assert_num_queries(13):
        client.get(url)
    for number in range(10):
        make_member(cell, f"Đảng Viên Mới {number}")
    services.invite_members(meeting)
    for item in meeting.agenda_items.all():  # two documents under each item of the agenda, and one apart
        for title in ("Dự thảo", "Phụ lục"):
            Document.objects.create(meeting=meeting, agenda_item=item, title=title, file="meetings/x.pdf")
    Document.objects.create(meeting=meeting, title="Báo cáo", file="meetings/y.pdf")
    with django_assert_num_queries(13):
        response = client.get(url)
    assert len(response.context["invitations"]) == 11  # the secretary and ten new members
    agenda = response.context["agenda"]
    assert agenda and all([d.title for d in item.attached_documents] == ["Dự thảo", "Phụ lục"] for item in agenda)
    assert [d.title for d in response.context["documents"]] == ["Báo cáo"]


@time_machine.travel("2026-11-21 09:00 +0700")
def test_a_held_meetings_page_shows_its_people_lists_and_history_in_order(client, secretary, cell, make_meeting,
                                                                         make_member,
                                                                         django_assert_num_queries):  # fmt: skip
    """What `meetings.page` reads written out as SQL, against the rows: each list in the page's order (members
    by their given name, Vietnamese style)."""
    bi, hoa, an = Member.objects.get(user=secretary), make_member(cell, "Lê Thị Hoa"), make_member(cell, "Đỗ Văn An")
    meeting = make_meeting(cell, local(2026, 11, 10, 19, 30), kind=Meeting.Kind.THEMATIC, title="Chuyên đề",
                           chair=bi, minute_taker=hoa)  # fmt: skip
    committee = make_meeting(cell, local(2026, 11, 5, 19, 30), kind=Meeting.Kind.COMMITTEE, prepares=meeting)
    AgendaItem.objects.filter(meeting=meeting).delete()
    second = AgendaItem.objects.create(meeting=meeting, order=2, title="Thảo luận", section="body")
    first = AgendaItem.objects.create(meeting=meeting, order=1, title="Khai mạc", section="opening", notes="Ghi chú")
    apart = Document.objects.create(meeting=meeting, title="Báo cáo", file="meetings/y.pdf")
    under = Document.objects.create(meeting=meeting, agenda_item=first, title="Dự thảo", file="meetings/x.pdf")
    Document.objects.filter(pk=apart.pk).update(uploaded_at=local(2026, 11, 9, 20))  # late: due by the 9th 19:30
    Document.objects.filter(pk=under.pk).update(uploaded_at=local(2026, 11, 1, 8))
    for who, reply, expected in [(hoa, "no", True), (an, "yes", True), (bi, "", False)]:
        Invitation.objects.create(
            meeting=meeting, member=who, reply=reply, expected=expected, reason="Ốm" * (reply == "no")
        )
    for who, status in [(hoa, "excused"), (an, "unexcused"), (bi, "present")]:
        Attendance.objects.create(meeting=meeting, member=who, status=status, category="official",
                                  reason="Đi công tác" * (status == "excused"))  # fmt: skip
    Message.objects.create(meeting=meeting, member=hoa, kind="invitation", status="failed", channel="sms")
    Message.objects.create(meeting=meeting, member=an, kind="reminder", status="delivered", channel="zalo",
                           delivered_at=local(2026, 11, 8, 7, 5))  # fmt: skip
    services.save_edited(meeting, [], by=secretary)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    client.force_login(secretary)
    url = reverse("meetings:detail", args=[meeting.pk])
    # session, user with their access, the meeting with its cell, its chair and minute-taker (and the meeting it
    # prepares), agenda, documents, invitations, attendance, messages, the minutes (final documents), history
    with django_assert_num_queries(11):
        page = client.get(url)
    context, html = page.context, page.content.decode()
    assert [(i.title, [d.title for d in i.attached_documents]) for i in context["agenda"]] == [
        ("Khai mạc", ["Dự thảo"]), ("Thảo luận", [])
    ]  # fmt: skip
    assert [i.section for i in context["agenda"]] == ["opening", "body"] and second.pk < first.pk
    assert "Ghi chú" in html and [d.pk for d in context["documents"]] == [apart.pk] != [under.pk]
    assert context["documents_due"]["late_ids"] == {apart.pk}
    assert [(i.member_name, i.reply, i.expected, i.reason) for i in context["invitations"]] == [
        ("Đỗ Văn An", "yes", True, ""), ("Trần Văn Bí", "", False, ""), ("Lê Thị Hoa", "no", True, "Ốm")
    ]  # fmt: skip
    assert context["own"].member_id == bi.pk and (context["replies"]["yes"], context["replies"]["no"]) == (1, 1)
    summary = context["summary"]
    assert (summary["present"], summary["base"]) == (1, 3)
    assert "Lê Thị Hoa (Đi công tác)" in html and [a.member_name for a in summary["unexcused"]] == ["Đỗ Văn An"]
    assert [(m.member_name, m.kind, m.channel, m.status) for m in context["sent_messages"]] == [
        ("Đỗ Văn An", "reminder", "zalo", "delivered"), ("Lê Thị Hoa", "invitation", "sms", "failed")
    ]  # fmt: skip
    assert [m.member_name for m in context["failed_messages"]] == ["Lê Thị Hoa"] and "08/11 07:05" in html
    history = [(c.action, c.by and str(c.by), c.at.date()) for c in context["history"]]
    assert history == [("edited", str(secretary), date(2026, 11, 21)), ("created", None, date(2026, 11, 21))]
    assert (str(context["meeting"].chair), str(context["meeting"].minute_taker)) == (bi.full_name, "Lê Thị Hoa")
    assert context["meeting"].prepares is None
    committee_page = client.get(reverse("meetings:detail", args=[committee.pk]))
    assert committee_page.context["meeting"].chair is None
    assert f'<a href="{url}">Chuyên đề</a>' in committee_page.content.decode()


def test_a_month_in_the_url_that_is_not_a_month_shows_this_month(client, member, cell):
    client.force_login(member)
    for bad in ["2026-13", "abc", "2026", "-1--1", "99999-01"]:
        response = client.get(reverse("meetings:calendar", args=[cell.pk]) + f"?month={bad}")
        assert response.status_code == 200
        assert response.context["first"] == timezone.localdate().replace(day=1)


def test_my_meetings_lists_upcoming_invitations(client, member, cell, make_meeting):
    meeting = make_meeting(cell, timezone.now() + timedelta(days=5))
    services.confirm(meeting)
    client.force_login(member)
    page = client.get(reverse("meetings:mine"))
    assert [i.meeting for i in page.context["upcoming"]] == [meeting]


@time_machine.travel("2026-11-21 09:00 +0700")
def test_my_meetings_query_count_does_not_grow_with_meetings(client, member, cell, make_meeting,
                                                             django_assert_num_queries):  # fmt: skip
    me = Member.objects.get(user=member)
    client.force_login(member)
    client.post(reverse("meetings:feed_renew"))
    url = reverse("meetings:mine")
    for count in (2, 12):
        while Attendance.objects.filter(member=me).count() < count:
            done = Attendance.objects.filter(member=me).count()
            upcoming = make_meeting(cell, local(2026, 12, 1 + done, 19, 30))
            services.confirm(upcoming)
            past = make_meeting(cell, local(2026, 10, 1 + done, 19, 30))
            services.record_attendance(past, {me.pk: ("present", "")})
        # session, user with their access, the invitations with their meetings and cells, the attendance with
        # its meetings, the calendar feed
        with django_assert_num_queries(5):
            page = client.get(url)
        assert (len(page.context["upcoming"]), len(page.context["past"])) == (count, count)


@pytest.mark.parametrize("month", ["9999-12", "1-1", "99999999999999999999-1", "2026-0"])
def test_months_far_away_show_this_month(client, member, cell, month):
    client.force_login(member)
    response = client.get(reverse("meetings:calendar", args=[cell.pk]) + f"?month={month}")
    assert response.status_code == 200


@pytest.mark.parametrize("day", ["31/12/9999", "01/01/0001", "01/01/1990"])
def test_a_meeting_date_far_from_today_is_refused(client, secretary, cell, make_meeting, day):
    client.force_login(secretary)
    data = {"kind": "regular", "date": day, "time": "19:30", "duration_minutes": 90, "place": "X"}
    response = client.post(reverse("meetings:create", args=[cell.pk]), data)
    assert response.status_code == 200 and "date" in response.context["form"].errors
    meeting = make_meeting(cell)
    response = client.post(reverse("meetings:edit", args=[meeting.pk]), data)
    assert response.status_code == 200 and "date" in response.context["form"].errors


def test_a_long_vietnamese_file_name_is_shortened(client, secretary, cell, make_meeting):
    from django.core.files.uploadedfile import SimpleUploadedFile

    meeting = make_meeting(cell)
    client.force_login(secretary)
    name = "Nghị quyết " + "ệ" * 200 + ".pdf"
    response = client.post(reverse("meetings:document_upload", args=[meeting.pk]),
                           {"title": "NQ", "file": SimpleUploadedFile(name, b"%PDF-1.4")})  # fmt: skip
    assert response.status_code == 302
    stored = meeting.documents.get().file.name.rsplit("/", 1)[-1]
    assert stored.endswith(".pdf") and len(stored.encode()) <= 110


def test_plain_members_do_not_see_committee_meetings(client, member, secretary, cell, make_meeting):
    committee = make_meeting(cell, kind=Meeting.Kind.COMMITTEE)
    regular = make_meeting(cell)
    client.force_login(member)
    assert client.get(reverse("meetings:detail", args=[committee.pk])).status_code == 404
    assert client.get(reverse("meetings:detail", args=[regular.pk])).status_code == 200
    client.force_login(secretary)
    assert client.get(reverse("meetings:detail", args=[committee.pk])).status_code == 200
