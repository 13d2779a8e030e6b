"""Member import from the lists secretaries keep today: an Excel (.xlsx) or CSV file.

Reading is separated from saving: `read_file` turns an upload into rows, each with its problems in the
user's language; `validate` checks them against each other and the database; `save_rows` creates all
of them or none. The view shows a preview between the two.
"""

import csv
import io
import math
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from chibo.uploads import size_problem

from . import phones
from .models import CellMembership, Member, StatusChange
from .names import normalize_name
from .signals import members_imported


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, for the user."""


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
IGNORED = {_plain(h) for h in ["STT", "TT", "Số TT", "No", "Ghi chú", "Note"]}
_HEADER_LOOKUP = {_plain(header): name for name, headers in COLUMNS.items() for header in headers}
GENDERS = {"nam": Member.Gender.MALE, "male": Member.Gender.MALE, "m": Member.Gender.MALE,
           "nu": Member.Gender.FEMALE, "female": Member.Gender.FEMALE, "f": Member.Gender.FEMALE}  # fmt: skip
HEADER_SEARCH_ROWS = 10  # lists often start with a title block above the header row
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a member list is far smaller; more is a zip bomb


def column_labels():
    return {name: capfirst(Member._meta.get_field(name).verbose_name) for name in COLUMNS}


@dataclass
class Row:
    number: int  # the line number in the file, as the secretary sees it
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    def to_session(self):
        data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.values.items()}
        return {"number": self.number, "values": data}

    @classmethod
    def from_session(cls, data):
        values = dict(data["values"])
        for key in ("birth_date", "admitted_on", "official_on"):
            if values.get(key):
                values[key] = date.fromisoformat(values[key])
        return cls(number=data["number"], values=values)


def read_file(upload):
    """Return the rows of an uploaded .xlsx or .csv list, or raise ImportFileError with a message."""
    problem = size_problem(upload, settings.MEMBER_IMPORT_MAX_BYTES)
    if problem:
        raise ImportFileError(problem)
    content = upload.read()
    if content.startswith(b"PK\x03\x04"):
        table = _xlsx_rows(content)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_("This is an old Excel file (.xls). Save it as .xlsx or CSV and try again."))
    else:
        table = _csv_rows(content)
    return _rows_from_table(table)


def _xlsx_rows(content):
    from openpyxl import load_workbook

    # More filled rows than this cannot be a valid list; reading stops there and the count check refuses it.
    limit = settings.MEMBER_IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS + 1
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise ImportFileError(_("This spreadsheet is too large once unpacked. Split it into smaller files."))
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        table = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if all(_is_blank(cell) for cell in values):
                continue
            table.append((number, list(values)))
            if len(table) > limit:
                break
        workbook.close()
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds of error on a damaged or foreign file
        raise ImportFileError(_("This file is not an Excel spreadsheet that can be read.")) from exc
    return table


def _csv_rows(content):
    if b"\x00" in content:
        raise ImportFileError(_("This file is not a spreadsheet. Upload an Excel (.xlsx) or CSV file."))
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The file's characters cannot be read. Save it as CSV UTF-8 and try again."))
    delimiter = _guess_delimiter(text)
    try:
        return list(enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1))
    except csv.Error as exc:
        raise ImportFileError(_("This file is not a spreadsheet. Upload an Excel (.xlsx) or CSV file.")) from exc


def _guess_delimiter(text):
    """The separator that splits the first lines most: Excel writes ";" or "," by region, or tabs.

    csv.Sniffer gives up on the title lines that Vietnamese lists often have above the header.
    """
    lines = text.splitlines()[: HEADER_SEARCH_ROWS * 2]
    return max(",;\t", key=lambda d: (max((line.count(d) for line in lines), default=0), d == ","))


def _rows_from_table(table):
    """`table`: (line number, cells) pairs, as the secretary sees them in the file."""
    header_index, mapping = _find_header([cells for _number, cells in table])
    rows = []
    for number, cells in table[header_index + 1 :]:
        if all(_is_blank(cell) for cell in cells):
            continue
        if len(rows) >= settings.MEMBER_IMPORT_MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(limit)s members. Split it into smaller files.")
                % {"limit": settings.MEMBER_IMPORT_MAX_ROWS}
            )
        rows.append(_parse_row(number, cells, mapping))
    if not rows:
        raise ImportFileError(_("The file has a header row but no members under it."))
    return rows


def _is_blank(cell):
    return cell is None or str(cell).strip() == ""


def _find_header(table):
    if not table or all(all(_is_blank(c) for c in row) for row in table):
        raise ImportFileError(_("The file is empty."))
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
    raise ImportFileError(
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
            row.values[name] = None if name in ("birth_date", "admitted_on", "official_on") else ""
            continue
        if name in ("birth_date", "admitted_on", "official_on"):
            value, ok = _parse_date(raw)
            if not ok:
                row.errors.append(
                    _("%(column)s: “%(value)s” is not a date (dd/mm/yyyy).") % {"column": label, "value": raw}
                )
        elif name == "gender":
            value = GENDERS.get(_plain(raw), "") if not _is_blank(raw) else ""
            if not value and not _is_blank(raw):
                row.errors.append(_("%(column)s: write “Nam” or “Nữ”.") % {"column": label})
        else:
            value = "" if _is_blank(raw) else normalize_name(str(raw))
            if name == "phone" and isinstance(raw, (int, float)):
                value = "0" + str(int(raw))  # Excel drops the leading zero of a number typed as a number
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


def _parse_date(raw):
    """(date or None, understood?)"""
    if _is_blank(raw):
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
