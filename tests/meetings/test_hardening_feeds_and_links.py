"""Issue 11: calendar feeds and reply links follow who a meeting convenes now, and bad tokens are 404s."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from chibo import site
from meetings import services
from meetings.links import reply_token, still_convened
from meetings.models import CalendarFeed, Invitation, Meeting
from members import services as member_services
from members.models import Member

from .conftest import local

pytestmark = pytest.mark.django_db

NOW = "2026-11-10 09:00 +0700"


def feed_uids(client, token):
    response = client.get(reverse("meetings:feed", args=[token]))
    assert response.status_code == 200
    return [str(c["uid"]) for c in Calendar.from_ical(response.content).walk() if c.name == "VEVENT"]


def uid(meeting):
    return f"meeting-{meeting.pk}@{site.domain()}"


def confirmed_meeting(make_meeting, cell, starts_at, **fields):
    meeting = make_meeting(cell, starts_at, **fields)
    services.confirm(meeting)
    return meeting


@pytest.fixture
def history(make_meeting, cell, secretary, member):
    """A meeting of the cell held last month, and one coming, both with the member invited."""
    with time_machine.travel("2026-10-01 09:00 +0700"):
        held = confirmed_meeting(make_meeting, cell, local(2026, 10, 3, 19, 30), place="Nhà văn hóa thôn Đông")
    with time_machine.travel(NOW):
        coming = confirmed_meeting(make_meeting, cell, local(2026, 12, 3, 19, 30), place="Nhà ông Bảy, xóm Giữa")
    return held, coming


@pytest.fixture
def feed_token(member):
    return CalendarFeed.objects.create(member=Member.objects.get(user=member), token=CalendarFeed.new_token()).token


@time_machine.travel(NOW)
def test_a_transferred_members_feed_drops_the_old_cells_coming_meetings(
    client, member, sibling_cell, make_meeting, history, feed_token
):
    held, coming = history
    assert feed_uids(client, feed_token) == [uid(held), uid(coming)]
    member_services.transfer(Member.objects.get(user=member), sibling_cell, date(2026, 11, 9))
    new_cell_meeting = confirmed_meeting(make_meeting, sibling_cell, local(2026, 12, 5, 8, 0))
    # The meeting held while they were in the old cell stays; its coming meeting, and its place, are gone.
    assert feed_uids(client, feed_token) == [uid(held), uid(new_cell_meeting)]
    assert "Nhà ông Bảy" not in client.get(reverse("meetings:feed", args=[feed_token])).content.decode()
    # Their own page agrees with the feed.
    client.force_login(member)
    upcoming = client.get(reverse("meetings:mine")).context["upcoming"]
    assert [i.meeting for i in upcoming] == [new_cell_meeting]


@time_machine.travel(NOW)
def test_a_suspended_member_keeps_their_history_but_no_coming_meeting(client, member, history, feed_token):
    held, coming = history
    member_services.change_status(Member.objects.get(user=member), Member.Status.SUSPENDED, date(2026, 11, 9))
    assert feed_uids(client, feed_token) == [uid(held)]
    # Back to active, the coming meeting is theirs again.
    member_services.change_status(Member.objects.get(user=member), Member.Status.ACTIVE, date(2026, 11, 10))
    assert feed_uids(client, feed_token) == [uid(held), uid(coming)]


@time_machine.travel(NOW)
def test_a_member_who_left_the_rolls_has_no_feed(client, member, history, feed_token):
    member_services.change_status(Member.objects.get(user=member), Member.Status.TRANSFERRED, date(2026, 11, 9))
    assert client.get(reverse("meetings:feed", args=[feed_token])).status_code == 404


@time_machine.travel(NOW)
def test_an_exempt_member_still_sees_the_meetings_they_are_informed_of(client, member, history, feed_token):
    held, coming = history
    member_services.change_status(Member.objects.get(user=member), Member.Status.EXEMPT, date(2026, 11, 9))
    assert feed_uids(client, feed_token) == [uid(held), uid(coming)]


@time_machine.travel(NOW)
def test_a_committee_meeting_leaves_the_feed_of_a_member_no_longer_on_the_committee(
    client, cell, make_meeting, make_member
):
    deputy = make_member(cell, "Đặng Văn Phó", position=Member.Position.DEPUTY)
    committee = confirmed_meeting(make_meeting, cell, local(2026, 11, 28, 19, 30), kind=Meeting.Kind.COMMITTEE)
    token = CalendarFeed.objects.create(member=deputy, token=CalendarFeed.new_token()).token
    assert feed_uids(client, token) == [uid(committee)]
    Member.objects.filter(pk=deputy.pk).update(position=Member.Position.MEMBER)
    assert feed_uids(client, token) == []


BAD_TOKENS = [
    "\x00",
    "abc\x00def",
    "đảng-viên",
    "\u202etoken",
    "a" * 5000,
    ".eJyrVspUslI:1tZ9Xv:bad-signature",
    "..",
]


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_a_malformed_token_is_a_404_on_every_tokened_url(client, member, history, token):
    invitation = Invitation.objects.get(meeting=history[1], member__user=member)
    for url in (reverse("meetings:feed", args=[token]), reverse("meetings:reply_link", args=[token])):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"answer": "no", "reason": "Ốm"}).status_code == 404, url
    invitation.refresh_from_db()
    assert invitation.reply == ""


def test_the_nul_address_from_the_report_is_a_404(client):
    assert client.get("/calendar/%00.ics").status_code == 404
    assert client.get("/r/%00/").status_code == 404
    assert client.get("/calendar/%ff%fe.ics").status_code == 404


def test_a_tampered_feed_token_is_a_404(client, feed_token):
    tampered = feed_token[:-1] + ("A" if feed_token[-1] != "A" else "B")
    assert client.get(reverse("meetings:feed", args=[tampered])).status_code == 404


# --- reply links of members the meeting no longer convenes ---------------------------------------------


def reply_url(meeting, user):
    invitation = Invitation.objects.get(meeting=meeting, member__user=user)
    return reverse("meetings:reply_link", args=[reply_token(invitation)])


@pytest.mark.parametrize(
    "change",
    [
        lambda m, cell: member_services.change_status(m, Member.Status.SUSPENDED, date(2026, 11, 9)),
        lambda m, cell: member_services.transfer(m, cell, date(2026, 11, 9)),
        lambda m, cell: member_services.change_status(m, Member.Status.TRANSFERRED, date(2026, 11, 9)),
    ],
    ids=["suspended", "transferred", "left"],
)
@time_machine.travel(NOW)
def test_an_old_reply_link_records_nothing_once_the_member_is_no_longer_convened(
    client, member, sibling_cell, history, change
):
    coming = history[1]
    url = reply_url(coming, member)
    change(Member.objects.get(user=member), sibling_cell)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")  # the link opens in the message's Vietnamese
    assert page.status_code == 410
    assert "Đồng chí không còn được mời dự buổi sinh hoạt này" in page.content.decode()
    assert "Nhà ông Bảy" not in page.content.decode()
    response = client.post(url, {"answer": "no", "reason": "Ốm"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410
    invitation = Invitation.objects.get(meeting=coming, member__user=member)
    assert (invitation.reply, invitation.reason, invitation.replied_at) == ("", "", None)


@time_machine.travel(NOW)
def test_a_suspended_member_cannot_reply_when_logged_in_either(client, member, history):
    coming = history[1]
    member_services.change_status(Member.objects.get(user=member), Member.Status.SUSPENDED, date(2026, 11, 9))
    client.force_login(member)
    response = client.post(reverse("meetings:reply", args=[coming.pk]), {"answer": "yes"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410
    assert Invitation.objects.get(meeting=coming, member__user=member).reply == ""


@time_machine.travel(NOW)
def test_an_exempt_member_may_still_reply_through_their_link(client, member, history):
    # Exempt members are invited and informed (domain §3), only not expected: their link keeps working.
    coming = history[1]
    member_services.change_status(Member.objects.get(user=member), Member.Status.EXEMPT, date(2026, 11, 9))
    assert client.post(reply_url(coming, member), {"answer": "yes"}).context["done"]
    assert Invitation.objects.get(meeting=coming, member__user=member).reply == "yes"


@time_machine.travel(NOW)
def test_a_committee_meeting_link_stops_with_the_committee_position(client, cell, make_meeting, make_member):
    deputy = make_member(cell, "Đặng Văn Phó", position=Member.Position.DEPUTY)
    committee = confirmed_meeting(make_meeting, cell, local(2026, 11, 28, 19, 30), kind=Meeting.Kind.COMMITTEE)
    url = reverse("meetings:reply_link", args=[reply_token(committee.invitations.get(member=deputy))])
    Member.objects.filter(pk=deputy.pk).update(position=Member.Position.MEMBER)
    assert client.post(url, {"answer": "yes"}).status_code == 410
    assert committee.invitations.get(member=deputy).reply == ""


@time_machine.travel(NOW)
def test_still_convened_agrees_with_who_a_meeting_invites(cell, sibling_cell, make_meeting, make_member):
    """The reply link and the feed ask `still_convened`; confirming asks `convened_members`: one rule."""
    members = [
        make_member(cell, f"Nguyễn Văn Thử {status} {position}", status=status, position=position)
        for status in Member.Status
        for position in (Member.Position.MEMBER, Member.Position.COMMITTEE)
    ]
    members.append(make_member(sibling_cell, "Trương Văn Khác"))
    for kind in (Meeting.Kind.REGULAR, Meeting.Kind.COMMITTEE):
        meeting = make_meeting(cell, local(2026, 11, 20, 19, 30), kind=kind)
        convened = set(services.convened_members(meeting).values_list("pk", flat=True))
        assert {m.pk for m in members if still_convened(m, meeting)} == convened, kind
