"""Views of the minutes: a meeting's minutes, editing, approval, signature and addenda, the PDF and Word file,
and the cell's minutes book."""

import difflib
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F, Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo import filenames, pdf
from chibo.errors import summary as error_summary
from meetings.models import Attendance, Meeting
from meetings.page import latest_by_whom
from members import access
from members.names import fold

from . import book, quality, workflow
from .forms import (
    AddendumForm,
    ContributionFormSet,
    MinutesForm,
    MinutesSearchForm,
    QualityForm,
    SectionFormSet,
    TaskFormSet,
    VoteFormSet,
)
from .models import Minutes, MinutesRevision
from .votes import meeting_vote_base, passes


def _meeting(request, pk):
    return get_object_or_404(
        Meeting.objects.visible_to(access.for_user(request.user)).select_related("cell__parent"), pk=pk
    )


def _meeting_and_minutes(request, pk):
    """The meeting the user may see and its minutes (None when not started), read together in one query."""
    meeting = get_object_or_404(
        Meeting.objects.visible_to(access.for_user(request.user)).select_related(
            "cell__parent", "minutes__chair", "minutes__minute_taker", "minutes__signed_by"
        ),
        pk=pk,
    )
    try:
        return meeting, meeting.minutes
    except Minutes.DoesNotExist:
        return meeting, None


def _minutes(request, pk):
    minutes = _meeting_and_minutes(request, pk)[1]
    if minutes is None:
        raise Http404
    return minutes


# What a draft's page reads of its attendance: the records, with their members by name and sort key alone
# (`roll_on_the_day`, `workflow.attendance_block`): building their whole rows cost more than the query.
ATTENDANCE_READ = [f.name for f in Attendance._meta.concrete_fields] + ["member__full_name", "member__sort_key"]


@login_required
def minutes_detail(request, pk):
    user_access = access.for_user(request.user)
    # The chair and the minute-taker by their names alone, as the PDF worker reads them (`workflow.pdf_records`):
    # the page shows nothing else of them, and their whole rows were two more joins. The signer, shown only once
    # the minutes are signed, is read then.
    meeting = get_object_or_404(
        Meeting.objects.visible_to(user_access)
        .select_related("cell__parent", "minutes")
        .annotate(chair_name=F("minutes__chair__full_name"), minute_taker_name=F("minutes__minute_taker__full_name")),
        pk=pk,
    )
    try:
        minutes = meeting.minutes
    except Minutes.DoesNotExist:
        minutes = None
    else:
        minutes.chair_name, minutes.minute_taker_name = meeting.chair_name, meeting.minute_taker_name
    context = {"meeting": meeting, "cell": meeting.cell, "minutes": minutes,
               "can_edit": user_access.can_edit_minutes(meeting)}  # fmt: skip
    if minutes:
        if minutes.is_editable:
            # The attendance of a draft: read once for its quality and for what its document says
            # (roll_on_the_day). Its speakers come by name with the document's parts (`workflow._parts`) and
            # counted with the quality's facts (`quality.draft_facts`): no row of theirs is built.
            marked = Attendance.objects.select_related("member").only(*ATTENDANCE_READ)
            prefetch_related_objects([meeting], Prefetch("attendances", marked))
        # What the minutes say, built once: shown, and compared with what their PDF was made from.
        document = workflow.content(minutes)
        context.update(workflow.pdf_context(minutes, document))
        context["addenda"] = context["doc"]["addenda"]
        context.update(
            can_sign=user_access.can_sign_minutes(minutes),
            pdf_current=bool(minutes.pdf) and minutes.pdf_source == pdf.digest(document),
            # Who, when and what: no snapshot, and the user by their names alone.
            revisions=latest_by_whom(MinutesRevision, "minutes_id", minutes.pk, ["version", "action"], 30),
            criteria=_criteria_rows(minutes),
        )
    return render(request, "minutes/minutes_detail.html", context)


def _criteria_rows(minutes):
    if minutes.is_editable:
        # A draft's policy and the facts of its computed criteria, read in one query.
        facts = quality.draft_facts(minutes)
        (weights, _bands), fractions = facts["policy"], quality.computed_fractions(minutes, facts)
    else:
        (weights, _bands), fractions = quality.policy_for(minutes.meeting.cell), {}
    scores = (minutes.frozen or {}).get("quality", {}).get("scores") if minutes.is_locked else minutes.quality_scores
    return [
        {"label": label, "points": weights[key], "score": (scores or {}).get(key),
         "computed": computed, "why": fractions.get(key, (None, ""))[1]}
        for key, label, computed, _default in quality.CRITERIA
        if weights[key]
    ]  # fmt: skip


@require_POST
@login_required
def minutes_start(request, pk):
    meeting = _meeting(request, pk)
    access.require(access.for_user(request.user).can_edit_minutes(meeting))
    try:
        workflow.start(meeting, by=request.user)
    except workflow.MinutesError as exc:
        messages.error(request, str(exc))
        return redirect(meeting)
    return redirect("meetings:minutes_edit", pk=meeting.pk)


@login_required
def minutes_edit(request, pk):
    minutes = _minutes(request, pk)
    meeting = minutes.meeting
    user_access = access.for_user(request.user)
    access.require(user_access.can_edit_minutes(meeting))
    can_set_chair = user_access.can_manage_meetings(meeting.cell)
    if not minutes.is_editable:
        messages.error(request, _("These minutes are no longer a draft and cannot be changed."))
        return redirect("meetings:minutes", pk=meeting.pk)
    base = meeting_vote_base(meeting)
    weights, _bands = quality.policy_for(meeting.cell)
    data = request.POST if request.method == "POST" else None
    form = MinutesForm(data, instance=minutes, can_set_chair=can_set_chair)
    formsets = {
        "sections": SectionFormSet(data, instance=minutes, prefix="sections"),
        "contributions": ContributionFormSet(data, instance=minutes, prefix="contributions"),
        "tasks": TaskFormSet(data, instance=minutes, prefix="tasks"),
        "votes": VoteFormSet(data, instance=minutes, prefix="votes", voters=base["voters"], base=base["base"]),
    }
    quality_form = QualityForm(data, weights=weights, initial=minutes.quality_scores)
    conflict = None
    if (
        request.method == "POST"
        and form.is_valid()
        and quality_form.is_valid()
        and all(f.is_valid() for f in formsets.values())
    ):
        try:
            with transaction.atomic():
                # Written onto the row as locked now, so that nothing a worker stored meanwhile (the PDF)
                # is overwritten by the copy this page was built from.
                current = workflow.lock_for_edit(minutes, form.cleaned_data["version"])
                for name in MinutesForm.Meta.fields:
                    if form.fields[name].disabled or name in ("date", "start_time", "end_time"):
                        continue
                    if name in form.cleaned_data:
                        setattr(current, name, form.cleaned_data[name])
                if can_set_chair and "chair" in form.changed_data:
                    workflow.record_chair(current, by=request.user)
                current.started_at, current.ended_at = form.instance.started_at, form.instance.ended_at
                for formset in formsets.values():
                    formset.instance = current
                    for item in formset.save(commit=False):
                        item.minutes = current
                        if formset.prefix == "votes":  # the rule holds on every row, before `recompute`
                            item.base, item.passed = base["base"], passes(item.votes_for, base["base"])
                        item.save()
                    for item in formset.deleted_objects:
                        item.delete()
                current.quality_scores = {k: str(v) for k, v in quality_form.cleaned_data.items() if v is not None}
                workflow.saved(current, by=request.user)
        except workflow.Conflict as exc:
            conflict = _differences(exc.current, form, formsets)
            # The editor keeps their text and can save it over the newer version once compared.
            form.data = form.data.copy()
            form.data["version"] = Minutes.objects.values_list("version", flat=True).get(pk=minutes.pk)
        except workflow.MinutesError as exc:
            messages.error(request, str(exc))
            return redirect("meetings:minutes", pk=meeting.pk)
        else:
            messages.success(request, _("The minutes were saved."))
            return redirect("meetings:minutes", pk=meeting.pk)
    return render(
        request,
        "minutes/minutes_form.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "form": form,
            "formsets": formsets,
            "quality_form": quality_form,
            "computed": quality.computed_fractions(minutes),
            "weights": weights,
            "base": base,
            "conflict": conflict,
            "errors": error_summary(
                [
                    (_("Minutes"), form),
                    (_("Sections"), formsets["sections"]),
                    (_("Contributions"), formsets["contributions"]),
                    (_("Tasks"), formsets["tasks"]),
                    (_("Votes"), formsets["votes"]),
                    (_("Self-assessment of quality"), quality_form),
                ]
            ),
        },
    )


def _as_text(data):
    """The minutes as lines of text, for a line-by-line comparison of two versions."""
    # The labels outside the f-strings: makemessages does not look inside them.
    place, chair, taker = _("Place"), _("Chair"), _("Minute-taker")
    started, ended, guests = _("Started at"), _("Ended at"), _("Guests")
    lines = [f"{place}: {data['place']}", f"{chair}: {data['chair']} {data['chair_title']}",
             f"{taker}: {data['minute_taker']}", f"{started}: {data['started_at']}",
             f"{ended}: {data['ended_at']}", f"{guests}: {data['guests']}"]  # fmt: skip
    lines += [f"{s['heading']}: {s['text']}" for s in data["sections"]]
    lines += [f"{c['member']}: {c['summary']}" for c in data["contributions"]]
    praise, conclusion = _("Praise, reminders and criticism"), _("The chair's conclusion")
    lines += [f"{praise}: {data['praise_criticism']}", f"{conclusion}: {data['conclusion']}"]
    lines += [f"{t['who']}: {t['what']} {t['deadline']}" for t in data["tasks"]]
    lines += [f"{v['subject']}: {v['for']}/{v['against']}/{v['other']}" for v in data["votes"]]
    return "\n".join(lines).splitlines()


def _differences(current, form, formsets):
    """The difference between what is saved now and what this editor submitted, over every part."""

    def rows(name, fields):
        forms = formsets[name].forms
        return [
            {key: str(f.cleaned_data.get(source) or "") for key, source in fields.items()}
            for f in forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]

    data = form.cleaned_data
    mine = {
        "place": data.get("place", ""), "chair": str(data.get("chair") or ""),
        "chair_title": data.get("chair_title", ""),
        "minute_taker": str(data.get("minute_taker") or ""),
        "started_at": form.instance.started_at.isoformat() if form.instance.started_at else "",
        "ended_at": form.instance.ended_at.isoformat() if form.instance.ended_at else "",
        "guests": data.get("guests", ""), "praise_criticism": data.get("praise_criticism", ""),
        "conclusion": data.get("conclusion", ""),
        "sections": rows("sections", {"heading": "heading", "text": "text"}),
        "contributions": rows("contributions", {"member": "member", "summary": "summary"}),
        "tasks": [{**t, "deadline": t["deadline"]} for t in rows("tasks", {"who": "member", "what": "description",
                                                                            "deadline": "deadline"})],
        "votes": rows("votes", {"subject": "subject", "for": "votes_for", "against": "votes_against",
                                "other": "votes_other"}),
    }  # fmt: skip
    diff = difflib.unified_diff(
        _as_text(current), _as_text(mine), fromfile=_("saved by the other editor"), tofile=_("yours"), lineterm=""
    )
    text = "\n".join(diff)
    return [{"label": _("Differences"), "diff": text}] if text else []


@require_POST
@login_required
def minutes_transition(request, pk, action):
    minutes = _minutes(request, pk)
    user_access = access.for_user(request.user)
    if action == "sign":
        access.require(user_access.can_sign_minutes(minutes))
    else:
        access.require(user_access.can_edit_minutes(minutes.meeting))
    if action == "sign" and request.POST.get("confirm") != "1":  # irreversible: asked for in so many words
        messages.error(request, _("Tick the box to confirm: signed minutes can no longer change."))
        return redirect("meetings:minutes", pk=minutes.meeting_id)
    step = {"approve": workflow.approve, "reopen": workflow.reopen, "sign": workflow.sign}[action]
    try:
        step(minutes, by=request.user)
    except workflow.MinutesError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            {"approve": _("The minutes are approved."), "reopen": _("The minutes are a draft again."),
             "sign": _("The minutes are signed and locked.")}[action],
        )  # fmt: skip
    return redirect("meetings:minutes", pk=minutes.meeting_id)


@require_POST
@login_required
def minutes_addendum(request, pk):
    minutes = _minutes(request, pk)
    access.require(access.for_user(request.user).can_sign_minutes(minutes))
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            workflow.add_addendum(minutes, form.cleaned_data["text"], by=request.user)
        except workflow.MinutesError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The correction was added and signed."))
    else:
        messages.error(request, _("Write the correction."))
    return redirect("meetings:minutes", pk=minutes.meeting_id)


@require_POST
@login_required
def minutes_render(request, pk):
    minutes = _minutes(request, pk)
    access.require(access.for_user(request.user).can_edit_minutes(minutes.meeting))
    workflow.request_pdf(minutes)
    return redirect("meetings:minutes", pk=minutes.meeting_id)


@login_required
def minutes_status(request, pk):
    """The PDF's state, for the page to poll while a worker renders it."""
    minutes = _minutes(request, pk)
    return HttpResponse(minutes.pdf_status or "none", content_type="text/plain")


@login_required
def minutes_pdf(request, pk):
    minutes = _minutes(request, pk)
    if minutes.pdf_status != Minutes.PdfStatus.READY or not minutes.pdf:
        raise Http404
    try:
        handle = minutes.pdf.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = filenames.minutes(minutes.meeting.cell, timezone.localtime(minutes.meeting.starts_at).date())
    response = FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")
    response["X-Content-SHA256"] = minutes.pdf_sha256
    return response


@login_required
def minutes_docx(request, pk):
    from . import docx

    minutes = _minutes(request, pk)
    buffer = io.BytesIO()
    docx.minutes_docx(minutes).save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="{docx.file_name(minutes)}"'
    return response


@login_required
def minutes_book(request, pk):
    cell = access.cell_or_404(request.user, pk)
    if request.method == "POST":
        return _render_missing(request, cell)
    form = MinutesSearchForm(request.GET or None)
    year = timezone.localdate().year
    query = ""
    if form.is_valid():
        year = form.cleaned_data["year"] or year
        query = form.cleaned_data["q"]
    if request.GET.get("progress"):
        return _book_progress(cell, year, access.for_user(request.user))
    user_access = access.for_user(request.user)
    # A plain member's list, search and book leave out the minutes of the committee's own meetings.
    readable = user_access.meetings(Minutes.objects.filter(meeting__cell=cell), "meeting__")
    # Not the frozen document nor the search text, the largest columns: the list shows neither.
    records = readable.select_related("meeting").defer("frozen", "search_text").order_by("meeting__starts_at", "pk")
    if query:
        records = records.filter(search_text__contains=fold(query))
    else:
        records = records.filter(meeting__starts_at__year=year)
    records = list(records)
    for record in records:
        record.meeting.cell = cell  # asked by the rights below
    years = sorted(
        {d.year for d in readable.dates("meeting__starts_at", "year")} | {timezone.localdate().year},
        reverse=True,
    )
    # The year's PDF book is made of the stored PDFs: say which signed minutes lack one, and offer to render them.
    # The year's list holds them all (`workflow.missing_from_book`, without asking again).
    missing = [] if query else [record for record in records if record.is_missing_from_book]
    can_render = any(
        m.pdf_status != Minutes.PdfStatus.PENDING and user_access.can_edit_minutes(m.meeting) for m in missing
    )
    # Asked for the book while the worker renders what it lacks: the page shows how far it is, then delivers it.
    rendering = sum(1 for m in missing if m.pdf_status == Minutes.PdfStatus.PENDING)
    deliver = not query and request.GET.get("deliver") == "1"
    return render(request, "minutes/minutes_book.html", {"cell": cell, "records": records, "year": year,
                                                          "years": years, "query": query, "form": form,
                                                          "missing": missing, "can_render": can_render,
                                                          "rendering": rendering, "deliver": deliver})  # fmt: skip


def _book_progress(cell, year, user_access):
    """How far the worker is with the PDFs the year's book needs, for the book page to poll."""
    counts = book.progress(cell, year, user_access)
    done = counts["signed"] - counts["pending"]
    return JsonResponse({
        **counts,
        "done": done,
        "label": _("%(done)s of %(signed)s signed minutes have their PDF") % {**counts, "done": done}
        if counts["pending"] else _("The book is ready."),
    })  # fmt: skip


def _render_missing(request, cell):
    """Queue the PDFs of the year's signed minutes that the book lacks; those being rendered are left alone."""
    form = MinutesSearchForm(request.POST)
    year = (form.cleaned_data["year"] if form.is_valid() else None) or timezone.localdate().year
    user_access = access.for_user(request.user)
    # As for one minutes: whoever may render a minutes' PDF (`minutes_render`) may queue it from here.
    allowed = [
        m for m in workflow.missing_from_book(cell, year, user_access) if user_access.can_edit_minutes(m.meeting)
    ]
    access.require(allowed or user_access.can_manage_meetings(cell))
    queued = workflow.render_missing(allowed)
    if queued:
        messages.success(request, _("%(count)s PDFs are being rendered; the book includes them once they are ready.")
                         % {"count": queued})  # fmt: skip
    elif allowed:
        messages.info(request, _("Nothing to render: the missing PDFs are already being rendered."))
    else:
        messages.info(request, _("Every signed minutes of %(year)s is in the PDF book.") % {"year": year})
    return redirect(reverse("meetings:minutes_book", args=[cell.pk]) + f"?year={year}")


@login_required
def minutes_book_pdf(request, pk):
    """The year's minutes book in one file: a contents page, then the signed minutes' stored PDFs.

    Asked for while signed minutes lack their PDF, the worker renders them first and the book page shows how
    far it is; it then asks again with `as_is=1`, and whatever still has no PDF is named in the book."""
    cell = access.cell_or_404(request.user, pk)
    form = MinutesSearchForm(request.GET or None)
    year = (form.cleaned_data["year"] if form.is_valid() else None) or timezone.localdate().year
    page = reverse("meetings:minutes_book", args=[cell.pk]) + f"?year={year}"
    # Rendering a signed minutes' PDF changes nothing it says: whoever may read the book may have it completed.
    user_access = access.for_user(request.user)
    if request.GET.get("as_is") != "1" and book.prepare(cell, year, user_access):
        messages.info(request, _("The PDFs missing from the book are being rendered; the book is downloaded once "
                                 "they are ready."))  # fmt: skip
        return redirect(page + "&deliver=1")
    found = book.entries(cell, year, user_access)
    if not found:
        messages.info(request, _("No signed minutes in %(year)s yet.") % {"year": year})
        return redirect(page)
    lost = [entry for entry in found if entry.reason and entry.minutes.pdf_status == Minutes.PdfStatus.READY]
    if lost:
        messages.warning(request, _("%(count)s signed minutes have no stored PDF; render them again.")
                         % {"count": len(lost)})  # fmt: skip
    response = HttpResponse(book.build(cell, year, found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filenames.minutes_book(cell, year)}"'
    return response
