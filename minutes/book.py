"""The year's minutes book (sổ biên bản) as one PDF: a contents page, then every signed minutes of the year.

The book is made of the stored PDFs, not rendered again: each minutes in it is the very file whose SHA-256
the minutes page shows. Asking for the book first has the worker render the signed minutes that have no
stored PDF (`prepare`); the book page shows how far it is, then the book is delivered. Whatever still has no
PDF (its rendering failed) is named on the contents page with the reason: never silently left out.

Pages are numbered through the book at the foot of every page after the first ("Sổ biên bản 2026 – trang
7"), stamped over the merged pages: WeasyPrint renders a transparent page-number overlay with as many pages
as the book, and pypdf merges its pages onto the book's. The minutes keep their own numbers at the head, so
that a page of the book is still the page of the signed document. The bookmarks name each meeting by its
date and kind, with the minutes' own sections under it.
"""

import io
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo import pdf

from . import workflow
from .models import Minutes


@dataclass
class Entry:
    minutes: Minutes
    content: bytes | None = None
    reason: str = ""  # lazy until the book is built in Vietnamese
    pages: int = 0
    first_page: int = 0

    @property
    def day(self):
        return timezone.localtime(self.minutes.meeting.starts_at).date()

    @property
    def meeting_label(self):
        meeting = self.minutes.meeting
        kind = str(meeting.get_kind_display())
        return f"{kind}: {meeting.title}" if meeting.title else kind

    @property
    def bookmark(self):
        return f"{self.day:%d/%m/%Y} – {self.meeting_label}"


def prepare(cell, year, user_access):
    """Queue the rendering of every signed minutes of the year without a stored PDF (never rendered, lost from
    storage; failed or lost in a killed worker a while ago: `workflow.render_missing`). Returns how many are
    being rendered now, those queued before included."""
    records = list(workflow.signed_in_year(cell, year, user_access))
    workflow.render_missing(records, retry_failed=False)
    return Minutes.objects.filter(pk__in=[r.pk for r in records], pdf_status=Minutes.PdfStatus.PENDING).count()


def progress(cell, year, user_access):
    """How far the year's signed minutes are from all having their PDF: counts by PDF state."""
    counts = {"signed": 0, Minutes.PdfStatus.READY: 0, Minutes.PdfStatus.PENDING: 0, Minutes.PdfStatus.FAILED: 0}
    for state in workflow.signed_in_year(cell, year, user_access).values_list("pdf_status", flat=True):
        counts["signed"] += 1
        if state in counts:
            counts[state] += 1
    return {str(key): value for key, value in counts.items()}


def entries(cell, year, user_access):
    """The year's signed minutes in date order, each with its stored PDF or the reason it has none.

    A PDF lost from storage is marked failed, so that the book page offers to render it again."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    reasons = dict(Minutes.PdfStatus.choices)
    found = []
    for record in workflow.signed_in_year(cell, year, user_access):
        entry = Entry(record)
        if record.pdf_status == Minutes.PdfStatus.READY and record.pdf:
            try:
                with record.pdf.open("rb") as handle:
                    entry.content = handle.read()
                entry.pages = len(PdfReader(io.BytesIO(entry.content)).pages)
            except (FileNotFoundError, PyPdfError) as error:
                # Lost from storage, or damaged there: named in the book, and rendered again when next asked for.
                entry.content = None
                lost = isinstance(error, FileNotFoundError)
                entry.reason = gettext_lazy("File lost from storage") if lost else gettext_lazy("Stored file damaged")
                Minutes.objects.filter(pk=record.pk, pdf=record.pdf.name, pdf_status=Minutes.PdfStatus.READY).update(
                    pdf_status=Minutes.PdfStatus.FAILED
                )
        else:
            entry.reason = reasons.get(record.pdf_status, record.pdf_status)
        found.append(entry)
    return found


def build(cell, year, found):
    """The book's PDF bytes, in Vietnamese like the minutes in it, from `entries`."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    with translation.override("vi"):
        for entry in found:
            entry.reason = str(entry.reason)  # worked out lazily: in the book's language, not the reader's
        included = [entry for entry in found if entry.content]
        missing = [entry for entry in found if not entry.content]
        # The contents page numbers the minutes after itself: render it again if it turns out longer.
        front_pages, front = 1, None
        for _attempt in range(3):
            page = front_pages + 1
            for entry in included:
                entry.first_page, page = page, page + entry.pages
            front = pdf.render("minutes/pdf/book_contents.html", {
                "cell": cell, "doc": {"cell": {"name": cell.name, "parent": str(cell.parent or "")}},
                "year": year, "included": included, "missing": missing,
            })  # fmt: skip
            counted = len(PdfReader(io.BytesIO(front)).pages)
            if counted == front_pages:
                break
            front_pages = counted
        writer = PdfWriter()
        writer.append(io.BytesIO(front), outline_item=_("Contents"), import_outline=False)
        for entry in included:
            writer.append(io.BytesIO(entry.content), outline_item=entry.bookmark)
        # The numbers are rendered for the pages the book has, whatever the contents page came to.
        overlay = pdf.render("minutes/pdf/book_numbers.html", {"year": year, "pages": range(len(writer.pages))})
        numbers = PdfReader(io.BytesIO(overlay))
        for index, book_page in enumerate(writer.pages):
            if index:
                book_page.merge_page(numbers.pages[index])
        title = _("Minutes book %(year)s – %(cell)s") % {"year": year, "cell": cell.name}
        writer.add_metadata({
            "/Title": title,
            "/Author": cell.name,
            "/Subject": _("The signed minutes of %(cell)s in %(year)s, with their contents") % {"cell": cell.name,
                                                                                              "year": year},
            "/Keywords": f"{_('minutes')}, {cell.name}, {year}",
            "/Creator": "Chibo",
        })  # fmt: skip
        writer.root_object[NameObject("/Lang")] = TextStringObject("vi")
        writer.page_mode = "/UseOutlines"
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue()
