"""Importing a cell's dues book from the spreadsheet secretaries keep: a preview, then all or nothing.

The file has a member's name and a column per month headed "01/2026" (or a date) holding the amount the
member has paid for that month, as the paper book and Chibo's own workbook (`dues.files`) write them;
optionally the category and the declared base. Rows are matched to the cell's members by name (as
`members.names` writes names: composed Unicode, single spaces, any case); an unknown or ambiguous name is a
row error. Totals rows are skipped.

An amount is what has been paid for the month in all: importing records the difference with what the book
already holds, as one payment per member spread over the months (`DuesPayment` and its `DuesAllocation`s,
the month's `DuesEntry.paid` raised by as much, as `services.record_payment` does), in one transaction.
Importing the same file twice records nothing the second time; a file that says less than the book holds is
a row error (the book is corrected in Chibo, with a reason, never by an import), and so is more than a
month's due. A month the book has not opened yet is opened by `services.open_months` (the member's basis,
exemptions and the rates in force decide its due). The category and base columns are read and checked;
the member's basis is set in Chibo, never by an import.

Files are read by `chibo.spreadsheets.read_tables`: .xlsx, .xls, CSV and Excel's "Unicode Text".
"""

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chibo.spreadsheets import UnreadableFile, is_blank, read_tables
from chibo.uploads import size_problem
from members.models import Member
from members.names import normalize_name

from . import services
from .files import SHORT_CATEGORY
from .models import Category, DuesAllocation, DuesEntry, DuesPayment

HEADER_SEARCH_ROWS = 10
MAX_AMOUNT = 100_000_000  # a month's dues is far less: more is a typing mistake (a base in the wrong column)


def _plain(text):
    """Lower-case, without diacritics or punctuation: how headers and categories are matched."""
    text = unicodedata.normalize("NFD", str(text or "").strip().lower()).replace("đ", "d")
    return "".join(c for c in text if c.isalnum())


def name_key(text):
    """A name as it is compared: the form `members.names` stores, any case."""
    return normalize_name(str(text or "")).casefold()


NAME_HEADERS = {_plain(h) for h in ["Họ và tên", "Họ tên", "Họ và tên đảng viên", "Đảng viên", "Full name", "Name"]}
CATEGORY_HEADERS = {
    _plain(h) for h in ["Đối tượng đóng đảng phí", "Loại đảng phí", "Đối tượng", "Loại", "Dues category", "Category"]
}
BASE_HEADERS = {
    _plain(h)
    for h in [
        "Mức lương làm căn cứ (đồng)",
        "Mức lương làm căn cứ",
        "Lương làm căn cứ",
        "Thu nhập làm căn cứ",
        "Mức căn cứ",
        "Declared base (VND)",
        "Declared base",
        "Base",
    ]
}
TOTAL_NAMES = {_plain(t) for t in ["Tổng", "Tổng cộng", "Cộng", "Total", "Totals"]}
# "01/2026", "1-2026", "T01/2026", "Tháng 1/2026", "tháng 01.2026"
MONTH_HEADER = re.compile(r"^\s*(?:th[aá]ng|t)?\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$", re.IGNORECASE)
CATEGORY_WORDS = {
    **{_plain(label): value for value, label in Category.choices},
    **{_plain(str(label)): value for value, label in SHORT_CATEGORY.items()},
    **{_plain(value): value for value in Category.values},
    **{_plain(w): Category.SALARIED for w in ["Hưởng lương", "Lương", "1%", "Salaried"]},
    **{_plain(w): Category.PENSION for w in ["Hưu trí", "Hưu", "Nghỉ hưu", "BHXH", "0,5%", "0.5%", "Pension"]},
    **{_plain(w): Category.STUDENT for w in ["Học sinh, sinh viên", "Sinh viên", "Học sinh", "Student"]},
    **{_plain(w): Category.OTHER for w in ["Khác", "Other", "Nông dân", "Kinh doanh"]},
}


@dataclass
class Row:
    number: int  # the line number in the file, as the secretary sees it
    name: str = ""
    amounts: dict = field(default_factory=dict)  # month (date) → amount paid in all
    category: str = ""
    base: int | None = None
    member_id: int | None = None
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    changes: dict = field(default_factory=dict)  # month → amount to record now (filled by `validate`)

    def to_session(self):
        return {
            "number": self.number,
            "name": self.name,
            "amounts": {month.isoformat(): amount for month, amount in self.amounts.items()},
            "category": self.category,
            "base": self.base,
        }

    @classmethod
    def from_session(cls, data):
        amounts = {date.fromisoformat(month): amount for month, amount in data["amounts"].items()}
        return cls(data["number"], data["name"], amounts, data["category"], data["base"])

    @property
    def total(self):
        return sum(self.changes.values())


@dataclass
class Reading:
    rows: list
    months: list  # the months of the file's columns, in order
    notes: list = field(default_factory=list)


def read_file(upload):
    """Read an uploaded dues book: a `Reading`, or UnreadableFile with a message for the user."""
    problem = size_problem(upload, settings.MEMBER_IMPORT_MAX_BYTES)
    if problem:
        raise UnreadableFile(problem)
    limit = settings.MEMBER_IMPORT_MAX_ROWS
    sheets = read_tables(upload.read(), limit=limit + HEADER_SEARCH_ROWS + 2, search_rows=HEADER_SEARCH_ROWS)
    chosen = found = None
    for sheet in sheets:
        found = _find_header([cells for _number, cells in sheet.rows])
        if found:
            chosen = sheet
            break
    if chosen is None:
        if not any(sheet.rows for sheet in sheets):
            raise UnreadableFile(_("The file is empty."))
        raise UnreadableFile(
            _(
                "The columns are not the expected ones: the file needs a column “Họ và tên” and a column per "
                "month headed like “01/2026”, holding the amount paid."
            )
        )
    header_index, columns = found
    rows = []
    for number, cells in chosen.rows[header_index + 1 :]:
        if all(is_blank(cell) for cell in cells):
            continue
        row = _parse_row(number, cells, columns)
        if row is None:
            continue
        if len(rows) >= limit:
            raise UnreadableFile(
                _("The file has more than %(limit)s members. Split it into smaller files.") % {"limit": limit}
            )
        rows.append(row)
    if not rows:
        raise UnreadableFile(_("The file has a header row but no members under it."))
    notes = [
        _("Sheet “%(sheet)s” was not read. Only the sheet “%(read)s” is imported.")
        % {"sheet": sheet.name, "read": chosen.name}
        for sheet in sheets
        if sheet is not chosen and sheet.rows
    ]
    return Reading(rows=rows, months=sorted(columns["months"].values()), notes=notes)


def _month_of_header(cell):
    if isinstance(cell, datetime):
        cell = cell.date()
    if isinstance(cell, date):
        return date(cell.year, cell.month, 1)
    match = MONTH_HEADER.match(str(cell or ""))
    if match and 1 <= int(match.group(1)) <= 12 and 2000 <= int(match.group(2)) <= 2100:
        return date(int(match.group(2)), int(match.group(1)), 1)
    return None


def _find_header(table):
    """(index of the header row, {"name": position, "category": …, "base": …, "months": {position: month}})"""
    for index, cells in enumerate(table[:HEADER_SEARCH_ROWS]):
        columns = {"months": {}}
        for position, cell in enumerate(cells):
            month = _month_of_header(cell)
            plain = _plain(cell)
            if month is not None and month not in columns["months"].values():
                columns["months"][position] = month
            elif plain in NAME_HEADERS:
                columns.setdefault("name", position)
            elif plain in CATEGORY_HEADERS:
                columns.setdefault("category", position)
            elif plain in BASE_HEADERS:
                columns.setdefault("base", position)
        if "name" in columns and columns["months"]:
            return index, columns
    return None


def parse_amount(raw):
    """(whole đồng or None for blank, understood?): 50000, 50000.0, "50.000", "50,000", "50 000 đ"."""
    if is_blank(raw):
        return None, True
    if isinstance(raw, bool):
        return None, False
    if isinstance(raw, (int, float, Decimal)):
        if isinstance(raw, float) and (not math.isfinite(raw) or raw != int(raw)):
            return None, False
        return (int(raw), True) if raw >= 0 else (None, False)
    text = str(raw).strip().lower()
    text = re.sub(r"\s*(đồng|đ|vnd|vnđ)\s*$", "", text)
    text = text.replace(" ", "").replace("\xa0", "")
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):  # thousands separated by "." (Vietnamese) or ","
        return int(re.sub(r"[.,]", "", text)), True
    if re.fullmatch(r"\d+", text):
        return int(text), True
    if re.fullmatch(r"\d+[.,]0+", text):
        return int(re.split(r"[.,]", text)[0]), True
    return None, False


def _parse_row(number, cells, columns):
    def cell(position):
        return cells[position] if position is not None and position < len(cells) else None

    raw_name = cell(columns["name"])
    name = "" if is_blank(raw_name) else normalize_name(str(raw_name))
    if _plain(name) in TOTAL_NAMES:
        return None  # the book's totals line
    row = Row(number=number, name=name)
    if not name:
        row.errors.append(_("The member's name is missing."))
    for position, month in columns["months"].items():
        raw = cell(position)
        amount, ok = parse_amount(raw)
        if not ok:
            row.errors.append(
                _("Month %(month)s: “%(value)s” is not an amount of money in đồng.")
                % {"month": f"{month:%m/%Y}", "value": raw}
            )
        elif amount is not None and amount > MAX_AMOUNT:
            row.errors.append(
                _("Month %(month)s: %(value)s đồng is far more than a month's dues.")
                % {"month": f"{month:%m/%Y}", "value": _vnd(amount)}
            )
        elif amount is not None:
            row.amounts[month] = amount
    if "category" in columns and not is_blank(cell(columns["category"])):
        raw = cell(columns["category"])
        row.category = CATEGORY_WORDS.get(_plain(raw), "")
        if not row.category:
            row.errors.append(
                _("Dues category: “%(value)s” is not one of %(choices)s.")
                % {"value": raw, "choices": ", ".join(str(label) for label in SHORT_CATEGORY.values())}
            )
    if "base" in columns:
        base, ok = parse_amount(cell(columns["base"]))
        if ok:
            row.base = base
        else:
            row.errors.append(
                _("Declared base: “%(value)s” is not an amount of money in đồng.") % {"value": cell(columns["base"])}
            )
    return row


def _vnd(amount):
    return f"{int(amount):,}".replace(",", ".")


def validate(rows, cell, today=None):
    """Match each row to a member of the cell and compare its amounts with the book; `row.changes` are the
    amounts to record. Every problem is a row error; nothing is written.

    A month the book has not opened is checked against the line the dues services would open for it (the
    member's basis, exemptions and the rates in force): an amount above its due is an error, like a payment
    of more than is owed."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    members = {}
    for member in (
        Member.objects.filter(cell=cell)
        .on_roll()
        .prefetch_related("dues_profiles", "dues_exemptions")
        .order_by("sort_key", "pk")
    ):
        members.setdefault(name_key(member.full_name), []).append(member)
    matched = [members.get(name_key(row.name), []) for row in rows]
    member_ids = {found[0].pk for found in matched if len(found) == 1}
    months = {month for row in rows for month in row.amounts}
    entries = {
        (entry.member_id, entry.month): entry
        for entry in DuesEntry.objects.filter(member_id__in=member_ids, month__in=months).select_related("cell")
    }
    rates = services.rates_above(cell) if len(entries) < len(member_ids) * len(months) else []
    seen = {}
    for row, found in zip(rows, matched, strict=True):
        row.changes = {}
        row.member_id = None
        if not row.name:
            continue
        if not found:
            row.errors.append(_("No member of this cell is named “%(name)s”.") % {"name": row.name})
            continue
        if len(found) > 1:
            row.errors.append(
                _("%(count)s members of this cell are named “%(name)s”: record their dues in Chibo one by one.")
                % {"count": len(found), "name": row.name}
            )
            continue
        member = found[0]
        row.member_id = member.pk
        if member.pk in seen:
            row.errors.append(_("%(name)s is also on line %(line)s.") % {"name": row.name, "line": seen[member.pk]})
        seen.setdefault(member.pk, row.number)
        profiles = sorted(member.dues_profiles.all(), key=lambda p: p.valid_from, reverse=True)
        for month, amount in sorted(row.amounts.items()):
            label = f"{month:%m/%Y}"
            entry = entries.get((member.pk, month))
            if entry is not None and entry.cell_id != cell.pk:
                row.errors.append(
                    _("Month %(month)s: %(name)s's dues of that month are in the book of %(cell)s.")
                    % {"month": label, "name": row.name, "cell": entry.cell}
                )
                continue
            if month > this_month and amount:
                row.errors.append(
                    _("Month %(month)s has not begun: record dues paid in advance in Chibo.") % {"month": label}
                )
                continue
            if entry is None:
                opens = month >= services.month_of(member.admitted_on) and services.pays_here(
                    member, services.profile_for(profiles, month)
                )
                if not opens:
                    if amount:
                        row.errors.append(
                            _("Month %(month)s: %(name)s owes no dues in this cell that month.")
                            % {"month": label, "name": row.name}
                        )
                    continue
                entry = services.new_entry(cell, member, month, profiles, list(member.dues_exemptions.all()), rates)
            if amount < entry.paid:
                row.errors.append(
                    _(
                        "Month %(month)s: the book already holds %(recorded)s đồng paid, more than the file's "
                        "%(amount)s. Correct the book in Chibo, with a reason."
                    )
                    % {"month": label, "recorded": _vnd(entry.paid), "amount": _vnd(amount)}
                )
            elif amount > max(entry.due, entry.paid):
                row.errors.append(
                    _("Month %(month)s: %(amount)s đồng is more than the %(due)s đồng due that month.")
                    % {"month": label, "amount": _vnd(amount), "due": _vnd(entry.due)}
                )
            elif amount > entry.paid:
                row.changes[month] = amount - entry.paid
    return rows


def summary(rows):
    """(rows with something to record, amount to record in all)"""
    return sum(1 for row in rows if row.changes), sum(row.total for row in rows)


# --- saving -----------------------------------------------------------------------------------------------


@transaction.atomic
def save_rows(rows, cell, by, today=None):
    """Record every row's changes, or none: the caller has validated the rows again just before.

    Each member's months are opened by the dues services (`open_months`), then one `DuesPayment` is spread
    over them month by month as the file says (`DuesAllocation`), each line's paid amount raised as
    `services.record_payment` raises it. The members are locked first, as a payment locks its member, and the
    rows compared again under the lock, so two confirmations of one preview record it once.
    Returns (payments recorded, amount in all)."""
    today = today or timezone.localdate()
    member_ids = sorted(row.member_id for row in rows if row.member_id)
    list(Member.objects.select_for_update().filter(pk__in=member_ids).order_by("pk"))
    validate(rows, cell, today=today)
    if any(row.errors for row in rows):
        raise ChangedMeanwhile
    members = Member.objects.in_bulk([row.member_id for row in rows if row.changes])
    note = _("Imported from a dues book file")
    payments, total = 0, 0
    for row in rows:
        if not row.changes:
            continue
        member = members[row.member_id]
        services.open_months(cell, list(row.changes), members=[member])
        entries = {e.month: e for e in DuesEntry.objects.filter(cell=cell, member=member, month__in=row.changes)}
        if len(entries) < len(row.changes):
            raise ChangedMeanwhile
        payment = DuesPayment.objects.create(
            cell=cell, member=member, amount=row.total, paid_on=today, note=note, recorded_by=by
        )
        payments, total = payments + 1, total + row.total
        for month, part in sorted(row.changes.items()):
            entry = entries[month]
            DuesAllocation.objects.create(payment=payment, entry=entry, amount=part)
            DuesEntry.objects.filter(pk=entry.pk).update(paid=F("paid") + part, paid_on=today)
    return payments, total


class ChangedMeanwhile(Exception):
    """The book changed between the preview and the confirmation: nothing was recorded."""


def rows_message(count):
    return ngettext("%(count)s member's dues were recorded.", "%(count)s members' dues were recorded.", count) % {
        "count": count
    }
