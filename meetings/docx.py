"""The minutes as a Word document: cells print and file what they edit in Word."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from .minutes import pdf_context


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
    document = Document()
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(14)
    top, bottom, left, right = settings.PDF_MARGINS_MM
    for section in document.sections:
        section.page_height, section.page_width = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
        section.left_margin, section.right_margin = Mm(left), Mm(right)
    header = document.add_table(rows=1, cols=2)
    left_cell, right_cell = header.rows[0].cells
    left_cell.paragraphs[0].add_run((c["parent"].name if c["parent"] else "").upper())
    left_cell.add_paragraph().add_run(c["cell"].name.upper()).bold = True
    left_cell.add_paragraph("*")
    party = right_cell.paragraphs[0].add_run("ĐẢNG CỘNG SẢN VIỆT NAM")
    party.bold, party.underline, party.font.size = True, True, Pt(15)
    day = c["day"]
    dateline = right_cell.add_paragraph().add_run(
        f"{c['cell'].place_name}, "
        + _("day %(d)s month %(m)s year %(y)s") % {"d": f"{day.day:02d}", "m": f"{day.month:02d}", "y": day.year}
    )
    dateline.italic = True
    for cell in (left_cell, right_cell):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, _("Minutes"), 16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, caps=True)
    _paragraph(document, c["subtitle"], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    m, att = c["minutes"], c["att"]
    started, ended = c["started"], c["ended"]
    lines = [
        f"- {_('Place')}: {m.place}",
        f"- {_('Chair')}: {_('comrade')} {m.chair or '…'}" + (f", {m.chair_title}" if m.chair_title else ""),
        f"- {_('Minute-taker')}: {_('comrade')} {m.minute_taker or '…'}",
    ]
    starting = _("starting at %(time)s on %(date)s") % {"time": f"{started:%H:%M}", "date": f"{started:%d/%m/%Y}"}
    document.add_paragraph(f"- {pgettext('minutes', 'Time')}: {starting}")
    for line in lines:
        document.add_paragraph(line)
    if m.guests:
        document.add_paragraph(f"- {_('Guests from higher committees')}: {m.guests}")
    _paragraph(document, "I. " + pgettext("minutes", "Attendance"), bold=True, caps=True)
    document.add_paragraph(
        _(
            "Members on the roll: %(total)s (%(official)s official, %(probationary)s probationary, %(visiting)s here "
            "on temporary activity)."
        )
        % att
    )
    document.add_paragraph(_("Present: %(present)s/%(base)s (%(rate)s%%).") % {**att, "rate": att["rate"] or 0})
    excused = "; ".join(f"{e['name']}: {e['reason']}" for e in att["excused"])
    document.add_paragraph(f"{_('Absent with a reason')}: {len(att['excused'])}" + (f" ({excused})" if excused else ""))
    unexcused = ", ".join(att["unexcused"])
    document.add_paragraph(
        f"{_('Absent without a reason')}: {len(att['unexcused'])}" + (f" ({unexcused})" if unexcused else "")
    )
    _paragraph(document, "II. " + _("Content"), bold=True, caps=True)
    for index, section in enumerate(c["sections"], start=1):
        _paragraph(document, f"{index}. {section.heading}", bold=True)
        document.add_paragraph(section.text or "…")
    _paragraph(document, f"{len(c['sections']) + 1}. {_('Opinions in the discussion')}", bold=True)
    for contribution in c["contributions"]:
        document.add_paragraph(f"- {_('Comrade')} {contribution.member}: {contribution.summary}")
    _paragraph(document, f"{len(c['sections']) + 2}. {_('Praise, reminders and criticism')}", bold=True)
    document.add_paragraph(m.praise_criticism or "…")
    _paragraph(document, "III. " + _("The chair's conclusion"), bold=True, caps=True)
    document.add_paragraph(m.conclusion or "…")
    for task in c["tasks"]:
        deadline = task.deadline.strftime("%d/%m/%Y") if task.deadline else ""
        document.add_paragraph(f"- {task.description} — {task.member or ''} {deadline}".rstrip())
    _paragraph(document, "IV. " + _("Votes"), bold=True, caps=True)
    for vote in c["votes"]:
        result = _("Passed.") if vote.passed else _("Not passed.")
        document.add_paragraph(
            f"{vote.subject}: {vote.get_method_display()}; {vote.votes_for}/{vote.base}; "
            f"{_('against')}: {vote.votes_against}; {_('other opinions')}: {vote.votes_other}. {result}"
        )
    _paragraph(document, "V. " + _("Self-assessment of quality"), bold=True, caps=True)
    if m.quality_total is not None:
        document.add_paragraph(
            _("%(total)s points, graded %(grade)s.") % {"total": m.quality_total, "grade": c["grade"]}
        )
    document.add_paragraph(_("The meeting ended at %(time)s; the minutes were read out and approved by the cell.")
                           % {"time": ended.strftime("%H:%M")})  # fmt: skip
    signatures = document.add_table(rows=1, cols=2)
    signatures.rows[0].cells[0].text = f"{_('MINUTE-TAKER')}\n\n\n\n{m.minute_taker or ''}"
    signatures.rows[0].cells[
        1
    ].text = f"{_('CHAIR')}\n{_('ON BEHALF OF THE CELL')}\n{_('SECRETARY')}\n\n\n{m.chair or ''}"
    for index, addendum in enumerate(c["addenda"], start=1):
        heading = _("Addendum %(n)s, %(d)s") % {"n": index, "d": addendum.signed_at.strftime("%d/%m/%Y")}
        _paragraph(document, heading, bold=True)
        document.add_paragraph(addendum.text)
    return document
