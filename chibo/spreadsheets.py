"""Tables written as the spreadsheets and CSV files that Excel and LibreOffice Calc open right.

A table is a title, column labels and rows of values; the same table becomes a sheet of an .xlsx workbook or
a CSV file. Values keep their kind: a number stays a number, a `Percent` is a number shown with a percent
format, a `Month` is a real date (the first of the month) shown mm/yyyy, a date is a date.

Reading (`read_tables`): the tables of a file as offices send them, whatever its name says: Excel workbooks
(.xlsx), old Excel files (.xls, through xlrd), CSV in UTF-8 (with or without a byte-order mark) or
Windows-1258, and Excel's "Unicode Text" (UTF-16, tab-separated); "," ";" and tab are told apart.

Two CSV dialects: the plain one (UTF-8, comma, decimal point, ISO dates: for programs) and the one that
Vietnamese Excel opens with a double click (UTF-8 with a byte-order mark, ";" between fields, decimal comma,
dates dd/mm/yyyy: Windows' vi-VN list separator and decimal sign).
Text that a spreadsheet would run as a formula (=, +, -, @ first) is written with a leading apostrophe.
May import nothing of the apps.
"""

import codecs
import csv
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Spaces a spreadsheet may skip before reading a formula (" =1+1" and "\n=1+1" are formulas to some).
LEADING_SPACE = " \t\r\n\xa0"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SHEET_NAME_MAX = 31  # Excel refuses a longer sheet name
SHEET_NAME_FORBIDDEN = "[]:*?/\\"
WIDTH_MAX = 50  # characters; a longer text wraps in its cell
WIDTH_MIN = 6
PERCENT_FORMAT = "0.0%"
MONTH_FORMAT = "mm/yyyy"
DATE_FORMAT = "dd/mm/yyyy"
DECIMAL_FORMAT = "0.0"
AMOUNT_FORMAT = "#,##0"  # Excel and Calc set to Vietnamese show 1.250.000
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a list to import is far smaller; more is a zip bomb
# What reading a file may visit, blank cells included: a list to import is a few thousand rows of a few dozen
# columns. A small file can declare a million padded rows (a cell in the last row of a sheet) or loop in its
# own structure: reading stops here rather than holding a web worker for minutes.
MAX_COLUMNS = 100
MAX_CELLS_VISITED = 1_000_000


class UnreadableFile(Exception):
    """The file as a whole cannot be read; the message says why, for the user."""


@dataclass
class Sheet:
    """One table of a file read: its name ("" for a text file) and its non-blank rows as (line number, cells)."""

    name: str
    rows: list = field(default_factory=list)


@dataclass
class Table:
    title: str
    columns: list
    rows: list = field(default_factory=list)


class Percent(float):
    """A percentage as the pages show it (87.5 for 87.5 %); a spreadsheet holds it as 0.875, formatted 0.0%."""


class Amount(int):
    """A sum of money in whole đồng: a number with a thousands separator (1.250.000 in Vietnamese)."""


class Month(date):
    """A month: the date of its first day, shown mm/yyyy."""

    @classmethod
    def of(cls, day):
        return cls(day.year, day.month, 1)


def safe(value):
    """Text as text: control characters (which a spreadsheet cannot hold) dropped, a formula start defused."""
    if isinstance(value, str):
        value = CONTROL.sub("", value)
        if value.startswith(FORMULA_START) or value.lstrip(LEADING_SPACE).startswith(FORMULA_START):
            return "'" + value
    return value


# --- .xlsx ------------------------------------------------------------------------------------------------


def _xlsx_value(value):
    """(value for the cell, number format or None)"""
    if isinstance(value, Percent):
        return round(float(value) / 100, 6), PERCENT_FORMAT
    if isinstance(value, Amount):
        return int(value), AMOUNT_FORMAT
    if isinstance(value, Month):
        return date(value.year, value.month, 1), MONTH_FORMAT
    if isinstance(value, datetime):
        return _local(value).replace(tzinfo=None), "dd/mm/yyyy hh:mm"
    if isinstance(value, date):
        return value, DATE_FORMAT
    if isinstance(value, (float, Decimal)):
        return float(value), DECIMAL_FORMAT
    if value is None or isinstance(value, (int, bool)):
        return value, None
    return CONTROL.sub("", str(value)), None


def _local(moment):
    """A time as Vietnam reads it (an aware time from the database is in UTC)."""
    from django.utils import timezone

    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _text_cell(sheet, text):
    """A cell that holds text as text, whatever it starts with: "=1+1" is a string, never a formula, and
    Excel keeps it so when it is edited (quotePrefix) without showing an apostrophe."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    if cell.data_type != "s":
        cell.data_type = "s"
    if text.startswith(FORMULA_START) or text.lstrip(LEADING_SPACE).startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


def _shown(value):
    """The text a spreadsheet shows for a value, to measure its column."""
    if value is None:
        return ""
    if isinstance(value, Percent):
        return f"{float(value):.1f}%"
    if isinstance(value, Amount):
        return f"{int(value):,}"
    if isinstance(value, Month):
        return f"{value:%m/%Y}"
    if isinstance(value, datetime):
        return f"{_local(value):%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, (float, Decimal)):
        return f"{value:.1f}"
    return CONTROL.sub("", str(value))


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
            cell = _text_cell(sheet, CONTROL.sub("", str(label)))
            cell.font, cell.alignment = bold, wrap
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            cells = []
            for index, value in enumerate(row):
                value, number_format = _xlsx_value(value)
                cell = _text_cell(sheet, value) if isinstance(value, str) else WriteOnlyCell(sheet, value=value)
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
        return _local(value).strftime(dialect.datetime_format)
    if isinstance(value, date):
        return value.strftime(dialect.date_format)
    if isinstance(value, (float, Decimal)):
        return repr(round(float(value), 6)).replace(".", dialect.decimal)
    if isinstance(value, int):
        return str(value)
    return safe(str(value))


def csv_text(table, dialect=PLAIN):
    """The table as CSV text, with the byte-order mark that Excel needs to read UTF-8 (Vietnamese) right."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    # Every field quoted: a field holding the other dialect's separator ("Lê;=1+1") would otherwise be split by
    # an Excel set to that separator, and its second half read as a formula.
    writer = csv.writer(buffer, delimiter=dialect.delimiter, quoting=csv.QUOTE_ALL)
    writer.writerow([safe(str(c)) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(v, dialect) for v in row])
    return buffer.getvalue()


# --- reading -------------------------------------------------------------------------------------------

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old Excel file, or an encrypted new one
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # the stream a password-protected .xlsx holds


def read_tables(content, limit, search_rows=10):
    """The sheets of a spreadsheet or text file, each with at most `limit` non-blank rows (more cannot be a
    valid list: the caller refuses it). `search_rows`: the lines that tell a text file's separator.

    Raises UnreadableFile, with a message for the user, for a file that cannot be read.
    """
    if content.startswith(b"PK\x03\x04"):
        return _xlsx_sheets(content, limit)
    if content.startswith(OLE2):
        return _xls_sheets(content, limit)
    return [Sheet("", _text_rows(_decode(content), limit, search_rows))]


def _xlsx_sheets(content, limit):
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise UnreadableFile(_("This spreadsheet is too large once unpacked. Split it into smaller files."))
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheets, budget = [], Budget()
        for worksheet in workbook.worksheets:
            sheet = Sheet(worksheet.title)
            # The sheet's declared size is not trusted: read as far as its rows go, at most MAX_COLUMNS wide.
            worksheet.reset_dimensions()
            rows = worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            for number, values in enumerate(rows, start=1):
                budget.spend(len(values), sheet.name)
                if all(is_blank(cell) for cell in values):
                    continue
                sheet.rows.append((number, list(values)))
                if len(sheet.rows) > limit:  # more than a valid list: the row count check refuses it
                    break
            sheets.append(sheet)
        workbook.close()
    except UnreadableFile:
        raise
    except Exception as exc:  # openpyxl raises many kinds of error on a damaged or foreign file
        raise UnreadableFile(_("This file is not an Excel spreadsheet that can be read.")) from exc
    return sheets


def _xls_sheets(content, limit):
    """An Excel 97–2003 workbook, read with xlrd: dates by the book's date system (1900 or 1904)."""
    import xlrd

    if ENCRYPTED_PACKAGE in content:
        raise UnreadableFile(_password_message())
    try:
        # xlrd writes its warnings about a damaged file to standard output unless given somewhere else. It is
        # given the workbook's own stream, taken out of the file's container by olefile: xlrd's container
        # reader loops for ever on a damaged sector chain, olefile refuses it. Ragged rows: a cell in the last
        # row and column of a sheet does not pad every row to 256 cells.
        stream = _ole_stream(content)
        book = xlrd.open_workbook(file_contents=stream, on_demand=True, ragged_rows=True, logfile=io.StringIO(),
                                  verbosity=0)  # fmt: skip
        sheets, budget = [], Budget()
        for index in range(book.nsheets):
            worksheet = book.sheet_by_index(index)
            sheet = Sheet(worksheet.name)
            for r in range(worksheet.nrows):
                cells = worksheet.row_slice(r, 0, min(worksheet.row_len(r), MAX_COLUMNS))
                budget.spend(len(cells), sheet.name)
                values = [_xls_value(cell, book.datemode) for cell in cells]
                if all(is_blank(cell) for cell in values):
                    continue
                sheet.rows.append((r + 1, values))
                if len(sheet.rows) > limit:
                    break
            sheets.append(sheet)
            book.unload_sheet(index)
        book.release_resources()
    except UnreadableFile:
        raise
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct and index errors on a damaged file
        if "encrypt" in str(exc).lower():
            raise UnreadableFile(_password_message()) from exc
        raise UnreadableFile(
            _("This old Excel file (.xls) cannot be read: it is damaged or not an Excel file. "
              "Open it in Excel, save it as .xlsx and try again.")
        ) from exc  # fmt: skip
    return sheets


class Budget:
    """The cells reading may still visit (MAX_CELLS_VISITED, blank ones included); a row costs at least one."""

    def __init__(self):
        self.left = MAX_CELLS_VISITED

    def spend(self, cells, sheet_name):
        self.left -= max(cells, 1)
        if self.left < 0:
            raise UnreadableFile(
                _("The sheet “%(sheet)s” is far larger than a list to import (empty rows and columns included). "
                  "Copy the list alone into a new file and upload that.") % {"sheet": sheet_name}
            )  # fmt: skip


def _ole_stream(content):
    """The workbook stream of an Excel 97–2003 file (BIFF), out of its OLE container."""
    import olefile

    with olefile.OleFileIO(io.BytesIO(content)) as container:
        for name in ("Workbook", "Book"):  # Excel 97 and later; Excel 5 and 95
            if container.exists(name):
                return container.openstream(name).read()
    raise ValueError("no workbook stream in this file")


def _password_message():
    return _("This file is protected with a password. Remove the password in Excel (File › Info › Protect "
             "Workbook), save it and upload it again.")  # fmt: skip


def _xls_value(cell, datemode):
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            moment = xlrd.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return str(cell.value)
        return moment if moment.time() != datetime.min.time() else moment.date()
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        value = cell.value
        return int(value) if math.isfinite(value) and value == int(value) else value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_TEXT:
        return cell.value
    return None  # empty, blank, or an error value (#N/A)


def _decode(content):
    """The text of a text file, by its byte-order mark, its shape or the encodings Vietnamese Excel writes."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):  # fmt: skip
        if content.startswith(bom):
            try:
                text = content[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise UnreadableFile(_encoding_message()) from exc
            break
    else:
        encoding = _utf16_without_mark(content)
        candidates = [encoding] if encoding else ["utf-8", "cp1258"]
        if not encoding and b"\x00" in content:
            raise UnreadableFile(_not_a_spreadsheet())
        for encoding in candidates:
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise UnreadableFile(_encoding_message())
    if "\x00" in text:
        raise UnreadableFile(_not_a_spreadsheet())
    return text


def _utf16_without_mark(content):
    """The encoding of UTF-16 text saved without its mark ("utf-16-le" or "-be"), or None: the zero high
    bytes of ASCII text (digits, separators, line ends) all on one side, and none on the other."""
    if len(content) < 4 or len(content) % 2:
        return None
    even, odd = content[0::2].count(0), content[1::2].count(0)
    # A few zeros on the other side: characters such as the combining tone marks (U+0300, U+0301) of
    # decomposed Vietnamese text.
    if odd > len(content) // 8 and even * 8 < odd:
        return "utf-16-le"
    if even > len(content) // 8 and odd * 8 < even:
        return "utf-16-be"
    return None


def _encoding_message():
    return _("The file's characters cannot be read. Save it as CSV UTF-8 and try again.")


def _not_a_spreadsheet():
    return _("This file is not a spreadsheet. Upload an Excel (.xlsx, .xls) or CSV file.")


def _text_rows(text, limit, search_rows):
    delimiter = _guess_delimiter(text, search_rows)
    rows = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
            if all(is_blank(cell) for cell in cells):
                continue
            rows.append((number, cells))
            if len(rows) > limit:
                break
    except csv.Error as exc:
        raise UnreadableFile(_not_a_spreadsheet()) from exc
    return rows


def _guess_delimiter(text, search_rows):
    """The separator that splits the first lines most: Excel writes ";" or "," by region, or tabs.

    csv.Sniffer gives up on the title lines that Vietnamese lists often have above the header.
    """
    lines = text.splitlines()[: search_rows * 2]
    return max(",;\t", key=lambda d: (max((line.count(d) for line in lines), default=0), d == ","))


def is_blank(cell):
    return cell is None or str(cell).strip() == ""
