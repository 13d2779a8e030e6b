"""Importing a cell's members from a spreadsheet: upload, preview, confirm, and the template to fill in."""

import uuid
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import access, imports
from ..forms import (
    ImportForm,
)
from ..models import MemberImport

IMPORT_SESSION_KEY = "member_import"


@login_required
def member_import(request, pk):
    cell = access.cell_or_404(request.user, pk)
    access.require(access.for_user(request.user).can_manage_members(cell))
    if request.method == "POST" and "token" in request.POST:
        return _confirm_import(request, cell)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            reading = imports.read_file(form.cleaned_data["file"])
        except imports.UnreadableFile as exc:
            form.add_error("file", str(exc))
        else:
            rows = imports.validate(reading.rows, cell)
            token = uuid.uuid4().hex
            request.session[IMPORT_SESSION_KEY] = {
                "token": token,
                "cell": cell.pk,
                "rows": [row.to_session() for row in rows],
                "notes": reading.notes,
            }
            return _render_preview(request, cell, rows, token, reading.notes)
    return render(request, "members/member_import.html", {"form": form, "cell": cell})


def _render_preview(request, cell, rows, token, notes):
    return render(
        request,
        "members/member_import_preview.html",
        {
            "cell": cell,
            "rows": rows,
            "token": token,
            "notes": notes,
            "labels": imports.column_labels(),
            "error_count": sum(1 for row in rows if row.errors),
            "warning_count": sum(1 for row in rows if row.warnings and not row.errors),
        },
    )


def _confirm_import(request, cell):
    stored = request.session.get(IMPORT_SESSION_KEY)
    if not stored or stored.get("token") != request.POST["token"] or stored.get("cell") != cell.pk:
        messages.error(request, _("This preview has expired. Upload the file again."))
        return redirect("members:import", pk=cell.pk)
    # Check again: the cell may have changed since the preview.
    rows = imports.validate([imports.Row.from_session(data) for data in stored["rows"]], cell)
    if any(row.errors for row in rows):
        return _render_preview(request, cell, rows, stored["token"], stored.get("notes", []))
    try:
        with transaction.atomic():
            # One confirmation per preview, even when the button is pressed twice at once: the receipt's
            # unique token makes the second wait for the first, then refuses it.
            MemberImport.objects.create(token=stored["token"], cell=cell, by=request.user, count=len(rows))
            created = imports.save_rows(rows, cell, by=request.user)
    except IntegrityError:
        if MemberImport.objects.filter(token=stored["token"]).exists():
            messages.error(request, _("This list is being imported or was imported already."))
            return redirect("members:list", pk=cell.pk)
        # A card number was taken between the check and the save: nothing was saved.
        messages.error(request, _("The list changed while it was being imported; nothing was saved. Check it again."))
        return redirect("members:import", pk=cell.pk)
    del request.session[IMPORT_SESSION_KEY]
    messages.success(request, _("%(count)s members were imported.") % {"count": len(created)})
    return redirect("members:list", pk=cell.pk)


@login_required
def import_template(request, pk):
    """An empty list with the expected columns, for secretaries to fill in: an example row under the header."""
    from chibo.spreadsheets import XLSX, Table, xlsx_bytes

    cell = access.cell_or_404(request.user, pk)
    access.require(access.for_user(request.user).can_manage_members(cell))
    table = Table(_("Members"), ["STT", *[imports.COLUMNS[name][0] for name in imports.COLUMNS]])
    table.rows.append(
        [1, "Nguyễn Văn An", "Nam", date(1960, 3, 15), "", date(1985, 2, 3), date(1986, 2, 3), "", "0912345678"]
    )
    title = _("List of the members of %(cell)s") % {"cell": cell}
    response = HttpResponse(xlsx_bytes([table], title=title, author=cell), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="danh-sach-dang-vien.xlsx"'
    return response
