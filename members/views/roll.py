"""A cell's roll: the member list, a member's page, adding and editing members, status changes and transfers."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from .. import access, services, signals, structure
from ..forms import (
    MemberFilterForm,
    MemberForm,
    StatusForm,
    TransferForm,
    TransferStartForm,
)
from ..models import Member, OrgUnit
from ..names import fold
from .base import any_transfer, listed_transfers, member_or_404, save_checked

TRANSFERRED = Member.Status.TRANSFERRED


# The member list's categories: the status each takes (None: every status but transferred, the roll) and
# whether its members are official (None: either); the whole roll's count is named "on_roll".
CATEGORY_RULES = {
    "": (None, None),
    "official": (None, True),
    "probationary": (None, False),
    "exempt": (Member.Status.EXEMPT, None),
    "away": (Member.Status.AWAY, None),
    "visiting": (Member.Status.VISITING, None),
    "suspended": (Member.Status.SUSPENDED, None),
    "special_duty": (Member.Status.SPECIAL_DUTY, None),
    "prosecuted": (Member.Status.PROSECUTED, None),
    "transferred": (TRANSFERRED, None),
}


def _in_category(key):
    status, official = CATEGORY_RULES[key]
    found = ~Q(status=TRANSFERRED) if status is None else Q(status=status)
    return found if official is None else found & Q(official_on__isnull=not official)


def _counts(cell, user_access):
    """How many members of the cell each category has, the cell's structure (`structure.counts`) and whether
    any transfer from or to it is in progress (None: no member to say it): one query, the members grouped by
    status and whether official."""
    groups = list(
        Member.objects.filter(cell=cell)
        .values("status", is_official=ExpressionWrapper(Q(official_on__isnull=False), output_field=BooleanField()))
        .annotate(n=Count("pk"), **structure.counts(timezone.localdate()), transfers=any_transfer(user_access, cell.pk))
    )

    def count(key):
        status, official = CATEGORY_RULES[key]
        return sum(
            group["n"]
            for group in groups
            if (group["status"] != TRANSFERRED if status is None else group["status"] == status)
            and official in (None, group["is_official"])
        )

    shape = {name: sum(group[name] for group in groups) for name in ("official", "own_members", "committee")}
    transfers = groups[0]["transfers"] if groups else None
    return {key or "on_roll": count(key) for key in CATEGORY_RULES}, structure.of(shape), transfers


@login_required
def member_list(request, pk):
    cell = access.cell_or_404(request.user, pk)
    user_access = access.for_user(request.user)
    filters = MemberFilterForm(request.GET or None)
    members = Member.objects.filter(cell=cell)
    category = ""
    if filters.is_valid():
        category = filters.cleaned_data["category"]
        if filters.cleaned_data["q"]:
            members = members.filter(search_name__contains=fold(filters.cleaned_data["q"]))
    members = list(members.filter(_in_category(category)))
    extras = signals.extras(signals.member_list_page, cell=cell, year=timezone.localdate().year)
    flagged = extras.get("removal_months", {})
    unpaid = extras.get("dues_removal_months", {})
    for member in members:
        member.removal_months = flagged.get(member.pk)
        member.dues_removal_months = unpaid.get(member.pk)
    counts, shape, any_in_progress = _counts(cell, user_access)
    # Permanent transfers from or to the cell, with who is late.
    transfers = listed_transfers(user_access, cell.pk, any_in_progress)
    return render(
        request,
        "members/member_list.html",
        {
            "cell": cell,
            "members": members,
            "counts": counts,
            "structure_warnings": shape.warnings(),
            "transfers": transfers,
            "filters": filters,
            "category": category,
            "can_manage": user_access.can_manage_members(cell),
            "can_view_private": user_access.is_cell_committee(cell) or user_access.grant_over(cell) is not None,
        },
    )


@login_required
def member_detail(request, pk):
    member = member_or_404(request, pk)
    user_access = access.for_user(request.user)
    year = timezone.localdate().year
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "attendances": member.attendances.select_related("meeting").order_by("-meeting__starts_at")[:36],
            "spoke": member.contributions.filter(minutes__meeting__starts_at__year=year).count(),
            "removal_months": None,
            "evidence": None,
            **signals.extras(
                signals.member_page, member=member, year=year, can_view_private=user_access.can_view_private(member)
            ),
            "year": year,
            "cell": member.cell,
            "status_changes": member.status_changes.select_related("recorded_by"),
            "memberships": member.memberships.select_related("cell", "recorded_by"),
            "transfers": member.transfers.in_progress().select_related("from_cell", "to_cell"),
            "can_manage": user_access.can_manage_member(member),
            "can_edit_contact": user_access.can_edit_own_contact(member),
            "can_view_private": user_access.can_view_private(member),
        },
    )


@login_required
def member_create(request, pk):
    cell = access.cell_or_404(request.user, pk)
    user_access = access.for_user(request.user)
    access.require(user_access.can_manage_members(cell))
    form = MemberForm(request.POST or None, cell=cell, access=user_access)

    def create():
        member = form.save(commit=False)
        member.status_since = member.admitted_on
        return services.create_member(member, by=request.user)

    if request.method == "POST" and form.is_valid() and (member := save_checked(form, create)):
        messages.success(request, _("%(name)s was added to the cell.") % {"name": member.full_name})
        if "add_another" in request.POST:
            return redirect("members:create", pk=cell.pk)
        return redirect(member)
    return render(request, "members/member_form.html", {"form": form, "cell": cell})


@login_required
def member_edit(request, pk):
    member = member_or_404(request, pk)
    user_access = access.for_user(request.user)
    manages = user_access.can_manage_member(member)
    access.require(manages or user_access.can_edit_own_contact(member))
    # The form writes the posted values onto the member while checking them.
    old_email, old_phone = member.email, member.phone
    form = MemberForm(
        request.POST or None, instance=member, cell=member.cell, access=user_access, contact_only=not manages
    )

    def update():
        return services.update_member(form.save(commit=False), old_email, old_phone, by=request.user)

    if request.method == "POST" and form.is_valid() and (saved := save_checked(form, update)):
        messages.success(request, _("The changes were saved."))
        if getattr(saved, "phone_hold_started", False):
            opens = timezone.localtime(saved.phone_changed_at + timedelta(hours=settings.PHONE_CHANGE_HOLD_HOURS))
            messages.info(request, _("%(name)s's old number is told of the change. The new number opens a login "
                                     "by code from %(when)s.") % {"name": saved.full_name,
                                                                  "when": date_format(opens, "H:i d/m/Y")})  # fmt: skip
        return redirect(member)
    return render(request, "members/member_form.html", {"form": form, "cell": member.cell, "member": member})


@login_required
def member_status(request, pk):
    member = member_or_404(request, pk)
    access.require(access.for_user(request.user).can_manage_member(member))
    form = StatusForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def record():
            return services.change_status(
                member, data["status"], data["since"], by=request.user, note=data["note"],
                temporary_reason=data["temporary_reason"], temporary_until=data["temporary_until"],
            )  # fmt: skip

        try:
            # A record coming back as secretary can clash with one named meanwhile: the form then says so.
            recorded = save_checked(form, record)
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            if recorded:
                messages.success(request, _("The status was recorded."))
                return redirect(member)
    return render(request, "members/member_status.html", {"form": form, "member": member, "cell": member.cell})


@login_required
def member_transfer(request, pk):
    member = member_or_404(request, pk)
    user_access = access.for_user(request.user)
    access.require(user_access.can_manage_member(member))
    cells = user_access.manageable_cells(OrgUnit.objects.all()).exclude(pk=member.cell_id)
    form = TransferForm(request.POST or None, cells=cells)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.transfer(member, data["to_cell"], data["on"], by=request.user, note=data["note"])
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("%(name)s now belongs to %(cell)s.") % {"name": member.full_name, "cell": data["to_cell"]}
            )
            return redirect(member)
    return render(
        request,
        "members/member_transfer.html",
        {
            "form": form,
            "start_form": TransferStartForm(),
            "member": member,
            "cell": member.cell,
            "in_progress": member.transfers.in_progress().select_related("to_cell").first(),
        },
    )
