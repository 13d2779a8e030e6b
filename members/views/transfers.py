"""Permanent transfers between two cells (domain §8): started by the sending cell, the papers recorded by it,
the presentation recorded by the receiving cell, which completes the transfer and moves the member."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, services
from ..forms import TransferForm, TransferStartForm, TransferStepForm
from ..models import OrgUnit, Transfer
from .base import member_or_404

__all__ = ["transfer_detail", "transfer_start"]


@require_POST
@login_required
def transfer_start(request, pk):
    member = member_or_404(request, pk)
    access.require(access.for_user(request.user).can_manage_member(member))
    form = TransferStartForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.start_transfer(
                member, data["to_cell"], data["requested_on"], by=request.user, note=data["note"]
            )
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The transfer was recorded."))
            return redirect(transfer)
    user_access = access.for_user(request.user)
    cells = user_access.manageable_cells(OrgUnit.objects.all()).exclude(pk=member.cell_id)
    return render(
        request,
        "members/member_transfer.html",
        {
            "form": TransferForm(cells=cells),
            "start_form": form,
            "member": member,
            "cell": member.cell,
            "in_progress": member.transfers.in_progress().select_related("to_cell").first(),
        },
    )


@login_required
def transfer_detail(request, pk):
    user_access = access.for_user(request.user)
    visible = Transfer.objects.visible_to(user_access).select_related("member__cell", "from_cell", "to_cell")
    transfer = get_object_or_404(visible, pk=pk)
    can_papers = transfer.status == Transfer.Status.IN_PROGRESS and user_access.can_record_papers(transfer)
    can_present = transfer.status == Transfer.Status.IN_PROGRESS and user_access.can_record_presentation(transfer)
    form = TransferStepForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        access.require(can_papers or can_present)
        step = request.POST.get("step")
        access.require({"papers": can_papers, "presented": can_present}.get(step, True))
        if step == "cancel":
            try:
                services.cancel_transfer(transfer, by=request.user)
            except services.ServiceError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("The transfer was cancelled."))
            return redirect(transfer)
        if step not in ("papers", "presented"):
            form.add_error(None, _("Choose what to record."))
        elif form.is_valid():
            try:
                if step == "papers":
                    services.record_papers(transfer, form.cleaned_data["on"], by=request.user)
                else:
                    services.complete_transfer(transfer, form.cleaned_data["on"], by=request.user)
            except services.ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The transfer was updated."))
                return redirect(transfer)
    return render(
        request,
        "members/transfer_detail.html",
        {
            "transfer": transfer,
            "form": form,
            "can_papers": can_papers and transfer.papers_issued_on is None,
            "can_present": can_present and transfer.papers_issued_on is not None,
            "can_cancel": can_papers or can_present,
            # The member's record only for those who see it: the receiving side may be in another branch.
            "sees_member": user_access.sees_path(transfer.member.cell.path),
            "lateness": transfer.lateness() if transfer.status == Transfer.Status.IN_PROGRESS else [],
        },
    )
