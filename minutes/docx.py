"""The minutes as a Word document: cells print and file what they edit in Word."""

from django.conf import settings
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from chibo.word import clean

from .workflow import pdf_context


def _paragraph(document, text, size=14, bold=False, italic=False, align=None, caps=False):
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text.upper() if caps else text)
    run.font.size, run.bold, run.italic = Pt(size), bold, italic
    if align:
        paragraph.alignment = align
    return paragraph


def minutes_docx(minutes):
    with translation.override("vi"):
        return _build(pdf_context(minutes))


def _build(c):
    doc, att = c["doc"], c["att"]
    document = Document()
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(14)
    top, bottom, left, right = settings.PDF_MARGINS_MM
    for section in document.sections:
        section.page_height, section.page_width = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
        section.left_margin, section.right_margin = Mm(left), Mm(right)
    add = lambda text: document.add_paragraph(clean(text))  # noqa: E731
    header = document.add_table(rows=1, cols=2)
    left_cell, right_cell = header.rows[0].cells
    left_cell.paragraphs[0].add_run(clean(doc["cell"]["parent"]).upper())
    left_cell.add_paragraph().add_run(clean(doc["cell"]["name"]).upper()).bold = True
    left_cell.add_paragraph("*")
    party = right_cell.paragraphs[0].add_run("ĐẢNG CỘNG SẢN VIỆT NAM")
    party.bold, party.underline, party.font.size = True, True, Pt(15)
    day = c["day"]
    dateline = right_cell.add_paragraph().add_run(
        clean(doc["cell"]["place_name"]) + ", "
        + _("day %(d)s month %(m)s year %(y)s") % {"d": f"{day.day:02d}", "m": f"{day.month:02d}", "y": day.year}
    )  # fmt: skip
    dateline.italic = True
    for cell in (left_cell, right_cell):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, _("Minutes"), 16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, caps=True)
    _paragraph(document, c["subtitle"], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    started, ended = c["started"], c["ended"]
    starting = _("starting at %(time)s on %(date)s") % {"time": f"{started:%H:%M}", "date": f"{started:%d/%m/%Y}"}
    add(f"- {pgettext('minutes', 'Time')}: {starting}")
    add(f"- {_('Place')}: {doc['place']}")
    add(
        f"- {_('Chair')}: {_('comrade')} {doc['chair'] or '…'}"
        + (f", {doc['chair_title']}" if doc["chair_title"] else "")
    )
    add(f"- {_('Minute-taker')}: {_('comrade')} {doc['minute_taker'] or '…'}")
    if doc["guests"]:
        add(f"- {_('Guests from higher committees')}: {doc['guests']}")
    _paragraph(document, "I. " + pgettext("minutes", "Attendance"), bold=True, caps=True)
    add(
        _(
            "Members on the roll: %(total)s (%(official)s official, %(probationary)s probationary, %(visiting)s here "
            "on temporary activity)."
        )
        % att
    )
    add(_("Present: %(present)s/%(base)s (%(rate)s%%).") % {**att, "rate": number_format(att["rate"] or 0)})
    excused = "; ".join(f"{e['name']}: {e['reason']}" for e in att["excused"])
    add(f"{_('Absent with a reason')}: {len(att['excused'])}" + (f" ({excused})" if excused else ""))
    unexcused = ", ".join(att["unexcused"])
    add(f"{_('Absent without a reason')}: {len(att['unexcused'])}" + (f" ({unexcused})" if unexcused else ""))
    _paragraph(document, "II. " + _("Content"), bold=True, caps=True)
    for index, section in enumerate(doc["sections"], start=1):
        _paragraph(document, clean(f"{index}. {section['heading']}"), bold=True)
        add(section["text"] or "…")
    _paragraph(document, f"{len(doc['sections']) + 1}. {_('Opinions in the discussion')}", bold=True)
    for contribution in doc["contributions"]:
        add(f"- {_('Comrade')} {contribution['member']}: {contribution['summary']}")
    _paragraph(document, f"{len(doc['sections']) + 2}. {_('Praise, reminders and criticism')}", bold=True)
    add(doc["praise_criticism"] or "…")
    _paragraph(document, "III. " + _("The chair's conclusion"), bold=True, caps=True)
    add(doc["conclusion"] or "…")
    for task in doc["tasks"]:
        deadline = f"{task['deadline_date']:%d/%m/%Y}" if task["deadline_date"] else ""
        add(f"- {task['what']} — {task['who']} {deadline}".rstrip())
    _paragraph(document, "IV. " + _("Votes"), bold=True, caps=True)
    for vote in doc["votes"]:
        result = _("Passed.") if vote["passed"] else _("Not passed.")
        add(f"{vote['subject']}: {vote['method_label']}; {vote['for']}/{vote['base']}; {_('against')}: "
            f"{vote['against']}; {_('other opinions')}: {vote['other']}. {result}")  # fmt: skip
    _paragraph(document, "V. " + _("Self-assessment of quality"), bold=True, caps=True)
    if c["quality_total"]:
        add(_("%(total)s points, graded %(grade)s.") % {"total": number_format(c["quality_total"], 1),
                                                        "grade": c["grade"]})  # fmt: skip
    add(_("The meeting ended at %(time)s; the minutes were read out and approved by the cell.")
        % {"time": ended.strftime("%H:%M")})  # fmt: skip
    signatures = document.add_table(rows=1, cols=2)
    signatures.rows[0].cells[0].text = clean(f"{_('MINUTE-TAKER')}\n\n\n\n{doc['minute_taker']}")
    signatures.rows[0].cells[1].text = clean(
        f"{_('CHAIR')}\n{_('ON BEHALF OF THE CELL')}\n{_('SECRETARY')}\n\n\n{doc['chair']}"
    )
    for index, addendum in enumerate(doc["addenda"], start=1):
        heading = _("Addendum %(n)s, %(d)s") % {"n": index, "d": addendum["signed_at"].strftime("%d/%m/%Y")}
        _paragraph(document, heading, bold=True)
        add(addendum["text"])
    return document
