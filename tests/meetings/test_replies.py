import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.links import SALT, reply_token, short_reply_token
from meetings.models import Invitation, Meeting
from members.models import Member
from notifications.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(cell, make_meeting, secretary, member):
    return make_meeting(cell, timezone.now() + timedelta(days=5))


@pytest.fixture
def confirmed(meeting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm(meeting)
    return meeting


def invitation_of(meeting, user):
    return Invitation.objects.get(meeting=meeting, member__user=user)


def test_confirming_invites_the_cell(cell, make_member, meeting, django_capture_on_commit_callbacks):
    make_member(cell, "Vũ Văn Miễn", status=Member.Status.EXEMPT, email="mien@example.vn")
    away = make_member(cell, "Đỗ Văn Đi", status=Member.Status.AWAY)
    make_member(cell, "Lý Văn Treo", status=Member.Status.SUSPENDED)
    make_member(cell, "Ngô Văn Chuyển", status=Member.Status.TRANSFERRED)
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm(meeting)
    invitations = {i.member.full_name: i.expected for i in meeting.invitations.select_related("member")}
    assert invitations == {"Trần Văn Bí": True, "Lê Thị Hoa": True, "Vũ Văn Miễn": False, "Đỗ Văn Đi": False}
    # Everyone invited gets the invitation e-mail (the informed ones too), with a reply link.
    assert sorted(message.to[0] for message in mail.outbox) == ["member@example.vn", "mien@example.vn",
                                                                 "secretary@example.vn"]  # fmt: skip
    assert "/r/" in mail.outbox[0].body
    assert Message.objects.get(member=away).status == Message.Status.NO_ADDRESS
    assert Message.objects.filter(status=Message.Status.SENT).count() == 3
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONFIRMED and meeting.invited_at


def test_a_committee_meeting_convenes_the_committee_only(cell, make_meeting, secretary, member, make_member):
    make_member(cell, "Lý Văn Ủy", position=Member.Position.COMMITTEE)
    committee = make_meeting(cell, timezone.now() + timedelta(days=2), kind=Meeting.Kind.COMMITTEE)
    services.confirm(committee)
    assert sorted(i.member.full_name for i in committee.invitations.all()) == ["Lý Văn Ủy", "Trần Văn Bí"]


def test_confirming_twice_is_refused(confirmed):
    with pytest.raises(services.MeetingError):
        services.confirm(confirmed)
    assert Message.objects.filter(kind=Message.Kind.INVITATION).count() == 2


def test_a_member_replies_from_the_signed_link_without_logging_in(client, confirmed, member):
    invitation = invitation_of(confirmed, member)
    url = reverse("meetings:reply_link", args=[reply_token(invitation)])
    page = client.get(url)
    assert page.status_code == 200
    assert "Lê Thị Hoa" in page.content.decode()
    assert client.post(url, {"answer": "yes"}).context["done"]
    invitation.refresh_from_db()
    assert (invitation.reply, invitation.replied_through_link) == ("yes", True)


def test_cannot_attend_needs_a_reason(client, confirmed, member):
    invitation = invitation_of(confirmed, member)
    url = reverse("meetings:reply_link", args=[reply_token(invitation)])
    response = client.post(url, {"answer": "no", "reason": " "})
    assert not response.context["done"] and response.context["form"].errors
    client.post(url, {"answer": "no", "reason": "Đi khám bệnh"})
    invitation.refresh_from_db()
    assert (invitation.reply, invitation.reason) == ("no", "Đi khám bệnh")


def test_a_tampered_link_gets_a_polite_page(client, confirmed, member):
    token = reply_token(invitation_of(confirmed, member))
    for bad in [token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense", token + "x"]:
        response = client.get(reverse("meetings:reply_link", args=[bad]))
        assert response.status_code == 404
        assert "Đường dẫn này không dùng được" in response.content.decode()
    assert invitation_of(confirmed, member).reply == ""


def test_a_link_works_for_its_own_member_and_meeting_only(client, confirmed, member, secretary):
    mine, theirs = invitation_of(confirmed, member), invitation_of(confirmed, secretary)
    # A token naming one member's invitation with another member is refused.
    forged = signing.dumps({"i": theirs.pk, "m": mine.member_id}, salt=SALT, compress=True)
    assert client.get(reverse("meetings:reply_link", args=[forged])).status_code == 404
    # A token signed for another purpose is refused.
    other_salt = signing.dumps({"i": mine.pk, "m": mine.member_id}, salt="something-else", compress=True)
    assert client.get(reverse("meetings:reply_link", args=[other_salt])).status_code == 404
    client.post(reverse("meetings:reply_link", args=[reply_token(mine)]), {"answer": "yes"})
    assert invitation_of(confirmed, secretary).reply == ""


def test_a_link_expires_when_the_meeting_ends(client, confirmed, member):
    invitation = invitation_of(confirmed, member)
    url = reverse("meetings:reply_link", args=[reply_token(invitation)])
    with time_machine.travel(confirmed.ends_at + timedelta(minutes=1)):
        page = client.get(url)
        assert page.status_code == 200 and page.context["reason"] == "closed"
        client.post(url, {"answer": "yes"})
    assert invitation_of(confirmed, member).reply == ""


def test_a_cancelled_meeting_closes_its_links(client, confirmed, member):
    services.cancel(confirmed, "Bão")
    url = reverse("meetings:reply_link", args=[reply_token(invitation_of(confirmed, member))])
    page = client.get(url)
    assert page.context["reason"] == "closed" and "Bão" in page.content.decode()


def test_a_logged_in_member_replies_to_their_own_invitation(client, confirmed, member, outsider):
    client.force_login(member)
    client.post(reverse("meetings:reply", args=[confirmed.pk]), {"answer": "no", "reason": "Ốm"})
    assert invitation_of(confirmed, member).reply == "no"
    client.force_login(outsider)
    assert client.get(reverse("meetings:reply", args=[confirmed.pk])).status_code == 404


def test_the_secretary_sees_who_has_not_replied(client, confirmed, member, secretary):
    services.reply(invitation_of(confirmed, member), "yes")
    client.force_login(secretary)
    panel = client.get(reverse("meetings:replies", args=[confirmed.pk]))
    assert panel.context["replies"]["yes"] == 1
    assert [i.member.full_name for i in panel.context["replies"]["none"]] == ["Trần Văn Bí"]
    client.force_login(member)
    assert client.get(reverse("meetings:replies", args=[confirmed.pk])).status_code == 403


def test_moving_a_meeting_tells_the_invited(confirmed, secretary, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    new_time = confirmed.starts_at + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.move(confirmed, new_time, "Trùng lịch bầu cử", by=secretary)
    confirmed.refresh_from_db()
    assert confirmed.starts_at == new_time
    assert len(mail.outbox) == 2
    assert "Trùng lịch bầu cử" in mail.outbox[0].body
    assert confirmed.changes.filter(action="moved", by=secretary).exists()
    with pytest.raises(services.MeetingError):
        services.move(confirmed, new_time, "  ")


def test_the_invitation_page_is_in_vietnamese_and_big(client, confirmed, member):
    page = client.get(reverse("meetings:reply_link", args=[reply_token(invitation_of(confirmed, member))]))
    content = page.content.decode()
    assert "Tôi sẽ dự họp" in content and "Tôi không dự được" in content


def test_the_short_link_of_sms_and_zalo_answers_like_the_long_one(client, confirmed, member, secretary):
    from meetings.links import short_reply_token

    invitation = invitation_of(confirmed, member)
    token = short_reply_token(invitation)
    assert len(token) <= 22
    url = reverse("meetings:reply_link", args=[token])
    assert "Lê Thị Hoa" in client.get(url).content.decode()
    other = invitation_of(confirmed, secretary)
    own_id, mac = token.split("-")
    forged = [
        f"{own_id}-{'0' * 10}",  # a guessed code
        f"{short_reply_token(other).split('-')[0]}-{mac}",  # this member's code on another invitation
        f"{own_id}{own_id}-{mac}",  # an id that does not exist
        f"{own_id}-{mac[:-1]}",  # one character short
    ]
    for bad in forged:
        assert client.get(reverse("meetings:reply_link", args=[bad])).status_code == 404, bad
        assert client.post(reverse("meetings:reply_link", args=[bad]), {"answer": "yes"}).status_code == 404
    invitation.refresh_from_db()
    assert invitation.reply == ""
    assert client.post(url, {"answer": "yes"}).context["done"]
    invitation.refresh_from_db()
    assert (invitation.reply, invitation.replied_through_link) == ("yes", True)


def test_the_reply_link_of_a_vietnamese_email_opens_in_vietnamese_on_an_english_phone(client, confirmed, member):
    (email,) = [m for m in mail.outbox if "member@example.vn" in m.to]
    link = re.search(r"https?://\S+/r/\S+/", email.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get(f"/{path}", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "vi"
    assert "<title>Trả lời giấy mời" in page.content.decode()
    # The short link of SMS and Zalo too.
    short = reverse("meetings:reply_link", args=[short_reply_token(invitation_of(confirmed, member))])
    assert "<title>Trả lời giấy mời" in client.get(short, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # A reply posted from it is answered in Vietnamese as well.
    done = client.post(f"/{path}", {"answer": "yes"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Cảm ơn đồng chí" in done
    # The language switch still works: the visitor's choice wins over the message's language.
    client.post(reverse("set_language"), {"language": "en", "next": f"/{path}"})
    page = client.get(f"/{path}", HTTP_ACCEPT_LANGUAGE="vi")
    assert page["Content-Language"] == "en" and "<title>Reply to the invitation" in page.content.decode()


def test_a_lang_in_the_link_names_the_messages_language(client, confirmed, member):
    url = reverse("meetings:reply_link", args=[reply_token(invitation_of(confirmed, member))])
    assert "<title>Reply to the invitation" in client.get(url + "?lang=en").content.decode()
    assert "<title>Trả lời giấy mời" in client.get(url + "?lang=xx", HTTP_ACCEPT_LANGUAGE="en").content.decode()
