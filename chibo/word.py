"""The Word files Chibo writes (minutes, resolutions) in the party's layout (HD 36): A4 with the PDF's margins,
Times New Roman, the two-column header, Vietnamese as the language of every style. May import nothing of the apps:
the callers hand it plain text."""

from datetime import UTC

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

FONT = "Times New Roman"
LANGUAGE = "vi-VN"
PAGE_MM = (210, 297)  # A4
CENTER, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT
_CONTROL = {code: None for code in range(32) if code not in (9, 10, 13)}


def clean(text):
    """Word files cannot hold control characters (text pasted from elsewhere sometimes has them)."""
    return str(text or "").translate(_CONTROL)


def _fonts(rpr, size_pt=None):
    """Times New Roman for every script, theme fonts (which win over named ones) removed, Vietnamese language."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), FONT)
    # Word refuses a file whose run properties are out of the schema's order: sz and szCs come before lang, and
    # lang after everything these styles hold.
    if size_pt:
        for tag in ("w:sz", "w:szCs"):
            element = rpr.find(qn(tag))
            if element is None:
                element = OxmlElement(tag)
                rpr.append(element)
            element.set(qn("w:val"), str(int(size_pt * 2)))
    language = rpr.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        rpr.append(language)
    language.set(qn("w:val"), LANGUAGE)
    language.set(qn("w:eastAsia"), LANGUAGE)
    language.set(qn("w:bidi"), LANGUAGE)


def new_document(margins_mm, size=14):
    """An empty A4 document: `margins_mm` (top, bottom, left, right) as the PDF's, Times New Roman `size` pt,
    Vietnamese (w:lang) in the document defaults and in every paragraph style, black headings."""
    document = Document()
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(defaults, size)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(size)
    _fonts(normal.element.get_or_add_rPr(), size)
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.line_spacing = 1.15
    for name, points in (("Heading 1", 16), ("Heading 2", 14), ("Heading 3", 14), ("Header", size)):
        style = document.styles[name]
        _fonts(style.element.get_or_add_rPr(), points)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.bold = name != "Header"
    heading = document.styles["Heading 1"].paragraph_format
    heading.space_before, heading.space_after, heading.alignment = Pt(18), Pt(0), CENTER
    for name in ("Heading 2", "Heading 3"):
        document.styles[name].paragraph_format.space_before = Pt(12 if name == "Heading 2" else 8)
        document.styles[name].paragraph_format.space_after = Pt(4 if name == "Heading 2" else 2)
    top, bottom, left, right = margins_mm
    for section in document.sections:
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
        section.left_margin, section.right_margin = Mm(left), Mm(right)
    # The spelling checker and hyphenation of the whole file: Writer and Word read the theme's language too.
    language = document.settings.element.find(qn("w:themeFontLang"))
    if language is None:
        language = OxmlElement("w:themeFontLang")
        document.settings.element.append(language)
    language.set(qn("w:val"), LANGUAGE)
    return document


def text_width(document):
    section = document.sections[0]
    return section.page_width - section.left_margin - section.right_margin


def set_properties(document, *, author, title, subject, now, draft_label=""):
    """Core properties (File ▸ Properties): the cell as author and last editor, created and modified `now`."""
    properties = document.core_properties
    properties.author = properties.last_modified_by = clean(author)[:255]
    properties.title, properties.subject = clean(title)[:255], clean(subject)[:255]
    properties.language = LANGUAGE
    properties.content_status = draft_label
    properties.keywords = properties.comments = ""
    properties.revision = 1
    stamp = now.astimezone(UTC).replace(tzinfo=None, microsecond=0)  # python-docx writes naive datetimes as UTC
    properties.created = properties.modified = stamp


def mark_draft(document, label):
    """The draft mark in the header of every page, bold and centred, so that no page of a draft passes for
    the signed document."""
    for section in document.sections:
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = CENTER
        run = paragraph.add_run(clean(label))
        run.bold = True


def paragraph(container, text="", *, bold=False, italic=False, underline=False, size=None, align=None,
              keep_with_next=False, space_before=None, style=None):  # fmt: skip
    """A paragraph of one run; `container` is the document or a table cell."""
    item = container.add_paragraph(style=style)
    if text:
        run = item.add_run(clean(text))
        run.bold, run.italic, run.underline = bold or None, italic or None, underline or None
        if size:
            run.font.size = Pt(size)
    if align is not None:
        item.alignment = align
    if keep_with_next:
        item.paragraph_format.keep_with_next = True
    if space_before is not None:
        item.paragraph_format.space_before = Pt(space_before)
    return item


def heading(document, text, level):
    """A heading in Word's own heading styles (the navigator and PDF bookmarks list them), kept with what follows."""
    return document.add_paragraph(clean(text), style=f"Heading {level}")


def _cell_paragraph(cell, first):
    """The cell's empty first paragraph for its first line, a new one after."""
    return cell.paragraphs[0] if first else cell.add_paragraph()


def _cant_split(row):
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))


def _repeat_header(row):
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:tblHeader"))


def _widths(table, widths):
    """Column widths in the table grid (what Writer reads) and in every cell (what Word reads)."""
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.w = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def lines_table(document, rows, widths, keep=False):
    """A borderless table: `rows` of cells, each cell a list of lines (text, {bold, italic, underline, size,
    align, space_before}), centred unless told. No row splits across pages; with `keep`, the rows stay together
    on one page (the signatures: the titles and the names)."""
    table = document.add_table(rows=len(rows), cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, widths)
    for number, (row, columns) in enumerate(zip(table.rows, rows, strict=True)):
        _cant_split(row)
        for cell, lines in zip(row.cells, columns, strict=True):
            for index, (text, style) in enumerate(lines):
                item = _cell_paragraph(cell, index == 0)
                item.alignment = style.get("align", CENTER)
                item.paragraph_format.space_after = Pt(0)
                if style.get("space_before"):
                    item.paragraph_format.space_before = Pt(style["space_before"])
                if keep and number < len(rows) - 1:
                    item.paragraph_format.keep_with_next = True  # in a table: this row stays with the next
                if text:
                    run = item.add_run(clean(text))
                    run.bold = style.get("bold") or None
                    run.italic = style.get("italic") or None
                    run.underline = style.get("underline") or None
                    if style.get("size"):
                        run.font.size = Pt(style["size"])
    return table


def party_header(document, left, right):
    """The party document header (HD 36): the committee and the cell on the left, the party and the date line
    on the right, without borders."""
    width = text_width(document)
    left_width = int(width * 0.45)
    return lines_table(document, [[left, right]], [left_width, width - left_width])


def grid_table(document, headers, rows, widths, size=13):
    """A bordered table whose header row repeats on every page and whose rows never split across pages."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    _cant_split(header)
    _repeat_header(header)  # after cantSplit: the schema's order
    for cell, text in zip(header.cells, headers, strict=True):
        run = cell.paragraphs[0].add_run(clean(text))
        run.bold, run.font.size = True, Pt(size)
        cell.paragraphs[0].alignment = CENTER
    for values in rows:
        row = table.add_row()
        _cant_split(row)
        for cell, text in zip(row.cells, values, strict=True):
            cell.paragraphs[0].add_run(clean(text)).font.size = Pt(size)
    _widths(table, widths)
    return table


def assignment_table(document, headers, rows):
    """Who does what by when: task, responsible, deadline."""
    width = text_width(document)
    task, who = int(width * 0.55), int(width * 0.27)
    return grid_table(document, headers, rows, [task, who, width - task - who])


def signatures(document, titles, names, space=60):
    """The signature block: a row of titles (with what stands beside them) and a row of names, the names on one
    line, `space` pt below the tallest title cell for the hand signatures; both rows on one page."""
    width = text_width(document)
    names = [[(lines[0][0], {**lines[0][1], "space_before": space}), *lines[1:]] if lines else [] for lines in names]
    return lines_table(document, [titles, names], [width // 2, width - width // 2], keep=True)
