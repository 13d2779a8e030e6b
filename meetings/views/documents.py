"""What a meeting is prepared with: the agenda, its documents, a topic's draft and the guidance from higher
committees."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import access
from members.models import OrgUnit

from ..documents import serve
from ..forms import (
    AgendaFormSet,
    DocumentForm,
    GuidanceForm,
)
from ..models import (
    AgendaItem,
    Document,
    Guidance,
    Meeting,
    ThematicTopic,
)
from .base import meeting_or_404, require_manage


@login_required
def agenda_edit(request, pk):
    meeting = meeting_or_404(request, pk)
    require_manage(request, meeting.cell)
    items = meeting.agenda_items.all()
    # New items go last in the body of the meeting, before its closing part.
    last = max((i.order for i in items if i.section != AgendaItem.Section.CLOSING), default=0)
    formset = AgendaFormSet(request.POST or None, queryset=items, initial=[{"order": last + 1}, {"order": last + 2}])
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            for item in formset.save(commit=False):
                item.meeting = meeting
                item.save()
            for item in formset.deleted_objects:
                item.delete()
            moved = _move_item(meeting, request.POST.get("move", ""))
        if moved:  # an item moved up or down: the secretary stays on the agenda
            return redirect("meetings:agenda", pk=meeting.pk)
        messages.success(request, _("The agenda was saved."))
        return redirect(meeting)
    return render(request, "meetings/agenda_form.html", {"formset": formset, "meeting": meeting})


def _move_item(meeting, move):
    """Swap an item with the one before ("<id>:up") or after ("<id>:down") it; numbers them again 10, 20, …
    so that two items never share a place. Returns whether anything moved."""
    pk, _sep, direction = move.partition(":")
    items = list(meeting.agenda_items.order_by("order", "pk"))
    index = next((n for n, item in enumerate(items) if str(item.pk) == pk), None)
    if index is None or direction not in ("up", "down"):
        return False
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    for position, item in enumerate(items, start=1):
        item.order = position * 10
    AgendaItem.objects.bulk_update(items, ["order"])
    return True


@login_required
def document_upload(request, pk):
    meeting = meeting_or_404(request, pk)
    require_manage(request, meeting.cell)
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
    require_manage(request, document.meeting.cell)
    document.file.delete(save=False)
    document.delete()
    messages.success(request, _("The document was removed."))
    return redirect(document.meeting)


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
