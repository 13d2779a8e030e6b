"""The issued resolution as a document (PDF and Word), in the party's layout, through the minutes' renderer."""

from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _

from members.models import Member

from .models import Resolution


def snapshot(resolution):
    """The text as issued, the cell's names and the secretary who signs for the cell."""
    cell = resolution.cell
    secretary = Member.objects.filter(cell=cell, position=Member.Position.SECRETARY).on_roll().first()
    return {
        "cell": {"name": cell.name, "place_name": cell.place_name, "parent": cell.parent.name if cell.parent else ""},
        "code": resolution.code,
        "issued_on": str(resolution.issued_on or ""),
        "kind": resolution.kind,
        "title": resolution.title,
        "purpose": resolution.purpose,
        "tasks_text": resolution.tasks_text,
        "solutions": resolution.solutions,
        "checking": resolution.checking,
        "signer": str(secretary or ""),
    }


def content(resolution):
    """The frozen text with the assignments as they stand (tasks are assigned after issuing too)."""
    data = dict(resolution.frozen) if resolution.frozen else snapshot(resolution)
    data["assignments"] = [
        {"what": t.title, "who": str(t.responsible), "deadline": str(t.deadline)}
        for t in resolution.tasks.select_related("responsible").order_by("deadline", "pk")
    ]
    return data


def source_hash(resolution):
    from chibo import pdf

    return pdf.digest(content(resolution))


def request_pdf(resolution):
    """Render the PDF after commit, unless the stored one was made from exactly this content."""
    from chibo import pdf

    if resolution.status == Resolution.Status.DRAFT:
        return False
    return pdf.request(resolution, source_hash, "resolutions.tasks.render_resolution_pdf")


def context(resolution, doc=None):
    """The document for the template or the Word file, from `content` (`doc`, when the caller already has it):
    the dates parsed, in new rows (what `content` returned is what the hash is made of)."""
    doc = content(resolution) if doc is None else doc
    assignments = [{**item, "deadline_date": date.fromisoformat(item["deadline"])} for item in doc["assignments"]]
    doc = {**doc, "assignments": assignments}
    return {"doc": doc, "day": date.fromisoformat(doc["issued_on"]) if doc["issued_on"] else None}


def pdf_records():
    """The resolutions as the PDF worker reads them, with their cell and the committee above it."""
    return Resolution.objects.select_related("cell__parent")


def render_pdf(resolution, doc=None):
    from chibo import pdf

    with translation.override("vi"):
        return pdf.render("resolutions/pdf/resolution.html", context(resolution, doc))


def is_draft(resolution):
    return resolution.status == Resolution.Status.DRAFT


def word(resolution):
    """The same document for Word: the PDF's blocks (templates/resolutions/pdf/resolution.html), A4 with its
    margins; a draft says "DỰ THẢO" on every page and leaves its number and date to be filled in."""
    from django.conf import settings
    from django.utils import timezone

    from chibo import word as w

    draft = is_draft(resolution)
    with translation.override("vi"):
        c = context(resolution)
        doc, day = c["doc"], c["day"]
        cell = doc["cell"]
        document = w.new_document(settings.PDF_MARGINS_MM)
        code = doc["code"] or "…-NQ/CB"
        dated = [f"{day:%d/%m/%Y}"] if day else []
        title = " – ".join([f"{_('Resolution')} {doc['code']}".strip(), doc["title"], cell["name"], *dated])
        w.set_properties(document, author=cell["name"], title=title, subject=doc["title"], now=timezone.now(),
                         draft_label=_("DRAFT") if draft else "")  # fmt: skip
        if draft:
            w.mark_draft(document, _("DRAFT"))
        parts = {"d": f"{day.day:02d}", "m": f"{day.month:02d}", "y": day.year} if day else dict.fromkeys("dmy", "…")
        left = ([(cell["parent"].upper(), {})] if cell["parent"] else []) + [
            (cell["name"].upper(), {"bold": True}), ("*", {}), (_("No. %(code)s") % {"code": code}, {})]  # fmt: skip
        right = [("ĐẢNG CỘNG SẢN VIỆT NAM", {"bold": True, "underline": True, "size": 15}),
                 (f"{cell['place_name']}, " + _("day %(d)s month %(m)s year %(y)s") % parts,
                  {"italic": True, "space_before": 8})]  # fmt: skip
        w.party_header(document, left, right)
        w.heading(document, _("Resolution").upper(), 1)
        w.paragraph(document, doc["title"], bold=True, align=w.CENTER)
        for number, heading, key in [("I", _("Purpose and requirements"), "purpose"), ("II", _("Tasks"), "tasks_text"),
                                     ("III", _("Solutions"), "solutions")]:  # fmt: skip
            w.heading(document, f"{number}. {heading}".upper(), 2)
            w.paragraph(document, doc[key] or "…")
        w.heading(document, f"IV. {_('Assignments')}".upper(), 2)
        if doc["assignments"]:
            rows = [(item["what"], item["who"], f"{item['deadline_date']:%d/%m/%Y}") for item in doc["assignments"]]
            w.assignment_table(document, [_("Task"), _("Responsible"), _("Deadline")], rows)
        else:
            w.paragraph(document, "…")
        w.heading(document, f"V. {_('Checking')}".upper(), 2)
        w.paragraph(document, doc["checking"] or "…", keep_with_next=True)  # the closing lines and the signatures
        small = {"size": 12, "align": w.LEFT}
        recipients = [(f"{_('Recipients')}:", {**small, "bold": True, "italic": True, "space_before": 24}),
                      (f"- {_('The higher committee')},", small), (f"- {_('Party members of the cell')},", small),
                      (f"- {_('Filed')}.", small)]  # fmt: skip
        signer = [(_("ON BEHALF OF THE CELL"), {"bold": True, "space_before": 24}), (_("SECRETARY"), {})]
        # The recipients' four lines are taller than the signer's title: the name comes less far below them.
        w.signatures(document, [recipients, signer], [[], [(doc["signer"], {"bold": True})]], space=36)
        return document


def word_file_name(resolution):
    """`nghi-quyet-<cell>-05-2026.docx`; a draft has no number yet: its meeting's date and `-du-thao`."""
    from django.utils import timezone

    from chibo import filenames

    day = timezone.localtime(resolution.meeting.starts_at).date()
    return filenames.resolution(resolution.cell, resolution.number, resolution.year, "docx",
                                draft=is_draft(resolution), day=day)  # fmt: skip
