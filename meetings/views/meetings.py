import calendar
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import access
from members.models import OrgUnit
from notifications.models import Message

from .. import calendars, services, signals
from ..documents import serve
from ..forms import (
    AgendaFormSet,
    DocumentForm,
    GuidanceForm,
    MeetingForm,
    MoveForm,
    PlanYearForm,
    ReasonForm,
    ReplyForm,
    ScheduleRuleForm,
    TopicForm,
)
from ..links import invitation_from_token, still_convened
from ..models import (
    Attendance,
    CalendarFeed,
    Document,
    Guidance,
    Invitation,
    Meeting,
    ScheduleRule,
    ThematicTopic,
    attendance_summary,
    guidance_for,
)
from ..schedule import plan_year, propose_year
from ..warnings import cell_warnings


def _meeting_or_404(request, pk):
    return get_object_or_404(Meeting.objects.visible_to(access.for_user(request.user)).select_related("cell"), pk=pk)


def _require_manage(request, cell):
    access.require(access.for_user(request.user).can_manage_meetings(cell))


# --- the cell's calendar --------------------------------------------------------------------------


@login_required
def cell_calendar(request, pk):
    cell = access.cell_or_404(request.user, pk)
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        if not 1900 <= year <= 2200:
            raise ValueError(year)
        first = date(year, month, 1)
    except (ValueError, OverflowError):
        first = today.replace(day=1)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start = timezone.make_aware(datetime.combine(weeks[0][0], datetime.min.time()))
    end = timezone.make_aware(datetime.combine(weeks[-1][-1] + timedelta(days=1), datetime.min.time()))
    as_list = request.GET.get("view") == "list"
    meetings = Meeting.objects.visible_to(access.for_user(request.user)).filter(cell=cell)
    if as_list:
        meetings = meetings.filter(starts_at__year=first.year)
    else:
        meetings = meetings.filter(starts_at__gte=start, starts_at__lt=end)
    meetings = list(meetings.annotate(replies=Count("invitations", filter=~Q(invitations__reply=""))))
    by_day = {}
    for meeting in meetings:
        by_day.setdefault(timezone.localtime(meeting.starts_at).date(), []).append(meeting)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "meetings/calendar.html",
        {
            "cell": cell,
            "first": first,
            "today": today,
            "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
            "meetings": meetings,
            "as_list": as_list,
            "previous": previous,
            "following": following,
            "warnings": cell_warnings(cell, today),
            "can_manage": access.for_user(request.user).can_manage_meetings(cell),
        },
    )


@login_required
def meeting_create(request, pk):
    cell = access.cell_or_404(request.user, pk)
    _require_manage(request, cell)
    initial = {"kind": request.GET.get("kind", Meeting.Kind.REGULAR)}
    rule = ScheduleRule.objects.filter(cell=cell).first()
    if rule:
        initial.update(place=rule.place, time=rule.time, duration_minutes=rule.duration_minutes)
    form = MeetingForm(request.POST or None, cell=cell, initial=initial)
    if request.method == "POST" and form.is_valid():
        meeting = services.create_meeting(form.save(commit=False), by=request.user)
        messages.success(request, _("The meeting was planned. Confirm it to send the invitations."))
        return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "cell": cell})


@login_required
def schedule(request, pk):
    cell = access.cell_or_404(request.user, pk)
    _require_manage(request, cell)
    rule = ScheduleRule.objects.filter(cell=cell).first() or ScheduleRule(cell=cell)
    form = ScheduleRuleForm(request.POST or None, instance=rule, prefix="rule")
    year = timezone.localdate().year
    plan_form = PlanYearForm(request.GET or None, initial={"year": year})
    if plan_form.is_valid():
        year = plan_form.cleaned_data["year"]
    if request.method == "POST" and "plan" in request.POST:
        plan_form = PlanYearForm(request.POST)
        if rule.pk and plan_form.is_valid():
            created = plan_year(cell, plan_form.cleaned_data["year"], by=request.user)
            messages.success(request, _("%(count)s meetings were planned.") % {"count": len(created)})
            return redirect(reverse("meetings:calendar", args=[cell.pk]) + "?view=list")
    elif request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The regular schedule was saved."))
        return redirect(reverse("meetings:schedule", args=[cell.pk]) + f"?year={year}")
    from ..schedule import months_with_regular_meeting

    proposal = propose_year(rule, year, months_with_regular_meeting(cell, year)) if rule.pk else []
    return render(
        request,
        "meetings/schedule.html",
        {
            "cell": cell,
            "form": form,
            "rule": rule,
            "year": year,
            "proposal": [s for s in proposal if s > timezone.now()],
            "plan_form": plan_form,
        },
    )


# --- one meeting ----------------------------------------------------------------------------------


@login_required
def meeting_detail(request, pk):
    meeting = get_object_or_404(
        Meeting.objects.visible_to(access.for_user(request.user)).select_related(
            "cell", "chair", "minute_taker", "prepares"
        ),
        pk=pk,
    )
    user_access = access.for_user(request.user)
    can_manage = user_access.can_manage_meetings(meeting.cell)
    agenda = meeting.agenda_items.prefetch_related("documents")
    documents = meeting.documents.filter(agenda_item__isnull=True)
    invitations = list(meeting.invitations.select_related("member").order_by("member__sort_key"))
    own = next((i for i in invitations if user_access.member and i.member_id == user_access.member.pk), None)
    attendances = list(meeting.attendances.select_related("member").order_by("member__sort_key"))
    guidance = guidance_for(meeting)
    failed = []
    if can_manage:
        failed = meeting.messages.filter(status__in=[Message.Status.FAILED, Message.Status.NO_ADDRESS]).select_related(
            "member"
        )
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "cell": meeting.cell,
            "agenda": agenda,
            "documents": documents,
            "guidance": guidance,
            "replies": _reply_counts(invitations),
            "invitations": invitations,
            "own": own,
            "attendances": attendances,
            "summary": attendance_summary(attendances) if attendances else None,
            "can_manage": can_manage,
            **signals.extras_for_page(meeting),
            "can_record": user_access.can_record_attendance(meeting) and meeting.starts_at <= timezone.now(),
            "failed_messages": failed,
            "history": meeting.changes.select_related("by")[:20] if can_manage else [],
        },
    )


def _reply_counts(invitations):
    expected = [i for i in invitations if i.expected]
    return {
        "expected": len(expected),
        "yes": sum(1 for i in expected if i.reply == Invitation.Reply.YES),
        "no": sum(1 for i in expected if i.reply == Invitation.Reply.NO),
        "none": [i for i in expected if i.reply == Invitation.Reply.NONE],
        "informed": [i for i in invitations if not i.expected],
    }


@login_required
def meeting_replies(request, pk):
    """The replies panel alone: the meeting page reloads it every few seconds."""
    meeting = _meeting_or_404(request, pk)
    access.require(access.for_user(request.user).can_manage_meetings(meeting.cell))
    invitations = list(meeting.invitations.select_related("member").order_by("member__sort_key"))
    return render(
        request,
        "meetings/_replies.html",
        {"meeting": meeting, "invitations": invitations, "replies": _reply_counts(invitations), "can_manage": True},
    )


@login_required
def meeting_edit(request, pk):
    meeting = _meeting_or_404(request, pk)
    _require_manage(request, meeting.cell)
    if meeting.status in (Meeting.Status.HELD, Meeting.Status.CANCELLED):
        messages.error(request, _("A held or cancelled meeting cannot be edited."))
        return redirect(meeting)
    form = MeetingForm(request.POST or None, instance=meeting, cell=meeting.cell)
    if request.method == "POST" and form.is_valid():
        services.save_edited(form.save(commit=False), form.changed_data, by=request.user)
        messages.success(request, _("The changes were saved."))
        return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "cell": meeting.cell, "meeting": meeting})


@require_POST
@login_required
def meeting_confirm(request, pk):
    meeting = _meeting_or_404(request, pk)
    _require_manage(request, meeting.cell)
    try:
        services.confirm(meeting, by=request.user)
    except services.MeetingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The meeting is confirmed and the invitations are on their way."))
    return redirect(meeting)


@login_required
def meeting_move(request, pk):
    meeting = _meeting_or_404(request, pk)
    _require_manage(request, meeting.cell)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.move(meeting, form.starts_at(), form.cleaned_data["reason"], by=request.user)
        except services.MeetingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The meeting was moved; invited members are told."))
            return redirect(meeting)
    return render(request, "meetings/meeting_action.html", {"form": form, "meeting": meeting, "action": "move"})


@login_required
def meeting_call_off(request, pk, action):
    meeting = _meeting_or_404(request, pk)
    _require_manage(request, meeting.cell)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = services.cancel if action == "cancel" else services.postpone
        try:
            service(meeting, form.cleaned_data["reason"], by=request.user)
        except services.MeetingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Done; invited members are told."))
            return redirect(meeting)
    return render(request, "meetings/meeting_action.html", {"form": form, "meeting": meeting, "action": action})


@login_required
def agenda_edit(request, pk):
    meeting = _meeting_or_404(request, pk)
    _require_manage(request, meeting.cell)
    formset = AgendaFormSet(request.POST or None, queryset=meeting.agenda_items.all())
    if request.method == "POST" and formset.is_valid():
        for item in formset.save(commit=False):
            item.meeting = meeting
            item.save()
        for item in formset.deleted_objects:
            item.delete()
        messages.success(request, _("The agenda was saved."))
        return redirect(meeting)
    return render(request, "meetings/agenda_form.html", {"formset": formset, "meeting": meeting})


@login_required
def document_upload(request, pk):
    meeting = _meeting_or_404(request, pk)
    _require_manage(request, meeting.cell)
    form = DocumentForm(request.POST or None, request.FILES or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        document = form.save(commit=False)
        document.size = document.file.size
        document.uploaded_by = request.user
        document.save()
        messages.success(request, _("The document was added."))
        return redirect(meeting)
    return render(request, "meetings/document_form.html", {"form": form, "meeting": meeting})


@login_required
def document_download(request, pk):
    document = get_object_or_404(
        Document.objects.filter(meeting__in=Meeting.objects.visible_to(access.for_user(request.user))), pk=pk
    )
    return serve(document.file)


@require_POST
@login_required
def document_delete(request, pk):
    document = get_object_or_404(
        Document.objects.filter(meeting__in=Meeting.objects.visible_to(access.for_user(request.user))).select_related(
            "meeting__cell"
        ),
        pk=pk,
    )
    _require_manage(request, document.meeting.cell)
    document.file.delete(save=False)
    document.delete()
    messages.success(request, _("The document was removed."))
    return redirect(document.meeting)


# --- replies ----------------------------------------------------------------------------------------


@login_required
def reply(request, pk):
    """A logged-in member's reply to their own invitation."""
    meeting = _meeting_or_404(request, pk)
    member = access.for_user(request.user).member
    invitation = get_object_or_404(Invitation, meeting=meeting, member=member) if member else None
    if invitation is None:
        raise Http404
    if not still_convened(member, meeting):
        return _reply_withdrawn(request)
    return _reply_page(request, invitation, through_link=False)


def reply_link(request, token):
    """The signed link from the e-mail: no login, this member and this meeting only."""
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


# --- attendance -----------------------------------------------------------------------------------


@login_required
def attendance(request, pk):
    meeting = _meeting_or_404(request, pk)
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
    return render(
        request,
        "meetings/attendance.html",
        {
            "meeting": meeting,
            "rows": rows,
            "statuses": Attendance.Status.choices,
            "errors": errors,
            "started": meeting.starts_at <= timezone.now(),
        },
    )


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


# --- thematic plan, guidance ------------------------------------------------------------------------


@login_required
def topics(request, pk):
    cell = access.cell_or_404(request.user, pk)
    can_manage = access.for_user(request.user).can_manage_meetings(cell)
    form = TopicForm(request.POST or None, request.FILES or None, cell=cell,
                     initial={"year": timezone.localdate().year})  # fmt: skip
    if request.method == "POST":
        access.require(can_manage)
        if form.is_valid():
            form.save()
            messages.success(request, _("The topic was added to the plan."))
            return redirect("meetings:topics", pk=cell.pk)
    plan = (
        ThematicTopic.objects.filter(cell=cell)
        .select_related("drafter")
        .prefetch_related(Prefetch("meetings", queryset=Meeting.objects.not_cancelled()))
    )
    return render(request, "meetings/topics.html", {"cell": cell, "topics": plan, "form": form,
                                                    "can_manage": can_manage})  # fmt: skip


@login_required
def topic_meeting(request, pk):
    """Turn a planned topic into a thematic meeting."""
    topic = get_object_or_404(
        ThematicTopic.objects.filter(cell__in=OrgUnit.objects.visible_to(access.for_user(request.user))), pk=pk
    )
    _require_manage(request, topic.cell)
    form = MeetingForm(
        request.POST or None,
        cell=topic.cell,
        initial={"kind": Meeting.Kind.THEMATIC, "title": topic.title, "duration_minutes": 90},
    )
    if request.method == "POST" and form.is_valid():
        meeting = form.save(commit=False)
        meeting.topic = topic
        services.create_meeting(meeting, by=request.user)
        messages.success(request, _("The thematic meeting was planned."))
        return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "cell": topic.cell, "topic": topic})


@login_required
def topic_draft(request, pk):
    topic = get_object_or_404(
        ThematicTopic.objects.filter(cell__in=OrgUnit.objects.visible_to(access.for_user(request.user))), pk=pk
    )
    return serve(topic.draft)


@login_required
def guidance(request, pk):
    unit = get_object_or_404(OrgUnit.objects.visible_to(access.for_user(request.user)), pk=pk)
    if unit.is_cell:
        raise Http404
    user_access = access.for_user(request.user)
    can_publish = user_access.can_publish_guidance(unit)
    form = GuidanceForm(request.POST or None, request.FILES or None,
                        initial={"month": timezone.localdate().replace(day=1)})  # fmt: skip
    if request.method == "POST":
        access.require(can_publish)
        if form.is_valid():
            item = form.save(commit=False)
            item.unit, item.created_by = unit, request.user
            item.save()
            messages.success(request, _("The guidance was published to every cell below."))
            return redirect("meetings:guidance", pk=unit.pk)
    items = Guidance.objects.filter(unit=unit)
    return render(request, "meetings/guidance.html", {"unit": unit, "items": items, "form": form,
                                                      "can_publish": can_publish})  # fmt: skip


@login_required
def guidance_file(request, pk):
    user_access = access.for_user(request.user)
    item = get_object_or_404(Guidance.objects.select_related("unit"), pk=pk)
    # Readable by the committee's own viewers and by every cell below it.
    visible = OrgUnit.objects.visible_to(access.for_user(request.user)).filter(path__startswith=item.unit.path).exists()
    if not (visible or user_access.grant_over(item.unit)):
        raise Http404
    return serve(item.file)


# --- the member's own pages and calendars -------------------------------------------------------------


@login_required
def my_meetings(request):
    member = access.for_user(request.user).member
    if member is None:
        return render(request, "meetings/my_meetings.html", {"member": None})
    now = timezone.now()
    invitations = (
        Invitation.objects.filter(member=member).select_related("meeting__cell").order_by("meeting__starts_at")
    )
    upcoming = invitations.filter(meeting__starts_at__gte=now - timedelta(hours=3))
    # As in the calendar feed: a meeting that no longer convenes the member (transfer, suspension) is not theirs.
    upcoming = [i for i in upcoming if still_convened(member, i.meeting)]
    past = list(Attendance.objects.filter(member=member).select_related("meeting").order_by("-meeting__starts_at")[:24])
    return render(
        request,
        "meetings/my_meetings.html",
        {
            "member": member,
            "upcoming": upcoming,
            "past": past,
            "feed": CalendarFeed.objects.filter(member=member).first(),
        },
    )


@require_POST
@login_required
def calendar_feed_renew(request):
    member = access.for_user(request.user).member
    if member is None:
        raise Http404
    CalendarFeed.objects.update_or_create(member=member, defaults={"token": CalendarFeed.new_token()})
    messages.success(request, _("Your calendar address is new; the old one no longer works."))
    return redirect("meetings:mine")


def calendar_feed(request, token):
    feed = calendars.feed_from_token(token)
    if feed is None:
        raise Http404
    return _ics_response(calendars.feed(calendars.member_meetings(feed.member), feed.member), "chibo.ics")


@login_required
def meeting_ics(request, pk):
    meeting = _meeting_or_404(request, pk)
    return _ics_response(calendars.feed([meeting], None), f"meeting-{meeting.pk}.ics")


def _ics_response(content, filename):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
