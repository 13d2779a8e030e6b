"""The printed invitations (giấy mời): one A4 page per member with the meeting, the first points of its agenda
and a QR code of the member's reply link, for the members without a phone. Rendered by a worker
(`meetings.tasks.render_invitation_sheet`), in Vietnamese whatever the reader's language."""

import segno
from django.utils import timezone, translation

from chibo import pdf
from members.models import Member
from members.phones import is_mobile

from .links import short_reply_url
from .models import InvitationSheet

AGENDA_SHOWN = 5


def invitations_of(sheet):
    """The invitations the sheet prints, in the roll's order."""
    invitations = sheet.meeting.invitations.select_related("member").order_by("member__sort_key")
    chosen = [i for i in invitations if i.member.status not in (Member.Status.TRANSFERRED, Member.Status.SUSPENDED)]
    if sheet.scope == InvitationSheet.Scope.NO_PHONE:
        chosen = [i for i in chosen if not is_mobile(i.member.phone)]
    return chosen


def content(sheet):
    meeting = sheet.meeting
    secretary = Member.objects.filter(cell=meeting.cell, position=Member.Position.SECRETARY).first()
    return {
        "cell": {"name": meeting.cell.name, "parent": str(meeting.cell.parent or ""),
                 "place_name": meeting.cell.place_name},
        "title": meeting.display_title,
        "starts_at": timezone.localtime(meeting.starts_at).isoformat(),
        "place": meeting.place,
        "agenda": [item.title for item in meeting.agenda_items.filter(section="body")[:AGENDA_SHOWN]],
        "secretary": secretary.full_name if secretary else "",
        "members": [{"name": i.member.full_name, "link": short_reply_url(i)} for i in invitations_of(sheet)],
    }  # fmt: skip


def source_hash(sheet):
    return pdf.digest(content(sheet))


def render(sheet, doc=None):
    """The sheet's PDF, of `content` (`doc`, when the caller already has it) with a QR code per member."""
    doc = content(sheet) if doc is None else doc
    qr = [segno.make(member["link"], error="m").svg_data_uri(scale=4, border=2) for member in doc["members"]]
    doc = {**doc, "members": [{**member, "qr": code} for member, code in zip(doc["members"], qr, strict=True)]}
    with translation.override("vi"):
        return pdf.render("meetings/pdf/invitations.html", {
            "doc": doc, "starts_at": timezone.localtime(sheet.meeting.starts_at),
            "day": timezone.localdate(),
        })  # fmt: skip


def request(sheet):
    return pdf.request(sheet, source_hash, "meetings.tasks.render_invitation_sheet")
