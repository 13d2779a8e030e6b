"""Tables written as the spreadsheets and CSV files that Excel and LibreOffice Calc open right.

A table is a title, column labels and rows of values; the same table becomes a sheet of an .xlsx workbook or
a CSV file. Values keep their kind: a number stays a number, a `Percent` is a number shown with a percent
format, a `Month` is a real date (the first of the month) shown mm/yyyy, a date is a date.

Two CSV dialects: the plain one (UTF-8, comma, decimal point, ISO dates: for programs) and the one that
Vietnamese Excel opens with a double click (UTF-8 with a byte-order mark, ";" between fields, decimal comma,
dates dd/mm/yyyy: Windows' vi-VN list separator and decimal sign).
Text that a spreadsheet would run as a formula (=, +, -, @ first) is written with a leading apostrophe.
May import nothing of the apps.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SHEET_NAME_MAX = 31  # Excel refuses a longer sheet name
SHEET_NAME_FORBIDDEN = "[]:*?/\\"
WIDTH_MAX = 50  # characters; a longer text wraps in its cell
WIDTH_MIN = 6
PERCENT_FORMAT = "0.0%"
MONTH_FORMAT = "mm/yyyy"
DATE_FORMAT = "dd/mm/yyyy"
DECIMAL_FORMAT = "0.0"


@dataclass
class Table:
    title: str
    columns: list
    rows: list = field(default_factory=list)


class Percent(float):
    """A percentage as the pages show it (87.5 for 87.5 %); a spreadsheet holds it as 0.875, formatted 0.0%."""


class Month(date):
    """A month: the date of its first day, shown mm/yyyy."""

    @classmethod
    def of(cls, day):
        return cls(day.year, day.month, 1)


def safe(value):
    """Text as text: control characters (which a spreadsheet cannot hold) dropped, a formula start defused."""
    if isinstance(value, str):
        value = CONTROL.sub("", value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


# --- .xlsx ------------------------------------------------------------------------------------------------


def _xlsx_value(value):
    """(value for the cell, number format or None)"""
    if isinstance(value, Percent):
        return round(float(value) / 100, 6), PERCENT_FORMAT
    if isinstance(value, Month):
        return date(value.year, value.month, 1), MONTH_FORMAT
    if isinstance(value, datetime):
        return value.replace(tzinfo=None), "dd/mm/yyyy hh:mm"
    if isinstance(value, date):
        return value, DATE_FORMAT
    if isinstance(value, float):
        return value, DECIMAL_FORMAT
    if value is None or isinstance(value, (int, bool)):
        return value, None
    return safe(str(value)), None


def _shown(value):
    """The text a spreadsheet shows for a value, to measure its column."""
    if value is None:
        return ""
    if isinstance(value, Percent):
        return f"{float(value):.1f}%"
    if isinstance(value, Month):
        return f"{value:%m/%Y}"
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(safe(str(value)))


def column_widths(table):
    """Each column's width in characters: its longest text (of any line) and a margin, within the bounds."""
    widths = []
    for index, label in enumerate(table.columns):
        texts = [str(label)] + [_shown(row[index]) for row in table.rows if index < len(row)]
        longest = max((len(line) for text in texts for line in text.splitlines() or [""]), default=0)
        widths.append(max(WIDTH_MIN, min(WIDTH_MAX, longest + 2)))
    return widths


def sheet_name(title, used):
    """Excel's rules: at most 31 characters (cut at a word), none of []:*?/\\, not quoted, unique (any case)."""
    text = " ".join("".join(" " if c in SHEET_NAME_FORBIDDEN else c for c in CONTROL.sub("", str(title))).split())
    base = _cut_at_word(text.strip("'"), SHEET_NAME_MAX) or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = _cut_at_word(base, SHEET_NAME_MAX - len(suffix)) + suffix, n + 1
    used.add(name.lower())
    return name


def _cut_at_word(text, limit):
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[: limit + 1] else text[:limit]
    return cut[:limit].rstrip(" ,;.-–·(")


def xlsx_bytes(tables, title="", author="Chibo"):
    """The tables as an .xlsx workbook, a sheet each: the header first and frozen, the columns fitted.

    The title goes into the workbook's properties (File › Properties), never above a header: a row above it
    would break sorting, filters and every program that reads the sheet back.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    book.properties.title = CONTROL.sub("", title)
    book.properties.creator = CONTROL.sub("", str(author))
    book.properties.language = "vi-VN"
    used = set()
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for table in tables:
        sheet = book.create_sheet(sheet_name(table.title, used))
        widths = column_widths(table)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"  # the header on every printed page
        header = []
        for label in table.columns:
            cell = WriteOnlyCell(sheet, value=safe(str(label)))
            cell.font, cell.alignment = bold, wrap
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            cells = []
            for index, value in enumerate(row):
                value, number_format = _xlsx_value(value)
                cell = WriteOnlyCell(sheet, value=value)
                if number_format:
                    cell.number_format = number_format
                if isinstance(value, str) and len(value) > WIDTH_MAX - 2 and index < len(widths):
                    cell.alignment = wrap
                cells.append(cell)
            sheet.append(cells)
    if not tables:
        book.create_sheet("Sheet")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- CSV --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    decimal: str
    date_format: str
    datetime_format: str


PLAIN = Dialect(",", ".", "%Y-%m-%d", "%Y-%m-%d %H:%M")
EXCEL_VI = Dialect(";", ",", "%d/%m/%Y", "%d/%m/%Y %H:%M")


def _csv_value(value, dialect):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, Percent):
        return f"{float(value):.1f}".replace(".", dialect.decimal)
    if isinstance(value, datetime):
        return value.strftime(dialect.datetime_format)
    if isinstance(value, date):
        return value.strftime(dialect.date_format)
    if isinstance(value, float):
        return repr(round(value, 6)).replace(".", dialect.decimal)
    if isinstance(value, int):
        return str(value)
    return safe(str(value))


def csv_text(table, dialect=PLAIN):
    """The table as CSV text, with the byte-order mark that Excel needs to read UTF-8 (Vietnamese) right."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=dialect.delimiter)
    writer.writerow([safe(str(c)) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(v, dialect) for v in row])
    return buffer.getvalue()
