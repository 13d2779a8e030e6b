"""Members' answers and presence: replying to an invitation (logged in or from a signed link), reaching the
members who have not replied (the call list, a reply recorded by phone or in person, the text for the cell's
Zalo group) and recording attendance."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo import filenames, site
from members import access
from notifications.models import Message

from .. import services, sheets
from ..documents import serve
from ..forms import RecordReplyForm, ReplyForm
from ..links import invitation_from_token, still_convened
from ..models import Attendance, Invitation, InvitationSheet
from .base import meeting_or_404, require_manage


@login_required
def reply(request, pk):
    """A logged-in member's reply to their own invitation."""
    meeting = meeting_or_404(request, pk)
    member = access.for_user(request.user).member
    invitation = get_object_or_404(Invitation, meeting=meeting, member=member) if member else None
    if invitation is None:
        raise Http404
    if not still_convened(member, meeting):
        return _reply_withdrawn(request)
    return _reply_page(request, invitation, through_link=False)


def reply_link(request, token):
    """The signed link from the e-mail: no login, this member and this meeting only. It opens in the language
    the message was written in, whatever the phone's (`site.speak_messages_language`)."""
    site.speak_messages_language(request)
    invitation = invitation_from_token(token)
    if invitation is None:
        return render(request, "meetings/reply_invalid.html", {"reason": "invalid"}, status=404)
    if not still_convened(invitation.member, invitation.meeting):
        # Transferred, suspended or off the committee since: the link no longer speaks for the member.
        return _reply_withdrawn(request)
    if not invitation.meeting.is_open:
        return render(request, "meetings/reply_invalid.html", {"reason": "closed", "invitation": invitation})
    return _reply_page(request, invitation, through_link=True)


def _reply_withdrawn(request):
    # 410: the invitation existed and is gone for good. The page names no time or place: after a transfer
    # they belong to a cell the member no longer sees.
    return render(request, "meetings/reply_invalid.html", {"reason": "withdrawn"}, status=410)


def _reply_page(request, invitation, through_link):
    form = ReplyForm(request.POST or None)
    done = False
    if request.method == "POST" and form.is_valid():
        try:
            services.reply(invitation, form.cleaned_data["answer"], form.cleaned_data["reason"], through_link)
        except services.MeetingError as exc:
            form.add_error(None, str(exc))
        else:
            invitation.refresh_from_db()
            done = True
    return render(
        request,
        "meetings/reply.html",
        {
            "invitation": invitation,
            "meeting": invitation.meeting,
            "starts_at": timezone.localtime(invitation.meeting.starts_at),
            "form": form,
            "done": done,
            "open": invitation.meeting.is_open,
        },
    )


# The colour of each mark's button on the attendance sheet.
_STATUS_STYLES = {
    Attendance.Status.PRESENT: "success",
    Attendance.Status.LATE: "primary",
    Attendance.Status.EXCUSED: "warning",
    Attendance.Status.UNEXCUSED: "danger",
}


@login_required
def attendance(request, pk):
    meeting = meeting_or_404(request, pk)
    access.require(access.for_user(request.user).can_record_attendance(meeting))
    rows = services.attendance_sheet(meeting)
    errors = []
    if request.method == "POST":
        marks, errors = _read_marks(request.POST, rows)
        if not errors:
            try:
                services.record_attendance(meeting, marks, by=request.user)
            except services.MeetingError as exc:
                errors.append(str(exc))
            else:
                messages.success(request, _("Attendance was saved."))
                return redirect(meeting)
        for row in rows:  # show what was typed, not the stored values
            row["status"] = request.POST.get(f"status-{row['member'].pk}", "")
            row["reason"] = request.POST.get(f"reason-{row['member'].pk}", "")
    statuses = [(value, str(label), _STATUS_STYLES[value]) for value, label in Attendance.Status.choices]
    for row in rows:
        row["key"] = str(row["member"].pk)
        row["choices"] = _choices(row, statuses)
    return render(
        request,
        "meetings/attendance.html",
        {
            "meeting": meeting,
            "rows": rows,
            "errors": errors,
            "started": meeting.starts_at <= timezone.now(),
        },
    )


def _choices(row, statuses):
    """A member's buttons, one per mark, written here rather than in the template: four for every member of
    the cell, they were most of the sheet's time as template nodes."""
    return format_html_join(
        "\n",
        '<input type="radio" class="btn-check" name="status-{0}" id="s-{0}-{1}" value="{1}" autocomplete="off"{2}>\n'
        '<label class="btn btn-outline-{3}" for="s-{0}-{1}">{4}</label>',
        ((row["key"], value, mark_safe(" checked") if row["status"] == value else "", style, label)
         for value, label, style in statuses),
    )  # fmt: skip


def _read_marks(post, rows):
    marks, errors = {}, []
    valid = set(Attendance.Status.values)
    for row in rows:
        member = row["member"]
        status = post.get(f"status-{member.pk}", "")
        reason = post.get(f"reason-{member.pk}", "").strip()[:300]
        if not status:
            if row["expected"]:
                errors.append(_("Mark the attendance of %(name)s.") % {"name": member.full_name})
            continue
        if status not in valid:
            errors.append(_("Unknown attendance for %(name)s.") % {"name": member.full_name})
            continue
        if "\x00" in reason:  # PostgreSQL cannot store it
            errors.append(_("The reason given for %(name)s holds a character that cannot be saved.")
                          % {"name": member.full_name})  # fmt: skip
            continue
        if status == Attendance.Status.EXCUSED and not reason:
            errors.append(_("Give the reason of %(name)s's absence, or mark it as without a reason.")
                          % {"name": member.full_name})  # fmt: skip
        marks[member.pk] = (status, reason)
    return marks, errors


@login_required
def reach(request, pk):
    """Reaching the members: who has not replied (with their phone, for a call), how each invitation went, the
    form to record a reply given by phone or in person, and a text for the cell's Zalo group."""
    meeting = meeting_or_404(request, pk)
    require_manage(request, meeting.cell)
    invitations = list(meeting.invitations.filter(expected=True).select_related("member", "recorded_by")
                       .order_by("member__sort_key"))  # fmt: skip
    sent = {m.member_id: m for m in meeting.messages.filter(kind=Message.Kind.INVITATION)}
    for invitation in invitations:
        invitation.message = sent.get(invitation.member_id)
    silent = [i for i in invitations if not i.reply]
    return render(request, "meetings/reach.html", {
        "meeting": meeting, "cell": meeting.cell, "silent": silent,
        "answered": [i for i in invitations if i.reply], "form": RecordReplyForm(),
        "group_text": group_text(meeting),
        "sheet": InvitationSheet.objects.filter(meeting=meeting).first(),
        "scopes": InvitationSheet.Scope.choices,
    })  # fmt: skip


def group_text(meeting):
    """The invitation to paste into the cell's Zalo group: the meeting, and its page to reply on."""
    starts = timezone.localtime(meeting.starts_at)
    return _(
        "%(cell)s respectfully invites the comrades to %(title)s at %(time)s on %(day)s, at %(place)s. "
        "Please reply on Chibo (or to the secretary): %(link)s"
    ) % {
        "cell": meeting.cell.name, "title": meeting.display_title.lower(), "time": date_format(starts, "H:i"),
        "day": date_format(starts, "l d/m/Y"), "place": meeting.place,
        "link": settings.SITE_URL + reverse("meetings:detail", args=[meeting.pk]),
    }  # fmt: skip


@require_POST
@login_required
def record_reply(request, pk, invitation_pk):
    meeting = meeting_or_404(request, pk)
    require_manage(request, meeting.cell)
    invitation = get_object_or_404(meeting.invitations.select_related("member"), pk=invitation_pk)
    form = RecordReplyForm(request.POST)
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors))
    elif not still_convened(invitation.member, meeting):
        messages.error(request, _("%(name)s is no longer convened to this meeting.") % {"name": invitation.member})
    else:
        data = form.cleaned_data
        try:
            services.record_reply(invitation, data["answer"], data["reason"], data["via"], request.user)
        except services.MeetingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The reply of %(name)s was recorded.") % {"name": invitation.member})
    return redirect("meetings:reach", pk=meeting.pk)


@require_POST
@login_required
def invitation_sheet_request(request, pk):
    """Ask a worker for the printed invitations (again, if the meeting or the members changed)."""
    meeting = meeting_or_404(request, pk)
    require_manage(request, meeting.cell)
    if not meeting.is_open:
        messages.error(request, _("Invitations are printed only for a meeting still ahead and not called off."))
        return redirect("meetings:reach", pk=meeting.pk)
    scope = request.POST.get("scope", InvitationSheet.Scope.NO_PHONE)
    if scope not in InvitationSheet.Scope.values:
        messages.error(request, _("Choose whom to print the invitations for."))
        return redirect("meetings:reach", pk=meeting.pk)
    with transaction.atomic():
        sheet, _created = InvitationSheet.objects.select_for_update().get_or_create(meeting=meeting)
        sheet.scope, sheet.requested_by = scope, request.user
        sheet.save(update_fields=["scope", "requested_by", "updated_at"])
        if sheets.request(sheet):
            messages.success(request, _("The printed invitations are being prepared; reload this page in a moment."))
        else:
            messages.info(request, _("The printed invitations are ready."))
    return redirect("meetings:reach", pk=meeting.pk)


@login_required
def invitation_sheet_file(request, pk):
    meeting = meeting_or_404(request, pk)
    require_manage(request, meeting.cell)
    sheet = get_object_or_404(InvitationSheet, meeting=meeting, pdf_status="ready")
    if not meeting.is_open:  # printed before the meeting was called off or held: no longer an invitation
        messages.error(request, _("Invitations are printed only for a meeting still ahead and not called off."))
        return redirect("meetings:reach", pk=meeting.pk)
    return serve(sheet.pdf, filename=filenames.invitations(meeting.cell, timezone.localtime(meeting.starts_at).date()))
