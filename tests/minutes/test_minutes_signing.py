"""Signing the minutes: who may sign, and the PDF of signed minutes staying current."""

import re

import pytest
import time_machine
from django.urls import reverse

from meetings import services
from meetings.models import Meeting
from members.models import Member
from minutes import workflow
from minutes.models import Minutes
from tests.conftest import make_user

from .conftest import local
from .test_minutes import edit_data, make_held, post_edit, vote

pytestmark = pytest.mark.django_db
OUT_OF_DATE = ("older than the latest changes", "cũ hơn các thay đổi mới nhất")


@pytest.fixture
def held(cell, make_member, make_meeting, secretary, member):
    return make_held(cell, make_member, make_meeting, secretary, member)


def out_of_date(page):
    text = page.content.decode()
    return any(notice in text for notice in OUT_OF_DATE)


def url(name, meeting):
    return reverse(f"meetings:{name}", args=[meeting.pk])


def with_a_vote_and_a_task(held):
    """A draft whose frozen record will hold votes and tasks: the parts the page decorates for display."""
    minutes = workflow.start(held)
    task = {"tasks-TOTAL_FORMS": 1, "tasks-0-member": held.people["o1"].pk,
            "tasks-0-description": "Sửa đường liên thôn", "tasks-0-deadline": "30/11/2026"}  # fmt: skip
    return minutes, edit_data(minutes, **vote("Nghị quyết tháng 10", 5), **task)


def test_signed_and_rendered_minutes_are_not_out_of_date(client, held, secretary, django_capture_on_commit_callbacks):
    client.force_login(secretary)
    minutes, data = with_a_vote_and_a_task(held)
    assert post_edit(client, held, data).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url("minutes_approve", held)).status_code == 302
        assert client.post(url("minutes_sign", held), {"confirm": "1"}).status_code == 302
    minutes.refresh_from_db()
    assert (minutes.status, minutes.pdf_status) == ("locked", "ready")
    rendered = minutes.pdf.name
    for _attempt in range(2):  # rendering again changes nothing: the notice never comes back
        page = client.get(url("minutes", held))
        assert page.status_code == 200
        assert page.context["pdf_current"] is True
        assert not out_of_date(page)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url("minutes_render", held))
    assert Minutes.objects.get(pk=minutes.pk).pdf.name == rendered
    assert "Sửa đường liên thôn" in page.content.decode()  # the page still shows what it decorated
    # A change to signed minutes (an addendum) makes the stored PDF out of date until its render has run.
    client.post(url("minutes_addendum", held), {"text": "Đính chính thời hạn."})
    assert client.get(url("minutes", held)).context["pdf_current"] is False


def test_showing_the_minutes_does_not_change_their_frozen_record(client, held, secretary):
    client.force_login(secretary)
    minutes, data = with_a_vote_and_a_task(held)
    assert post_edit(client, held, data).status_code == 302
    workflow.approve(minutes, secretary)
    workflow.sign(minutes, secretary)
    locked = Minutes.objects.get(pk=minutes.pk)
    frozen, before = locked.frozen, workflow.source_hash(locked)
    workflow.pdf_context(locked)
    workflow.pdf_context(locked)
    assert workflow.source_hash(locked) == before
    assert locked.frozen == frozen == Minutes.objects.get(pk=minutes.pk).frozen


def test_a_change_after_rendering_says_the_pdf_is_out_of_date(client, held, secretary,
                                                              django_capture_on_commit_callbacks):  # fmt: skip
    client.force_login(secretary)
    minutes, data = with_a_vote_and_a_task(held)
    assert post_edit(client, held, data).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("minutes_render", held))
    page = client.get(url("minutes", held))
    assert Minutes.objects.get(pk=minutes.pk).pdf_status == "ready"
    assert not out_of_date(page)
    minutes.refresh_from_db()
    assert post_edit(client, held, edit_data(minutes, conclusion="Kết luận đã sửa.")).status_code == 302
    page = client.get(url("minutes", held))
    assert page.context["pdf_current"] is False
    assert out_of_date(page)


@pytest.fixture
def taker(held, cell, make_member):
    """A plain member appointed to take the minutes of `held` (chaired, as planned, by the secretary)."""
    user = make_user("taker")
    person = make_member(cell, "Bùi Văn Ghi", user=user, email=user.email)
    Meeting.objects.filter(pk=held.pk).update(minute_taker=person)
    held.minute_taker = person
    return user


def test_a_minute_taker_cannot_make_himself_chair_and_sign(client, held, taker, secretary):
    himself = Member.objects.get(user=taker)
    client.force_login(taker)
    assert client.post(url("minutes_start", held)).status_code == 302
    minutes = Minutes.objects.get(meeting=held)
    response = post_edit(client, held, edit_data(minutes, chair=himself.pk, conclusion="Thư ký tự ghi."))
    assert response.status_code == 302
    assert client.post(url("minutes_approve", held)).status_code == 302
    page = client.get(url("minutes", held))
    assert url("minutes_sign", held) not in page.content.decode()
    assert client.post(url("minutes_sign", held), {"confirm": "1"}).status_code == 403
    minutes.refresh_from_db()
    assert (minutes.status, minutes.signed_by) == ("approved", None)
    assert minutes.conclusion == "Thư ký tự ghi."
    assert minutes.chair == Member.objects.get(user=secretary)  # posting the chair changed nothing
    # Even were the chair on the minutes his (an older save, the admin), the meeting's planned chair decides.
    Minutes.objects.filter(pk=minutes.pk).update(chair=himself)
    assert client.post(url("minutes_sign", held), {"confirm": "1"}).status_code == 403
    assert Minutes.objects.get(pk=minutes.pk).status == "approved"
    # The secretary can still send the minutes back to draft; the minute-taker sees the chair, not his to change.
    client.force_login(secretary)
    assert client.post(url("minutes_reopen", held)).status_code == 302
    assert Minutes.objects.get(pk=minutes.pk).status == "draft"
    client.force_login(taker)
    assert client.get(url("minutes_edit", held)).context["form"].fields["chair"].disabled


def test_the_planned_chair_signs_and_the_secretary_decides_who_chairs(client, held, cell, make_member, secretary):
    deputy_user, other_user = make_user("deputy"), make_user("other")
    deputy = make_member(cell, "Phan Văn Phó", position=Member.Position.DEPUTY, user=deputy_user)
    make_member(cell, "Mai Văn Khác", user=other_user)
    minutes = workflow.start(held)
    client.force_login(secretary)
    assert client.get(url("minutes_edit", held)).context["form"].fields["chair"].disabled is False
    # On the day the deputy chaired: the secretary records it, and the deputy becomes the chair who signs.
    assert post_edit(client, held, edit_data(minutes, chair=deputy.pk)).status_code == 302
    assert (Minutes.objects.get(pk=minutes.pk).chair, Meeting.objects.get(pk=held.pk).chair) == (deputy, deputy)
    assert held.changes.filter(action="chair", by=secretary).exists()
    assert client.post(url("minutes_approve", held)).status_code == 302
    client.force_login(other_user)  # a member who is not the chair
    assert client.post(url("minutes_sign", held), {"confirm": "1"}).status_code == 403
    client.force_login(deputy_user)
    assert client.post(url("minutes_sign", held), {"confirm": "1"}).status_code == 302
    minutes.refresh_from_db()
    assert (minutes.status, minutes.signed_by) == ("locked", deputy_user)


@pytest.mark.parametrize("signer", ["secretary", "commune_admin"])
@pytest.mark.parametrize("chaired_by", [None, "deputy"])
def test_the_secretary_and_an_administrator_above_may_sign(client, held, cell, make_member, secretary, outsider,
                                                           request, signer, chaired_by):  # fmt: skip
    # Whether the chair has no login or has one of their own, the secretary may sign, as may the committee above.
    if chaired_by:
        chaired_by = make_member(cell, "Phan Văn Phó", position=Member.Position.DEPUTY, user=make_user("deputy"))
    Meeting.objects.filter(pk=held.pk).update(chair=chaired_by)
    minutes = workflow.start(held)
    workflow.approve(minutes, secretary)
    client.force_login(outsider)
    assert client.post(url("minutes_sign", held), {"confirm": "1"}).status_code == 404
    user = request.getfixturevalue(signer)
    client.force_login(user)
    assert client.post(url("minutes_sign", held), {"confirm": "1"}).status_code == 302
    minutes.refresh_from_db()
    assert (minutes.status, minutes.signed_by) == ("locked", user)


def test_a_chair_changed_on_the_meeting_is_the_chair_of_its_unsigned_minutes(client, cell, make_member,
                                                                            make_meeting, secretary):  # fmt: skip
    first_user, second_user = make_user("first_chair"), make_user("second_chair")
    first = make_member(cell, "Phan Văn Đầu", position=Member.Position.DEPUTY, user=first_user)
    second = make_member(cell, "Mai Văn Sau", position=Member.Position.COMMITTEE, user=second_user)
    with time_machine.travel("2026-09-25 09:00 +0700"):
        meeting = make_meeting(cell, local(2026, 10, 3, 19, 30), chair=first)
        services.confirm(meeting)
        minutes = workflow.start(meeting)  # started early: the minutes name the first chair
        # Then whoever manages the meetings names another chair on the meeting.
        client.force_login(secretary)
        data = {"kind": "regular", "title": "", "duration_minutes": 120, "place": meeting.place, "chair": second.pk}
        assert client.post(reverse("meetings:edit", args=[meeting.pk]), data).status_code == 302
    minutes.refresh_from_db()
    assert (Meeting.objects.get(pk=meeting.pk).chair, minutes.chair) == (second, second)
    assert minutes.revisions.filter(action="chair", by=secretary, version=minutes.version).exists()
    assert meeting.changes.filter(action="chair", by=secretary).exists()
    with time_machine.travel("2026-10-03 22:00 +0700"):
        services.record_attendance(meeting, {first.pk: ("present", ""), second.pk: ("present", "")})
        workflow.approve(minutes, secretary)
        assert workflow.pdf_context(Minutes.objects.get(pk=minutes.pk))["doc"]["chair"] == "Mai Văn Sau"
        client.force_login(first_user)
        assert client.post(url("minutes_sign", meeting), {"confirm": "1"}).status_code == 403
        client.force_login(second_user)
        assert client.post(url("minutes_sign", meeting), {"confirm": "1"}).status_code == 302
    minutes.refresh_from_db()
    assert (minutes.status, minutes.signed_by, minutes.frozen["chair"]) == ("locked", second_user, "Mai Văn Sau")


def test_the_meetings_chair_signs_even_when_older_minutes_name_another(client, held, cell, make_member, secretary):
    # Minutes whose chair drifted from the meeting's before the two were kept together: the meeting decides.
    deputy_user = make_user("deputy")
    deputy = make_member(cell, "Phan Văn Phó", position=Member.Position.DEPUTY, user=deputy_user)
    minutes = workflow.start(held)
    workflow.approve(minutes, secretary)
    Meeting.objects.filter(pk=held.pk).update(chair=deputy)
    client.force_login(deputy_user)
    assert client.post(url("minutes_sign", held), {"confirm": "1"}).status_code == 302
    assert Minutes.objects.get(pk=minutes.pk).signed_by == deputy_user


def test_signing_asks_for_a_confirmation(client, held, secretary):
    """Irreversible: without the ticked box nothing is signed, and the secretary is told why."""
    minutes = workflow.start(held)
    workflow.approve(minutes, secretary)
    client.force_login(secretary)
    page = client.get(url("minutes", held)).content.decode()
    [box] = re.findall(r'<input[^>]*id="confirm-sign"[^>]*>', page)
    assert 'name="confirm"' in box and "required" in box  # the browser asks for it before posting
    response = client.post(url("minutes_sign", held), follow=True)
    assert "Đánh dấu vào ô để xác nhận" in response.content.decode()
    assert Minutes.objects.get(pk=minutes.pk).status == "approved"
    client.post(url("minutes_sign", held), {"confirm": "1"})
    assert Minutes.objects.get(pk=minutes.pk).status == "locked"


def test_a_draft_s_page_and_the_worker_read_the_same_minutes(client, held, secretary, make_member,
                                                             django_capture_on_commit_callbacks):  # fmt: skip
    """The page reads a draft's speakers and attendance once for its quality and its document
    (`chibo.rows.prefetched`), the PDF worker reads them its own way: the same content, so the PDF just made
    is current, with the speakers in their order and a member left blank on the sheet counted in the roll."""
    blank = make_member(held.cell, "Lý Văn Trống")  # on the roll that day, not marked
    client.force_login(secretary)
    minutes = workflow.start(held)
    speakers = {"contributions-TOTAL_FORMS": 2,
                "contributions-0-member": held.people["o2"].pk, "contributions-0-summary": "Nói trước.",
                "contributions-1-member": held.people["o1"].pk, "contributions-1-summary": "Nói sau."}  # fmt: skip
    assert post_edit(client, held, edit_data(minutes, **speakers)).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("minutes_render", held))
    assert Minutes.objects.get(pk=minutes.pk).pdf_status == "ready"
    page = client.get(url("minutes", held))
    assert page.context["pdf_current"] is True
    assert not out_of_date(page)
    doc = page.context["doc"]
    assert [c["summary"] for c in doc["contributions"]] == ["Nói trước.", "Nói sau."]
    assert doc["attendance"]["total"] == len(held.people) + 1  # the twelve marked and the blank one
    assert blank.full_name not in doc["attendance"]["unexcused"]  # blank is not absent
