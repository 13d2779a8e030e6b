"""The dues book's downloads (.xlsx, PDF) and its import: upload, preview, confirm."""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo import filenames
from chibo.spreadsheets import XLSX, UnreadableFile
from members import access

from . import files, importing

IMPORT_SESSION_KEY = "dues_import"
YEARS = range(2000, 2101)


def _cell(request, pk):
    """The cell, for those who may read its dues book; anyone else is told it does not exist."""
    cell = access.cell_or_404(request.user, pk)
    if not access.for_user(request.user).can_view_dues(cell):
        raise Http404
    return cell


def _year(year):
    if year not in YEARS:
        raise Http404
    return year


@login_required
def book_xlsx(request, pk, year):
    cell = _cell(request, pk)
    content = files.book_xlsx(files.book(cell, _year(year)))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filenames.dues_book(cell, year, "xlsx")}"'
    return response


@login_required
def book_pdf(request, pk, year):
    cell = _cell(request, pk)
    content = files.book_pdf(files.book(cell, _year(year)))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filenames.dues_book(cell, year, "pdf")}"'
    return response


class DuesImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Dues book"),
        help_text=gettext_lazy(
            "An Excel file (.xlsx or the older .xls), a CSV file or Excel's “Unicode Text” (.txt): a member a row, "
            "a column “Họ và tên” and a column per month (“01/2026”…) with the amount paid."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv,.txt,text/csv,text/plain"}),
    )


@login_required
def book_import(request, pk):
    cell = _cell(request, pk)
    access.require(access.for_user(request.user).can_manage_dues(cell))
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, cell)
    form = DuesImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            reading = importing.read_file(form.cleaned_data["file"])
        except UnreadableFile as exc:
            form.add_error("file", str(exc))
        else:
            rows = importing.validate(reading.rows, cell)
            token = uuid.uuid4().hex
            request.session[IMPORT_SESSION_KEY] = {
                "token": token,
                "cell": cell.pk,
                "rows": [row.to_session() for row in rows],
                "months": [month.isoformat() for month in reading.months],
                "notes": reading.notes,
            }
            return _preview(request, cell, rows, reading.months, token, reading.notes)
    return render(request, "dues/files/import.html", {"form": form, "cell": cell, "year": timezone.localdate().year})


def _preview(request, cell, rows, months, token, notes):
    members, total = importing.summary(rows)
    lines = [{"row": row, "amounts": [row.amounts.get(month) for month in months], "change": row.total} for row in rows]
    return render(
        request,
        "dues/files/import_preview.html",
        {
            "cell": cell,
            "lines": lines,
            "months": months,
            "token": token,
            "notes": notes,
            "error_count": sum(1 for row in rows if row.errors),
            "members": members,
            "total": files.vnd(total),
        },
    )


def _confirm(request, cell):
    from datetime import date

    stored = request.session.get(IMPORT_SESSION_KEY)
    if not stored or stored.get("token") != request.POST["token"] or stored.get("cell") != cell.pk:
        messages.error(request, _("This preview has expired. Upload the file again."))
        return redirect("dues_files:import", pk=cell.pk)
    rows = [importing.Row.from_session(data) for data in stored["rows"]]
    months = [date.fromisoformat(month) for month in stored["months"]]
    importing.validate(rows, cell)
    if any(row.errors for row in rows):
        return _preview(request, cell, rows, months, stored["token"], stored.get("notes", []))
    try:
        payments, total = importing.save_rows(rows, cell, by=request.user)
    except importing.ChangedMeanwhile:
        messages.error(
            request, _("The dues book changed while it was being imported; nothing was saved. Check it again.")
        )
        return redirect("dues_files:import", pk=cell.pk)
    del request.session[IMPORT_SESSION_KEY]
    if payments:
        messages.success(
            request,
            importing.rows_message(payments) + " " + _("%(total)s đồng in all.") % {"total": files.vnd(total)},
        )
    else:
        messages.info(request, _("The book already holds every amount of this file: nothing was recorded."))
    year = max(months).year if months else timezone.localdate().year
    return redirect(_book_page(cell, year))


def _book_page(cell, year):
    return reverse("dues:book", args=[cell.pk]) + f"?year={year}"
