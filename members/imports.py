"""Member import from the lists secretaries keep today: a spreadsheet as offices make them.

Reading is separated from saving: `read_file` turns an upload into rows, each with its problems (and the
points to check) in the user's language; `validate` checks them against each other and the database;
`save_rows` creates all of them or none. The view shows a preview between the two.

The files themselves are read by `chibo.spreadsheets.read_tables`, for any list Chibo imports: .xlsx, old
.xls, CSV in UTF-8 or Windows-1258, and Excel's "Unicode Text" (UTF-16, tab-separated).
"""

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chibo.spreadsheets import UnreadableFile, is_blank, read_tables
from chibo.uploads import size_problem

from . import phones
from .models import CellMembership, Member, StatusChange
from .names import normalize_name
from .signals import members_imported


def _plain(text):
    """Lower-case, without diacritics or punctuation: how header cells are matched."""
    text = unicodedata.normalize("NFD", str(text or "").strip().lower()).replace("đ", "d")
    return "".join(c for c in text if c.isalnum())


# Accepted headers per field, written as secretaries write them; matched with _plain().
COLUMNS = {
    "full_name": ["Họ và tên", "Họ tên", "Họ và tên đảng viên", "Full name", "Name"],
    "gender": ["Giới tính", "Gender", "Nam/Nữ"],
    "birth_date": ["Ngày sinh", "Ngày tháng năm sinh", "Birth date", "Date of birth"],
    "card_number": ["Số thẻ đảng", "Số thẻ đảng viên", "Số thẻ", "Party card number", "Card number"],
    "admitted_on": ["Ngày vào Đảng", "Ngày kết nạp", "Ngày kết nạp Đảng", "Admission date", "Admitted on"],
    "official_on": ["Ngày chính thức", "Ngày công nhận chính thức", "Date made official", "Official date"],
    "email": ["Email", "E-mail", "Thư điện tử"],
    "phone": ["Điện thoại", "Số điện thoại", "SĐT", "Phone"],
}
REQUIRED = ["full_name", "gender", "admitted_on"]
DATE_FIELDS = ("birth_date", "admitted_on", "official_on")
IGNORED = {_plain(h) for h in ["STT", "TT", "Số TT", "No", "Ghi chú", "Note"]}
_HEADER_LOOKUP = {_plain(header): name for name, headers in COLUMNS.items() for header in headers}
GENDERS = {"nam": Member.Gender.MALE, "male": Member.Gender.MALE, "m": Member.Gender.MALE,
           "nu": Member.Gender.FEMALE, "female": Member.Gender.FEMALE, "f": Member.Gender.FEMALE}  # fmt: skip
HEADER_SEARCH_ROWS = 10  # lists often start with a title block above the header row


def column_labels():
    return {name: capfirst(Member._meta.get_field(name).verbose_name) for name in COLUMNS}


@dataclass
class Row:
    number: int  # the line number in the file, as the secretary sees it
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)  # to check before importing; they do not stop it
    raw: dict = field(default_factory=dict, repr=False)  # the dates as written, for the date order

    def to_session(self):
        data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.values.items()}
        return {"number": self.number, "values": data, "warnings": self.warnings}

    @classmethod
    def from_session(cls, data):
        values = dict(data["values"])
        for key in DATE_FIELDS:
            if values.get(key):
                values[key] = date.fromisoformat(values[key])
        return cls(number=data["number"], values=values, warnings=list(data.get("warnings", [])))


@dataclass
class Reading:
    """What was read of a file: the rows of the members' table, and what was left unread, for the preview."""

    rows: list
    notes: list = field(default_factory=list)


def read_file(upload):
    """Read an uploaded member list: a `Reading`, or UnreadableFile with a message for the user.

    A workbook's first sheet with the members' header is read; every other sheet that holds something is
    named in the notes with its count of rows, so that nobody believes a second sheet was imported. (Reading
    every sheet with the header would also import a sheet of members who have moved away.)
    """
    problem = size_problem(upload, settings.MEMBER_IMPORT_MAX_BYTES)
    if problem:
        raise UnreadableFile(problem)
    sheets = read_tables(
        upload.read(), limit=settings.MEMBER_IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS + 1, search_rows=HEADER_SEARCH_ROWS
    )
    chosen, found = None, None
    for sheet in sheets:
        try:
            found = _find_header([cells for _number, cells in sheet.rows])
        except UnreadableFile:
            continue
        chosen = sheet
        break
    if chosen is None:  # no sheet has the header: the first sheet with anything says what is missing
        _find_header(next(([cells for _n, cells in sheet.rows] for sheet in sheets if sheet.rows), []))
    rows = _rows_from_table(chosen.rows, found)
    _check_date_order(rows)
    notes = [_unread_note(sheet, chosen) for sheet in sheets if sheet is not chosen and sheet.rows]
    return Reading(rows=rows, notes=notes)


def _unread_note(sheet, chosen):
    try:
        header_index, _mapping = _find_header([cells for _number, cells in sheet.rows])
    except UnreadableFile:
        header_index = -1  # no members' header: every row it holds
    count = sum(1 for _number, cells in sheet.rows[header_index + 1 :] if not all(is_blank(c) for c in cells))
    return ngettext(
        "Sheet “%(sheet)s”: %(count)s row not read. Only the sheet “%(read)s” is imported.",
        "Sheet “%(sheet)s”: %(count)s rows not read. Only the sheet “%(read)s” is imported.",
        count,
    ) % {"sheet": sheet.name, "count": count, "read": chosen.name}


# --- the members' table -----------------------------------------------------------------------------------


def _rows_from_table(table, found):
    """`table`: (line number, cells) pairs, as the secretary sees them in the file; `found`: its header."""
    header_index, mapping = found
    rows = []
    for number, cells in table[header_index + 1 :]:
        if all(is_blank(cell) for cell in cells):
            continue
        if len(rows) >= settings.MEMBER_IMPORT_MAX_ROWS:
            raise UnreadableFile(
                _("The file has more than %(limit)s members. Split it into smaller files.")
                % {"limit": settings.MEMBER_IMPORT_MAX_ROWS}
            )
        rows.append(_parse_row(number, cells, mapping))
    if not rows:
        raise UnreadableFile(_("The file has a header row but no members under it."))
    return rows


def _find_header(table):
    if not table or all(all(is_blank(c) for c in row) for row in table):
        raise UnreadableFile(_("The file is empty."))
    for index, cells in enumerate(table[:HEADER_SEARCH_ROWS]):
        mapping = {}
        for position, cell in enumerate(cells):
            name = _HEADER_LOOKUP.get(_plain(cell))
            if name and name not in mapping.values():
                mapping[position] = name
        if "full_name" in mapping.values() and "admitted_on" in mapping.values():
            missing = [name for name in REQUIRED if name not in mapping.values()]
            if missing:
                break
            return index, mapping
    labels = column_labels()
    raise UnreadableFile(
        _("The columns are not the expected ones. Required columns: %(required)s. Accepted columns: %(accepted)s.")
        % {
            "required": ", ".join(str(labels[name]) for name in REQUIRED),
            "accepted": ", ".join(str(labels[name]) for name in COLUMNS),
        }
    )


def _parse_row(number, cells, mapping):
    row = Row(number=number)
    labels = column_labels()
    for position, name in mapping.items():
        raw = cells[position] if position < len(cells) else None
        label = labels[name]
        if (isinstance(raw, float) and not math.isfinite(raw)) or "\x00" in str(raw or ""):
            row.errors.append(_("%(column)s: this value cannot be read.") % {"column": label})
            row.values[name] = None if name in DATE_FIELDS else ""
            continue
        if name in DATE_FIELDS:
            value, ok = _parse_date(raw)
            if isinstance(raw, str):
                row.raw[name] = raw.strip()
            month_first = NUMERIC_DATE.match(raw) if isinstance(raw, str) else None
            if not ok and month_first and int(month_first.group(1)) <= 12 < int(month_first.group(2)) <= 31:
                first, second, year = month_first.groups()
                row.errors.append(
                    _("%(column)s: “%(value)s” puts the month first; write it day first: %(date)s.")
                    % {"column": label, "value": raw.strip(), "date": f"{int(second):02}/{int(first):02}/{year}"}
                )
            elif not ok:
                row.errors.append(
                    _("%(column)s: “%(value)s” is not a date (dd/mm/yyyy).") % {"column": label, "value": raw}
                )
        elif name == "gender":
            value = GENDERS.get(_plain(raw), "") if not is_blank(raw) else ""
            if not value and not is_blank(raw):
                row.errors.append(_("%(column)s: write “Nam” or “Nữ”.") % {"column": label})
        else:
            value = "" if is_blank(raw) else normalize_name(str(raw))
            if name == "phone" and isinstance(raw, (int, float)) and not isinstance(raw, bool):
                value = _phone_from_number(raw)
            if name == "phone":
                try:
                    value = phones.normalise(value)
                except ValidationError as exc:
                    row.errors.append(f"{label}: {exc.messages[0]}")
            if name == "card_number" and isinstance(raw, float):
                value = str(int(raw))
        row.values[name] = value
    for name in REQUIRED:
        if not row.values.get(name) and not any(error.startswith(str(labels[name])) for error in row.errors):
            row.errors.append(_("%(column)s is missing.") % {"column": labels[name]})
    return row


def _phone_from_number(raw):
    """A phone number typed into a number cell: Excel dropped its leading zero (0912345678 → 912345678).

    The zero comes back when that makes a Vietnamese number; a number written with its country code
    (84912345678) is kept as it is.
    """
    digits = str(int(raw))
    try:
        phones.normalise("0" + digits)
    except ValidationError:
        return digits
    return "0" + digits


# A date written as text with its parts in either order: 05/03/1960, 5-3-1960, 05.03.1960.
NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})\s*$")


def _check_date_order(rows):
    """Flag the dates that could be read either way when the file shows month-first dates elsewhere.

    Chibo reads dates day first (dd/mm/yyyy). A file from an Excel set to English (United States) writes
    them month first: 03/25/1960 cannot be day first and is a row problem; 05/03/1960 would silently become
    5 March instead of 3 May. Such a date is not swapped (the file may mix both orders); its row asks the
    secretary to check it.
    """
    month_first = None
    for row in rows:
        for text in row.raw.values():
            match = NUMERIC_DATE.match(text)
            if match and int(match.group(1)) <= 12 < int(match.group(2)) <= 31:
                month_first = (row.number, text)
                break
        if month_first:
            break
    if month_first is None:
        return
    labels = column_labels()
    for row in rows:
        for name, text in row.raw.items():
            match = NUMERIC_DATE.match(text)
            value = row.values.get(name)
            if not match or value is None or int(match.group(1)) > 12 or int(match.group(2)) > 12:
                continue
            if match.group(1) == match.group(2):
                continue  # 05/05/1960 reads the same either way
            row.warnings.append(
                _("%(column)s: “%(value)s” is read as day %(day)s, month %(month)s, %(year)s; other dates in "
                  "this file put the month first (line %(line)s: “%(example)s”). Check this date in the file.")
                % {"column": labels[name], "value": text, "day": value.day, "month": value.month,
                   "year": value.year, "line": month_first[0], "example": month_first[1]}
            )  # fmt: skip


def _parse_date(raw):
    """(date or None, understood?)"""
    if is_blank(raw):
        return None, True
    if isinstance(raw, datetime):
        return raw.date(), True
    if isinstance(raw, date):
        return raw, True
    text = str(raw).strip()
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y"):
        try:
            return datetime.strptime(text, pattern).date(), True
        except ValueError:
            continue
    return None, False


def validate(rows, cell):
    """Check every row by the member rules, against each other and against the database."""
    cards = [row.values.get("card_number") for row in rows if row.values.get("card_number")]
    taken = set(Member.objects.filter(card_number__in=cards).values_list("card_number", flat=True))
    in_cell = {
        (name, born) for name, born in Member.objects.filter(cell=cell).on_roll().values_list("full_name", "birth_date")
    }
    seen_cards, seen_people = {}, {}
    labels = column_labels()
    for row in rows:
        member = build_member(row, cell)
        row.errors.extend(str(message) for message in member.rule_errors().values())
        row.errors.extend(_field_errors(member, labels))
        card = row.values.get("card_number")
        if card:
            if card in taken:
                row.errors.append(
                    _("Party card number %(card)s already belongs to a member in Chibo.") % {"card": card}
                )
            if card in seen_cards:
                row.errors.append(
                    _("Party card number %(card)s is also on line %(line)s.") % {"card": card, "line": seen_cards[card]}
                )
            seen_cards.setdefault(card, row.number)
        person = (member.full_name, row.values.get("birth_date"))
        if member.full_name:
            if person in in_cell:
                row.errors.append(_("%(name)s is already in this cell.") % {"name": member.full_name})
            if person in seen_people:
                row.errors.append(
                    _("%(name)s is also on line %(line)s.") % {"name": member.full_name, "line": seen_people[person]}
                )
            seen_people.setdefault(person, row.number)
    return rows


# Text columns whose length and format the database or Django checks (an over-long name, a bad e-mail).
CHECKED_TEXT = ["full_name", "card_number", "email", "phone"]


def _field_errors(member, labels):
    filled = [name for name in CHECKED_TEXT if getattr(member, name)]
    try:
        member.clean_fields(exclude=[f.name for f in Member._meta.fields if f.name not in filled])
    except ValidationError as exc:
        return [
            _("%(column)s: %(message)s") % {"column": labels[name], "message": message}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return []


def build_member(row, cell):
    values = row.values
    today = timezone.localdate()
    return Member(
        cell=cell,
        full_name=values.get("full_name") or "",
        gender=values.get("gender") or "",
        birth_date=values.get("birth_date"),
        card_number=values.get("card_number") or "",
        admitted_on=values.get("admitted_on"),
        official_on=values.get("official_on"),
        email=values.get("email") or "",
        phone=values.get("phone") or "",
        status=Member.Status.ACTIVE,
        status_since=values.get("admitted_on") or today,
    )


@transaction.atomic
def save_rows(rows, cell, by):
    """Create every member of a checked list, or none: the caller has re-validated the rows."""
    note = _("Imported from a list")
    members = []
    for row in rows:
        member = build_member(row, cell)
        member.prepare_names()
        members.append(member)
    Member.objects.bulk_create(members)
    CellMembership.objects.bulk_create(
        CellMembership(member=m, cell=cell, started_on=m.admitted_on, note=note, recorded_by=by) for m in members
    )
    StatusChange.objects.bulk_create(
        StatusChange(member=m, status=m.status, since=m.status_since, note=note, recorded_by=by) for m in members
    )
    members_imported.send(sender=Member, cells=[cell.pk])  # bulk_create sends none: the dashboards count again
    return members
