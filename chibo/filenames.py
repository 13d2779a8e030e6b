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


def minutes(cell, day, extension="pdf"):
    """A meeting's minutes: bien-ban-<cell>-2026-11-05.pdf."""
    return f"bien-ban-{unit_code(cell)}-{day:%Y-%m-%d}.{extension}"


def resolution(cell, number, year, extension="pdf"):
    """A resolution, by its number and year: nghi-quyet-<cell>-05-2026.pdf."""
    return f"nghi-quyet-{unit_code(cell)}-{number or 0:02d}-{year}.{extension}"


def minutes_book(cell, year, extension="pdf"):
    """The year's minutes book: so-bien-ban-<cell>-2026.pdf."""
    return f"so-bien-ban-{unit_code(cell)}-{year}.{extension}"


def invitations(cell, day, extension="pdf"):
    """A meeting's printed invitations: giay-moi-<cell>-2026-11-05.pdf."""
    return f"giay-moi-{unit_code(cell)}-{day:%Y-%m-%d}.{extension}"


def monthly_report(unit, month, extension="pdf"):
    """A committee's monthly report: bao-cao-<unit>-2026-11.pdf."""
    return f"bao-cao-{unit_code(unit)}-{month:%Y-%m}.{extension}"
