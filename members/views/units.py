"""The organisation tree: the tree, a unit's page and adding a unit."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, signals, structure
from ..forms import (
    UnitForm,
)
from ..models import Member, OrgUnit, Transfer
from .base import save_checked

TRANSFERRED = Member.Status.TRANSFERRED


@login_required
def tree(request):
    user_access = access.for_user(request.user)
    access.require(user_access.can_view_tree())
    roots = user_access.top_units()
    return render(request, "members/tree.html", {"rows": _tree_rows(request.user, roots), "roots": roots})


@login_required
def unit_detail(request, pk):
    unit = get_object_or_404(OrgUnit.objects.visible_to(access.for_user(request.user)), pk=pk)
    if unit.is_cell:
        return redirect("members:list", pk=unit.pk)
    user_access = access.for_user(request.user)
    rows = _tree_rows(request.user, [unit])
    cells = {row["unit"].pk: row["unit"] for row in rows if row["unit"].is_cell}
    return render(
        request,
        "members/unit_detail.html",
        {
            "unit": unit,
            "ancestors": unit.ancestors().visible_to(access.for_user(request.user)),
            "rows": rows,
            "can_manage": user_access.can_manage_unit(unit),
            "can_publish": user_access.can_publish_guidance(unit),
            "cell_warnings": [],
            # The cells below whose structure asks for attention (domain §8), in tree order.
            "structure_warnings": [(c, found) for c in cells.values() if (found := structure.of(c).warnings())],
            "late_transfers": _late_transfers(user_access, unit, timezone.localdate()),
            **signals.extras(signals.unit_page, cells=cells, today=timezone.localdate()),
        },
    )


def _late_transfers(user_access, unit, today):
    """Permanent transfers from or to the cells below, late at either step (domain §8), with who is late."""
    found = (
        Transfer.objects.visible_to(user_access)
        .touching(unit)
        .possibly_late(today)
        .select_related("member", "from_cell", "to_cell")
        .order_by("requested_on", "pk")
    )
    return [(transfer, late) for transfer in found if (late := transfer.lateness(today))]


def _tree_rows(user, roots):
    """Every visible unit under the roots, in tree order, with members on the roll rolled up the tree."""
    if not roots:
        return []
    scope = Q(pk__in=[])
    for root in roots:
        scope |= Q(path__startswith=root.path)
    units = list(
        OrgUnit.objects.visible_to(access.for_user(user))
        .filter(scope)
        .annotate(
            direct=Count("members", filter=~Q(members__status=TRANSFERRED)),
            **structure.counts(timezone.localdate(), prefix="members__"),
        )
        .order_by("path")
    )
    totals, cells = Counter(), Counter()
    for unit in units:
        for path in unit.ancestor_paths():
            totals[path] += unit.direct
            cells[path] += unit.is_cell
    base_depth = min(root.depth for root in roots)
    return [
        {"unit": u, "indent": u.depth - base_depth, "members": totals[u.path], "cells": cells[u.path]} for u in units
    ]


@login_required
def unit_create(request, pk):
    parent = get_object_or_404(OrgUnit.objects.visible_to(access.for_user(request.user)), pk=pk)
    access.require(access.for_user(request.user).can_manage_unit(parent))
    form = UnitForm(request.POST or None, instance=OrgUnit(parent=parent))
    if request.method == "POST" and form.is_valid() and (unit := save_checked(form, form.save)):
        messages.success(request, _("The unit “%(name)s” was added.") % {"name": unit.name})
        return redirect(unit)
    return render(request, "members/unit_form.html", {"form": form, "parent": parent})
