"""Views of resolutions: the cell's list, a resolution and its PDF, tasks and progress, the study of directives
and a member's evidence."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo import filenames, replica
from meetings.documents import serve
from meetings.models import Meeting
from members import access
from minutes.models import MinutesTask

from . import documents, services
from .forms import DirectiveForm, EssayForm, ProgressForm, ResolutionForm, ReviewForm, StudySessionForm, TaskForm
from .models import Resolution, Task, TaskUpdate


def _resolution(request, pk):
    return get_object_or_404(
        Resolution.objects.visible_to(access.for_user(request.user)).select_related("cell", "meeting", "vote"), pk=pk
    )


@login_required
def cell_resolutions(request, pk):
    cell = access.cell_or_404(request.user, pk)
    resolutions = Resolution.objects.filter(cell=cell).select_related("meeting")
    return render(request, "resolutions/list.html", {"cell": cell, "resolutions": resolutions,
                                                     "today": timezone.localdate()})  # fmt: skip


@login_required
def create(request, pk):
    visible = Meeting.objects.visible_to(access.for_user(request.user))
    # the committee prepares; the cell adopts resolutions
    meeting = get_object_or_404(visible.exclude(kind=Meeting.Kind.COMMITTEE).select_related("cell"), pk=pk)
    access.require(access.for_user(request.user).can_manage_meetings(meeting.cell))
    form = ResolutionForm(request.POST or None, meeting=meeting, initial={
        "kind": "thematic" if meeting.kind == Meeting.Kind.THEMATIC else "regular",
        "title": _("Resolution of the %(meeting)s") % {"meeting": str(meeting.display_title).lower()},
    })  # fmt: skip
    if request.method == "POST" and form.is_valid():
        resolution = form.save(commit=False)
        resolution.created_by = request.user
        resolution.save()
        messages.success(request, _("The draft resolution was saved."))
        return redirect(resolution)
    return render(request, "resolutions/form.html", {"form": form, "meeting": meeting})


@login_required
def detail(request, pk):
    resolution = _resolution(request, pk)
    user_access = access.for_user(request.user)
    tasks = list(
        resolution.tasks.select_related("responsible").prefetch_related("helpers")
        .annotate(reports=Count("updates"))
    )  # fmt: skip
    today = timezone.localdate()
    for task in tasks:
        task.overdue = task.is_overdue(today)
        task.can_update = user_access.can_update_task(task)
    minutes_tasks = MinutesTask.objects.filter(minutes__meeting=resolution.meeting).count()
    return render(request, "resolutions/detail.html", {
        "resolution": resolution, "tasks": tasks, "cell": resolution.cell, "minutes_tasks": minutes_tasks,
        "can_manage": user_access.can_manage_meetings(resolution.cell),
        "reviews": resolution.reviews.all(), "review_form": ReviewForm(initial={"held_on": today}),
    })  # fmt: skip


@login_required
def edit(request, pk):
    resolution = _resolution(request, pk)
    access.require(access.for_user(request.user).can_manage_meetings(resolution.cell))
    if resolution.status != Resolution.Status.DRAFT:
        messages.error(request, _("An issued resolution cannot be edited."))
        return redirect(resolution)
    form = ResolutionForm(request.POST or None, instance=resolution, meeting=resolution.meeting)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The draft resolution was saved."))
        return redirect(resolution)
    return render(request, "resolutions/form.html", {"form": form, "meeting": resolution.meeting,
                                                     "resolution": resolution})  # fmt: skip


@require_POST
@login_required
def issue(request, pk):
    resolution = _resolution(request, pk)
    access.require(access.for_user(request.user).can_manage_meetings(resolution.cell))
    if request.POST.get("confirm") != "1":  # irreversible: asked for in so many words
        messages.error(request, _("Tick the box to confirm: an issued resolution keeps its number and text."))
        return redirect(resolution)
    try:
        resolution = services.issue(resolution, by=request.user)
    except services.ResolutionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Resolution %(code)s is issued.") % {"code": resolution.code})
    return redirect(resolution)


@login_required
def task_create(request, pk):
    resolution = _resolution(request, pk)
    access.require(access.for_user(request.user).can_manage_meetings(resolution.cell))
    form = TaskForm(request.POST or None, resolution=resolution)
    if request.method == "POST" and form.is_valid():
        form.save()
        documents.request_pdf(resolution)  # the assignments are part of the document
        messages.success(request, _("The task was added."))
        return redirect(resolution)
    return render(request, "resolutions/task_form.html", {"form": form, "resolution": resolution})


def _task_to_change(request, pk):
    """A task the user's cell committee may still change: one nobody has reported progress on."""
    task = get_object_or_404(
        Task.objects.filter(resolution__in=Resolution.objects.visible_to(access.for_user(request.user))).select_related(
            "resolution__cell", "resolution__meeting"
        ),
        pk=pk,
    )
    access.require(access.for_user(request.user).can_manage_meetings(task.resolution.cell))
    if task.updates.exists():
        messages.error(request, _("Progress has been reported on this task: it can no longer be changed or withdrawn."))
        return task, False
    return task, True


@login_required
def task_edit(request, pk):
    task, changeable = _task_to_change(request, pk)
    if not changeable:
        return redirect(task.resolution)
    form = TaskForm(request.POST or None, instance=task, resolution=task.resolution)
    if request.method == "POST" and form.is_valid():
        form.save()
        documents.request_pdf(task.resolution)
        messages.success(request, _("The task was saved."))
        return redirect(task.resolution)
    return render(request, "resolutions/task_form.html", {"form": form, "resolution": task.resolution, "task": task})


@require_POST
@login_required
def task_withdraw(request, pk):
    task, changeable = _task_to_change(request, pk)
    if changeable:
        with transaction.atomic():
            # Locked, then checked again: a progress report saved meanwhile keeps the task.
            locked = Task.objects.select_for_update().get(pk=task.pk)
            if locked.updates.exists():
                messages.error(request, _("Progress has been reported on this task: it can no longer be changed "
                                          "or withdrawn."))  # fmt: skip
                return redirect(task.resolution)
            locked.delete()
        documents.request_pdf(task.resolution)
        messages.success(request, _("The task “%(title)s” was withdrawn.") % {"title": task.title})
    return redirect(task.resolution)


@require_POST
@login_required
def tasks_from_minutes(request, pk):
    """The assignments the minutes recorded become the resolution's tasks, with no retyping; those without a
    person or a deadline are named, to be added by hand."""
    resolution = _resolution(request, pk)
    access.require(access.for_user(request.user).can_manage_meetings(resolution.cell))
    made, skipped = services.tasks_from_minutes(resolution)
    if made:
        documents.request_pdf(resolution)
        messages.success(request, _("%(count)s tasks were made from the minutes.") % {"count": len(made)})
    if skipped:
        messages.warning(request, _("Without a person or a deadline, not made: %(items)s.")
                         % {"items": "; ".join(skipped)})  # fmt: skip
    if not made and not skipped:
        messages.info(request, _("Every assignment of the minutes is already a task."))
    return redirect(resolution)


@login_required
def task_progress(request, pk):
    task = get_object_or_404(
        Task.objects.filter(resolution__in=Resolution.objects.visible_to(access.for_user(request.user))).select_related(
            "resolution__cell", "responsible"
        ),
        pk=pk,
    )
    access.require(access.for_user(request.user).can_update_task(task))
    form = ProgressForm(request.POST or None, request.FILES or None,
                        initial={"status": task.status, "percent": task.percent})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report_progress(task, request.user, data["status"], data["percent"], data["note"],
                                     data["evidence"])  # fmt: skip
        except services.ResolutionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your report was saved."))
            if task.responsible.user_id == request.user.pk:  # the member back to their list, the report in it
                return redirect("resolutions:mine")
            return redirect(task.resolution)
    updates = task.updates.select_related("by")[:20]
    sent = task.messages.select_related("member").order_by("-created_at", "-pk")[:20]
    return render(request, "resolutions/progress.html",
                  {"form": form, "task": task, "updates": updates, "sent_messages": sent})  # fmt: skip


@login_required
def my_tasks(request):
    member = access.for_user(request.user).member
    tasks = []
    if member is not None:
        reports = Prefetch("updates", queryset=TaskUpdate.objects.order_by("-at", "-pk"), to_attr="reports")
        tasks = list(Task.objects.filter(responsible=member).exclude(resolution__status="draft")
                     .select_related("resolution").prefetch_related(reports).order_by("deadline"))  # fmt: skip
    today = timezone.localdate()
    for task in tasks:
        task.overdue = task.is_overdue(today)
    tasks.sort(key=lambda task: (task.is_closed, task.deadline))  # what is still to do comes first
    return render(request, "resolutions/my_tasks.html", {"tasks": tasks, "member": member})


@login_required
def pdf(request, pk):
    resolution = _resolution(request, pk)
    if resolution.pdf_status != "ready":
        raise Http404
    return serve(resolution.pdf, filename=filenames.resolution(resolution.cell, resolution.number, resolution.year))


@login_required
def docx(request, pk):
    import io

    resolution = _resolution(request, pk)
    buffer = io.BytesIO()
    documents.word(resolution).save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="{documents.word_file_name(resolution)}"'
    return response


@require_POST
@login_required
def render_pdf(request, pk):
    resolution = _resolution(request, pk)
    access.require(access.for_user(request.user).can_manage_meetings(resolution.cell))
    documents.request_pdf(resolution)
    return redirect(resolution)


@login_required
@replica.reads
def cell_evidence(request, pk):
    """The year's evidence for every member of the cell, for the annual evaluation."""
    from members.models import Member

    from .evidence import evidence

    cell = access.cell_or_404(request.user, pk)
    user_access = access.for_user(request.user)
    access.require(user_access.is_cell_committee(cell) or user_access.grant_over(cell) is not None)
    try:
        year = int(request.GET.get("year", ""))
        if not 2000 <= year <= 2100:
            raise ValueError(year)
    except ValueError:
        year = timezone.localdate().year
    # The table shows a member's name and link, and the band needs their status: the rest of the record stays.
    rows = evidence(Member.objects.filter(cell=cell).on_roll().only("pk", "full_name", "status"), year)
    return render(request, "resolutions/evidence.html", {"cell": cell, "year": year, "rows": list(rows.values())})


@require_POST
@login_required
def review(request, pk):
    resolution = _resolution(request, pk)
    access.require(access.for_user(request.user).can_manage_meetings(resolution.cell))
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(resolution)
    data = form.cleaned_data
    try:
        services.add_review(resolution, data["kind"], data["held_on"], data["conclusions"], by=request.user)
    except services.ResolutionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The review was recorded."))
    return redirect(resolution)


@login_required
def directives(request, pk):
    """A higher committee's directives to study, with which cells below have studied each."""
    from members.models import OrgUnit

    from .models import Directive, StudySession

    unit = get_object_or_404(OrgUnit.objects.visible_to(access.for_user(request.user)), pk=pk)
    if unit.is_cell:
        raise Http404
    user_access = access.for_user(request.user)
    access.require(user_access.grant_over(unit) is not None)
    form = DirectiveForm(request.POST or None)
    if request.method == "POST":
        access.require(user_access.can_publish_guidance(unit))
        if form.is_valid():
            directive = form.save(commit=False)
            directive.unit = unit
            directive.save()
            messages.success(request, _("Every cell below will study it."))
            return redirect("resolutions:directives", pk=unit.pk)
    items = list(Directive.objects.filter(unit=unit))
    cells = OrgUnit.objects.subtree(unit).cells().count()
    studied = dict(StudySession.objects.filter(directive__in=items).values_list("directive").annotate(n=Count("pk")))
    for item in items:
        item.studied = studied.get(item.pk, 0)
    context = {"unit": unit, "items": items, "cells": cells, "form": form,
               "can_publish": user_access.can_publish_guidance(unit)}  # fmt: skip
    return render(request, "resolutions/directives.html", context)


@login_required
def study(request, pk):
    """A cell's studies: the directives from the committees above, its sessions and its members' essays."""
    from .models import Directive, StudySession

    cell = access.cell_or_404(request.user, pk)
    user_access = access.for_user(request.user)
    can_manage = user_access.can_manage_meetings(cell)
    items = list(Directive.objects.filter(unit__path__in=cell.ancestor_paths()[:-1]).select_related("unit"))
    sessions = {
        s.directive_id: s
        for s in StudySession.objects.filter(cell=cell).prefetch_related("attendees", "essays__member")
    }
    if request.method == "POST":
        access.require(can_manage)
        chosen = request.POST.get("directive", "")
        if not chosen.isdigit():
            raise Http404
        directive = get_object_or_404(Directive, pk=chosen, pk__in=[d.pk for d in items])
        form = StudySessionForm(request.POST, cell=cell)
        if form.is_valid():
            services.record_study(cell, directive, form.cleaned_data["held_on"], form.cleaned_data["attendees"])
            messages.success(request, _("The study session was recorded."))
        else:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("resolutions:study", pk=cell.pk)
    member = user_access.member
    for item in items:
        item.session = sessions.get(item.pk)
        item.form = StudySessionForm(cell=cell, initial={"held_on": timezone.localdate()})
        item.essay_done = bool(
            item.session and member and any(e.member_id == member.pk for e in item.session.essays.all())
        )
    return render(request, "resolutions/study.html", {"cell": cell, "items": items, "can_manage": can_manage,
                                                      "member": member, "today": timezone.localdate()})  # fmt: skip


@require_POST
@login_required
def essay(request, pk):
    """A member hands in their study essay (a file is optional: many hand in paper)."""
    from .models import StudySession

    session = get_object_or_404(StudySession.objects.filter(cell__in=visible_units(request.user)), pk=pk)
    member = access.for_user(request.user).member
    access.require(member is not None and member.cell_id == session.cell_id)
    form = EssayForm(request.POST, request.FILES)
    if form.is_valid():
        services.submit_essay(session, member, form.cleaned_data["file"])
        messages.success(request, _("Your essay is recorded."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("resolutions:study", pk=session.cell_id)


def visible_units(user):
    from members.models import OrgUnit

    return OrgUnit.objects.visible_to(access.for_user(user))
