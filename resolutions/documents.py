"""The issued resolution as a document (PDF and Word), in the party's layout, through the minutes' renderer."""

import hashlib
import json
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
    return hashlib.sha256(json.dumps(content(resolution), sort_keys=True).encode()).hexdigest()


def request_pdf(resolution):
    """Render the PDF after commit, unless the stored one was made from exactly this content."""
    from chibo import pdf

    if resolution.status == Resolution.Status.DRAFT:
        return False
    return pdf.request(resolution, source_hash, "resolutions.tasks.render_resolution_pdf")


def context(resolution):
    doc = content(resolution)
    for item in doc["assignments"]:
        item["deadline_date"] = date.fromisoformat(item["deadline"])
    return {"doc": doc, "day": date.fromisoformat(doc["issued_on"]) if doc["issued_on"] else None}


def render_pdf(resolution):
    from chibo import pdf

    with translation.override("vi"):
        return pdf.render("resolutions/pdf/resolution.html", context(resolution))


def word(resolution):
    """The same document for Word."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from chibo.word import clean

    with translation.override("vi"):
        c = context(resolution)
        doc = c["doc"]
        document = Document()
        document.styles["Normal"].font.name = "Times New Roman"
        document.styles["Normal"].font.size = Pt(14)
        header = document.add_table(rows=1, cols=2)
        left, right = header.rows[0].cells
        left.paragraphs[0].add_run(clean(doc["cell"]["parent"]).upper())
        left.add_paragraph().add_run(clean(doc["cell"]["name"]).upper()).bold = True
        left.add_paragraph(_("No. %(code)s") % {"code": doc["code"]})
        party = right.paragraphs[0].add_run("ĐẢNG CỘNG SẢN VIỆT NAM")
        party.bold = party.underline = True
        if c["day"]:
            day = c["day"]
            right.add_paragraph().add_run(
                f"{clean(doc['cell']['place_name'])}, "
                + _("day %(d)s month %(m)s year %(y)s")
                % {"d": f"{day.day:02d}", "m": f"{day.month:02d}", "y": day.year}
            ).italic = True
        title = document.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.add_run(_("Resolution").upper()).bold = True
        document.add_paragraph(clean(doc["title"])).alignment = WD_ALIGN_PARAGRAPH.CENTER
        for number, heading, key in [("I", _("Purpose and requirements"), "purpose"), ("II", _("Tasks"), "tasks_text"),
                                     ("III", _("Solutions"), "solutions")]:  # fmt: skip
            document.add_paragraph().add_run(f"{number}. {heading}".upper()).bold = True
            document.add_paragraph(clean(doc[key]) or "…")
        document.add_paragraph().add_run(f"IV. {_('Assignments')}".upper()).bold = True
        for item in doc["assignments"]:
            document.add_paragraph(clean(f"- {item['what']} — {item['who']}; {item['deadline_date']:%d/%m/%Y}"))
        document.add_paragraph().add_run(f"V. {_('Checking')}".upper()).bold = True
        document.add_paragraph(clean(doc["checking"]) or "…")
        document.add_paragraph(clean(f"{_('ON BEHALF OF THE CELL')}\n{_('SECRETARY')}\n\n\n{doc['signer']}"))
        return document
