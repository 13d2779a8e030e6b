"""The printed invitations (giấy mời): one page per member without a mobile phone (or per member), with the
meeting, its agenda and a QR code of the member's own reply link, rendered by the worker's task."""

import io
import unicodedata

import time_machine
from django.urls import reverse
from pypdf import PdfReader

from meetings import services
from meetings.links import short_reply_url
from meetings.models import Invitation, InvitationSheet
from meetings.tasks import render_invitation_sheet

from .conftest import local


def pdf_text(content):
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return unicodedata.normalize("NFC", text)


def test_the_secretary_prints_invitations_for_the_members_without_a_phone(client, cell, make_meeting, make_member,
                                                                           secretary, member):  # fmt: skip
    make_member(cell, "Đỗ Văn Không Máy")
    make_member(cell, "Lý Thị Có Máy", phone="+84912345678")
    with time_machine.travel("2026-11-20 09:00 +0700"):
        meeting = make_meeting(cell, local(2026, 12, 3, 19, 30), place="Nhà văn hóa thôn Đông")
        services.confirm(meeting)
    client.force_login(secretary)
    with time_machine.travel("2026-11-25 09:00 +0700"):
        url = reverse("meetings:invitation_sheet_request", args=[meeting.pk])
        assert client.post(url, {"scope": "nobody"}).status_code == 302
        assert not InvitationSheet.objects.exists()
        assert client.post(url, {"scope": "no_phone"}).status_code == 302
        sheet = InvitationSheet.objects.get(meeting=meeting)
        assert (sheet.pdf_status, sheet.requested_by) == ("pending", secretary)
        assert client.get(reverse("meetings:invitation_sheet", args=[meeting.pk])).status_code == 404  # not yet
        assert render_invitation_sheet.apply(args=[sheet.pk]).result == "rendered"
        response = client.get(reverse("meetings:invitation_sheet", args=[meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    pages = PdfReader(io.BytesIO(content)).pages
    text = pdf_text(content)
    without_phone = Invitation.objects.filter(meeting=meeting).exclude(member__full_name="Lý Thị Có Máy")
    assert len(pages) == without_phone.count()
    assert "GIẤY MỜI" in text and "Đỗ Văn Không Máy" in text and "Lý Thị Có Máy" not in text
    assert "Nhà văn hóa thôn Đông" in text and "19:30" in text and "03/12/2026" in text
    own = without_phone.get(member__full_name="Đỗ Văn Không Máy")
    assert short_reply_url(own).split("/r/")[1].rstrip("/") in text.replace("\n", "")
    # Every member invited, on request.
    with time_machine.travel("2026-11-25 09:05 +0700"):
        client.post(reverse("meetings:invitation_sheet_request", args=[meeting.pk]), {"scope": "all"})
        render_invitation_sheet.apply(args=[sheet.pk])
        content = b"".join(client.get(reverse("meetings:invitation_sheet", args=[meeting.pk])).streaming_content)
    assert "Lý Thị Có Máy" in pdf_text(content)
    assert len(PdfReader(io.BytesIO(content)).pages) == Invitation.objects.filter(meeting=meeting).count()


def test_a_member_cannot_print_or_read_the_invitations(client, cell, make_meeting, secretary, member):
    with time_machine.travel("2026-11-20 09:00 +0700"):
        meeting = make_meeting(cell, local(2026, 12, 3, 19, 30))
        services.confirm(meeting)
    sheet = InvitationSheet.objects.create(meeting=meeting)
    render_invitation_sheet.apply(args=[sheet.pk])
    client.force_login(member)
    assert client.post(reverse("meetings:invitation_sheet_request", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("meetings:invitation_sheet", args=[meeting.pk])).status_code == 403


def test_no_invitations_are_printed_for_a_meeting_called_off_or_over(client, cell, make_meeting, secretary, member):
    with time_machine.travel("2026-11-20 09:00 +0700"):
        meeting = make_meeting(cell, local(2026, 12, 3, 19, 30))
        services.confirm(meeting)
        sheet = InvitationSheet.objects.create(meeting=meeting)
        render_invitation_sheet.apply(args=[sheet.pk])  # printed while the meeting was ahead
    client.force_login(secretary)
    with time_machine.travel("2026-12-04 09:00 +0700"):  # the meeting is over
        response = client.post(reverse("meetings:invitation_sheet_request", args=[meeting.pk]), follow=True)
        assert "Chỉ in giấy mời cho cuộc họp sắp tới và chưa bị hủy." in response.content.decode()
        download = client.get(reverse("meetings:invitation_sheet", args=[meeting.pk]))
        assert download.status_code == 302 and download["Location"] == reverse("meetings:reach", args=[meeting.pk])
        page = client.get(reverse("meetings:reach", args=[meeting.pk])).content.decode()
    assert "Tải giấy mời (PDF)" not in page and "Chỉ in giấy mời cho cuộc họp sắp tới" in page
    sheet.refresh_from_db()
    assert sheet.pdf_status == "ready"  # nothing asked of the worker
