"""The dues book as files: an .xlsx workbook and a PDF in the layout of the paper book (sổ thu nộp đảng phí).

One line per member: the category, the declared base, the amount paid in each of the year's 12 months, the
total paid and the arrears (what the months over still owe, with the arrears carried from earlier years); a
totals line under them. The book is the dues book page's (`dues.services.book`), read from the stored lines,
so a file says what the page says.

The workbook's first sheet is the book itself, with a column per month headed "01/2026"…: the import
(`dues.importing`) reads it back. Its second sheet has one row per member × month with the month as a real
date, the amounts due and paid, the day and who collected it.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo import pdf
from chibo.spreadsheets import Amount, Month, Table, xlsx_bytes
from members.models import Member

from . import services
from .models import Category

MONTHS = range(1, 13)
# The categories as the book's narrow column names them (the import reads these and the full labels back).
SHORT_CATEGORY = {
    Category.SALARIED: gettext_lazy("Salaried"),
    Category.PENSION: gettext_lazy("Pension"),
    Category.STUDENT: gettext_lazy("Student"),
    Category.OTHER: gettext_lazy("Other"),
}


def month_label(month):
    """A month's column header, as the paper book and the import write it: 01/2026."""
    return f"{month:%m/%Y}"


def vnd(amount):
    """An amount as Vietnamese write it: 1.250.000 (blank for nothing)."""
    if amount is None:
        return ""
    return f"{int(amount):,}".replace(",", ".")


@dataclass
class Line:
    member: Member
    category: str = ""  # the category's short label ("" when no month is opened yet)
    base: int | None = None
    entries: dict = field(default_factory=dict)  # month number → DuesEntry
    arrears: int = 0  # owed for the months over, this year's and earlier years'

    def paid(self, number):
        entry = self.entries.get(number)
        return entry.paid if entry is not None else None

    @property
    def months_paid(self):
        return [self.paid(number) for number in MONTHS]

    @property
    def due(self):
        return sum(entry.due for entry in self.entries.values())

    @property
    def total_paid(self):
        return sum(entry.paid for entry in self.entries.values())


@dataclass
class Book:
    cell: object
    year: int
    lines: list

    @property
    def months(self):
        return [date(self.year, number, 1) for number in MONTHS]

    @property
    def month_totals(self):
        totals = []
        for number in MONTHS:
            values = [line.paid(number) for line in self.lines if line.paid(number) is not None]
            totals.append(sum(values) if values else None)
        return totals

    @property
    def due(self):
        return sum(line.due for line in self.lines)

    @property
    def total_paid(self):
        return sum(line.total_paid for line in self.lines)

    @property
    def arrears(self):
        return sum(line.arrears for line in self.lines)


def book(cell, year, today=None):
    """The cell's dues book of a year as its page shows it (`services.book`: the months up to the current one
    opened first), one line per member: the newest month's category and base, and the arrears of the months
    over (this year's and those carried from earlier years)."""
    found = services.book(cell, year, today or timezone.localdate())
    lines = []
    for row in found["rows"]:
        line = Line(row["member"], arrears=row["owed"] + row["earlier"])
        for entry in row["months"]:
            if entry is not None:
                line.entries[entry.month.month] = entry
                line.category = str(SHORT_CATEGORY.get(entry.category, entry.category))
                line.base = entry.base
        lines.append(line)
    return Book(cell=cell, year=year, lines=lines)


# --- the workbook -----------------------------------------------------------------------------------------


def book_columns(year):
    return [
        _("No."),
        _("Full name"),
        _("Dues category"),
        _("Declared base (VND)"),
        *[month_label(date(year, number, 1)) for number in MONTHS],
        _("Total paid (VND)"),
        _("Arrears (VND)"),
    ]


def _amount(value):
    return None if value is None else Amount(value)


def book_table(the_book):
    table = Table(_("Dues book %(year)s") % {"year": the_book.year}, book_columns(the_book.year))
    for number, line in enumerate(the_book.lines, start=1):
        table.rows.append(
            [
                number,
                line.member.full_name,
                line.category,
                _amount(line.base),
                *[_amount(value) for value in line.months_paid],
                Amount(line.total_paid),
                Amount(line.arrears),
            ]
        )
    table.rows.append(
        [
            None,
            _("Total"),
            None,
            None,
            *[_amount(value) for value in the_book.month_totals],
            Amount(the_book.total_paid),
            Amount(the_book.arrears),
        ]
    )
    return table


def details_table(the_book):
    table = Table(
        _("Months"),
        [
            _("Full name"),
            _("Month"),
            _("Amount due (VND)"),
            _("Amount paid (VND)"),
            _("Still owed (VND)"),
            _("Paid on"),
            _("Collected by"),
        ],
    )
    collectors = {
        member.pk: member.full_name
        for member in Member.objects.filter(
            pk__in={e.collected_by_id for line in the_book.lines for e in line.entries.values() if e.collected_by_id}
        )
    }
    for line in the_book.lines:
        for number in sorted(line.entries):
            entry = line.entries[number]
            table.rows.append(
                [
                    line.member.full_name,
                    Month.of(entry.month),
                    Amount(entry.due),
                    Amount(entry.paid),
                    Amount(entry.owed),
                    entry.paid_on,
                    collectors.get(entry.collected_by_id, ""),
                ]
            )
    return table


def title(the_book):
    return _("Dues book %(year)s – %(cell)s") % {"year": the_book.year, "cell": the_book.cell.name}


def book_xlsx(the_book):
    return xlsx_bytes([book_table(the_book), details_table(the_book)], title=title(the_book), author=the_book.cell)


# --- the PDF ----------------------------------------------------------------------------------------------


def book_pdf(the_book):
    cell = the_book.cell
    lines = [
        {
            "number": number,
            "name": line.member.full_name,
            "category": line.category,
            "base": vnd(line.base),
            "months": [vnd(value) for value in line.months_paid],
            "total": vnd(line.total_paid),
            "arrears": vnd(line.arrears) if line.arrears else "",
        }
        for number, line in enumerate(the_book.lines, start=1)
    ]
    context = {
        "book": the_book,
        "cell": cell,
        "year": the_book.year,
        "title": title(the_book),
        "day": timezone.localdate(),
        "secretary": getattr(cell.secretary(), "full_name", ""),
        "doc": {"cell": {"name": cell.name, "parent": str(cell.parent or ""), "place_name": cell.place_name}},
        "months": [f"{number:02d}" for number in MONTHS],
        "lines": lines,
        "totals": {
            "months": [vnd(value) for value in the_book.month_totals],
            "total": vnd(the_book.total_paid),
            "arrears": vnd(the_book.arrears),
            "due": vnd(the_book.due),
        },
    }
    return pdf.render("dues/files/book.html", context, landscape=True)
