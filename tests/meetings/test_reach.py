"""Reaching the members who have not replied: the call list, a reply recorded by phone or in person (kept with
who recorded it), and the text for the cell's Zalo group."""

import time_machine
from django.urls import reverse

from meetings import services
from meetings.models import Invitation, MeetingChange
from members.models import Member

from .conftest import local


def confirmed(cell, make_meeting, make_member):
    make_member(cell, "Phạm Văn Gọi", phone="+84912345678")
    with time_machine.travel("2026-11-20 09:00 +0700"):
        meeting = make_meeting(cell, local(2026, 12, 3, 19, 30), place="Nhà văn hóa thôn Đông")
        services.confirm(meeting)
    return meeting


def test_the_call_list_names_who_has_not_replied_with_their_phone(client, cell, make_meeting, make_member, secretary,
                                                                   django_assert_max_num_queries):  # fmt: skip
    meeting = confirmed(cell, make_meeting, make_member)
    client.force_login(secretary)
    with time_machine.travel("2026-11-25 09:00 +0700"), django_assert_max_num_queries(14):
        page = client.get(reverse("meetings:reach", args=[meeting.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="tel:+84912345678"' in html and "0912 345 678" in html
    assert "Phạm Văn Gọi" in [str(i.member) for i in page.context["silent"]]
    text = page.context["group_text"]
    assert "Nhà văn hóa thôn Đông" in text and f"/meetings/{meeting.pk}/" in text and "19:30" in text


def test_a_reply_given_by_phone_is_recorded_with_who_recorded_it(client, cell, make_meeting, make_member, secretary):
    meeting = confirmed(cell, make_meeting, make_member)
    invitation = Invitation.objects.get(meeting=meeting, member__full_name="Phạm Văn Gọi")
    client.force_login(secretary)
    url = reverse("meetings:record_reply", args=[meeting.pk, invitation.pk])
    with time_machine.travel("2026-11-25 09:00 +0700"):
        refused = client.post(url, {"answer": "no", "via": "phone", "reason": " "}, follow=True)
        assert "lý do" in refused.content.decode().lower()
        nul = client.post(url, {"answer": "no", "via": "phone", "reason": "Đi\x00viện"}, follow=True)
        assert "Không được có ký tự rỗng (NUL)." in nul.content.decode()  # Django's message, in Vietnamese
        invitation.refresh_from_db()
        assert invitation.reply == ""
        response = client.post(url, {"answer": "no", "via": "phone", "reason": "Đi viện"})
        assert response.status_code == 302
        page = client.get(reverse("meetings:reach", args=[meeting.pk]))
    invitation.refresh_from_db()
    assert (invitation.reply, invitation.reason, invitation.replied_via) == ("no", "Đi viện", "phone")
    assert invitation.recorded_by == secretary
    change = MeetingChange.objects.get(meeting=meeting, action="reply recorded")
    assert (change.by, change.detail["member"], change.detail["via"]) == (secretary, "Phạm Văn Gọi", "phone")
    assert "Phạm Văn Gọi" not in [str(i.member) for i in page.context["silent"]]
    # The member answers for themselves later: their own reply replaces the recorded one.
    with time_machine.travel("2026-11-26 09:00 +0700"):
        services.reply(invitation, "yes", through_link=True)
    invitation.refresh_from_db()
    assert (invitation.reply, invitation.replied_via, invitation.recorded_by) == ("yes", "", None)


def test_recording_refuses_other_meetings_invitations_and_closed_meetings(client, cell, make_meeting, make_member,
                                                                          secretary):  # fmt: skip
    meeting = confirmed(cell, make_meeting, make_member)
    with time_machine.travel("2026-11-20 09:00 +0700"):
        other = make_meeting(cell, local(2026, 12, 10, 19, 30))
        services.confirm(other)
    foreign = Invitation.objects.filter(meeting=other).first()
    client.force_login(secretary)
    with time_machine.travel("2026-11-25 09:00 +0700"):
        url = reverse("meetings:record_reply", args=[meeting.pk, foreign.pk])
        assert client.post(url, {"answer": "yes", "via": "phone"}).status_code == 404
        own = Invitation.objects.filter(meeting=meeting).first()
        bad_via = client.post(reverse("meetings:record_reply", args=[meeting.pk, own.pk]),
                              {"answer": "yes", "via": "pigeon"})  # fmt: skip
        assert bad_via.status_code == 302
    with time_machine.travel("2026-12-04 09:00 +0700"):  # the meeting is over
        client.post(reverse("meetings:record_reply", args=[meeting.pk, own.pk]), {"answer": "yes", "via": "phone"})
    assert not Invitation.objects.filter(meeting__in=[meeting, other]).exclude(reply="").exists()
    assert Member.objects.filter(full_name="Phạm Văn Gọi").exists()
