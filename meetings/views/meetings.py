"""Meetings themselves: the cell's calendar, planning (regular schedule, thematic topics), a meeting's page,
editing, confirming, moving and calling off."""

import calendar
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import access
from members.models import OrgUnit
from notifications.models import Message

from .. import page, services, signals
from ..forms import (
    MeetingForm,
    MoveForm,
    PlanYearForm,
    ReasonForm,
    ScheduleRuleForm,
    TopicForm,
)
from ..models import (
    Invitation,
    Meeting,
    ScheduleRule,
    ThematicTopic,
    attendance_summary,
    guidance_for,
)
from ..schedule import plan_year, propose_year
from ..warnings import cell_warnings
from .base import meeting_or_404, require_manage


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
    require_manage(request, cell)
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
    require_manage(request, cell)
    rule = ScheduleRule.objects.filter(cell=cell).first() or ScheduleRule(cell=cell)
    form = ScheduleRuleForm(request.POST or None, instance=rule, prefix="rule")
    year = timezone.localdate().year
    plan_form = PlanYearForm(request.GET or None, initial={"year": year})
    if plan_form.is_valid():
        year = plan_form.cleaned_data["year"]
    if request.method == "POST" and "plan" in request.POST:
        plan_form = PlanYearForm(request.POST)
        if rule.pk and plan_form.is_valid():
            planned_year = plan_form.cleaned_data["year"]
            created = plan_year(cell, planned_year, by=request.user)
            messages.success(request, _("%(count)s meetings were planned.") % {"count": len(created)})
            # The list of the year just planned (not of this one).
            return redirect(reverse("meetings:calendar", args=[cell.pk]) + f"?view=list&month={planned_year}-01")
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


@login_required
def meeting_detail(request, pk):
    user_access = access.for_user(request.user)
    meeting = get_object_or_404(Meeting.objects.visible_to(user_access).select_related("cell"), pk=pk)
    page.add_people(meeting)
    can_manage = user_access.can_manage_meetings(meeting.cell)
    agenda, documents = page.agenda(meeting)
    late = meeting.late_documents([d for item in agenda for d in item.attached_documents] + documents)
    invitations = page.invitations(meeting)
    own = next((i for i in invitations if user_access.member and i.member_id == user_access.member.pk), None)
    attendances = page.attendances(meeting)
    guidance = guidance_for(meeting)
    failed, sent = [], []
    if can_manage:
        sent = page.messages(meeting)
        failed = [m for m in sent if m.status in (Message.Status.FAILED, Message.Status.NO_ADDRESS)]
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "cell": meeting.cell,
            "agenda": agenda,
            "documents": documents,
            "documents_due": {
                "at": meeting.documents_due_at,
                "days": settings.DOCUMENTS_DAYS_BEFORE,
                "late": late,
                "late_ids": {d.pk for d in late},
            },
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
            "sent_messages": sent,
            "history": page.history(meeting) if can_manage else [],
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
    meeting = meeting_or_404(request, pk)
    access.require(access.for_user(request.user).can_manage_meetings(meeting.cell))
    invitations = page.invitations(meeting)
    return render(
        request,
        "meetings/_replies.html",
        {"meeting": meeting, "invitations": invitations, "replies": _reply_counts(invitations), "can_manage": True},
    )


@login_required
def meeting_edit(request, pk):
    meeting = meeting_or_404(request, pk)
    require_manage(request, meeting.cell)
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
    meeting = meeting_or_404(request, pk)
    require_manage(request, meeting.cell)
    try:
        services.confirm(meeting, by=request.user)
    except services.MeetingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The meeting is confirmed and the invitations are on their way."))
    return redirect(meeting)


@login_required
def meeting_move(request, pk):
    meeting = meeting_or_404(request, pk)
    require_manage(request, meeting.cell)
    local = timezone.localtime(meeting.starts_at)  # the form starts from the meeting's own day and time
    form = MoveForm(request.POST or None, initial={"date": local.date(), "time": local.time()})
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
    meeting = meeting_or_404(request, pk)
    require_manage(request, meeting.cell)
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
    require_manage(request, topic.cell)
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
