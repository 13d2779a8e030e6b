"""The names of the files Chibo hands out, saying whose file it is: the document's kind, the unit's code and
the day, month or number, e.g. `bien-ban-hy-th-01-2026-11-05.pdf`.

ASCII only (Vietnamese letters lose their marks, đ becomes d): a name survives every mail client, zip tool
and USB stick. The unit is named by its code (`OrgUnit.code`, unique and required; "HY.TH.01" becomes
"hy-th-01"), by its name when a code gives nothing. Imports no app, so that every app can use it.
"""

import re
import unicodedata


def ascii_slug(text):
    """Lower-case ASCII words joined by hyphens: "Chi bộ thôn Đông" → "chi-bo-thon-dong", "HY.TH.01" → "hy-th-01"."""
    text = str(text or "").replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def unit_code(unit):
    return ascii_slug(unit.code) or ascii_slug(unit.name) or str(unit.pk)


DRAFT = "du-thao"


def _name(kind, unit, *parts, draft=False, extension="pdf"):
    words = [kind, unit_code(unit), *parts] + ([DRAFT] if draft else [])
    return "-".join(word for word in words if word) + f".{extension}"


def minutes(cell, day, extension="pdf", draft=False):
    """A meeting's minutes: bien-ban-<cell>-2026-11-05.pdf; a draft's Word file ends in -du-thao."""
    return _name("bien-ban", cell, f"{day:%Y-%m-%d}", draft=draft, extension=extension)


def resolution(cell, number, year, extension="pdf", draft=False, day=None):
    """A resolution, by its number and year: nghi-quyet-<cell>-05-2026.pdf. A draft has no number yet: its
    meeting's day names it (nghi-quyet-<cell>-2026-11-05-du-thao.docx)."""
    part = f"{number:02d}-{year}" if number else (f"{day:%Y-%m-%d}" if day else str(year))
    return _name("nghi-quyet", cell, part, draft=draft, extension=extension)


def minutes_book(cell, year, extension="pdf"):
    """The year's minutes book: so-bien-ban-<cell>-2026.pdf."""
    return _name("so-bien-ban", cell, str(year), extension=extension)


def invitations(cell, day, extension="pdf"):
    """A meeting's printed invitations: giay-moi-<cell>-2026-11-05.pdf."""
    return _name("giay-moi", cell, f"{day:%Y-%m-%d}", extension=extension)


def monthly_report(unit, month, extension="pdf"):
    """A committee's monthly report: bao-cao-<unit>-2026-11.pdf."""
    return _name("bao-cao", unit, f"{month:%Y-%m}", extension=extension)


def export(unit, what, when):
    """A dashboard's table: chibo-<unit>-cells-2026-01_2026-11 (the caller adds the extension)."""
    return "-".join(["chibo", unit_code(unit), what, when])


def dues_book(cell, year, extension="xlsx"):
    """The year's dues book (sổ thu nộp đảng phí): so-dang-phi-<cell>-2026.xlsx."""
    return _name("so-dang-phi", cell, str(year), extension=extension)
