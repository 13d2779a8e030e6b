"""PDF rendering with WeasyPrint, shared by minutes and resolutions.

The fonts are shipped in static/fonts/ (Liberation Serif: Times New Roman's metrics, full Vietnamese), so a
PDF never depends on the fonts installed on the server. Pages are A4 with the margins of PDF_MARGINS_MM.
"""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

FONTS = Path(settings.BASE_DIR) / "static" / "fonts"


def font_faces():
    faces = []
    for weight, style, name in [
        ("normal", "normal", "Regular"),
        ("bold", "normal", "Bold"),
        ("normal", "italic", "Italic"),
        ("bold", "italic", "BoldItalic"),
    ]:
        url = (FONTS / f"LiberationSerif-{name}.ttf").as_uri()
        faces.append(
            f'@font-face {{ font-family: "Chibo Serif"; src: url("{url}"); font-weight: {weight}; '
            f"font-style: {style}; }}"
        )
    return "\n".join(faces)


def render(template_name, context, landscape=False):
    """Render a template under templates/pdf/ to PDF bytes (A4, upright unless `landscape`)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    top, bottom, left, right = settings.PDF_MARGINS_MM
    size = "A4 landscape" if landscape else "A4"
    page_css = f"@page {{ size: {size}; margin: {top}mm {right}mm {bottom}mm {left}mm; }}\n" + font_faces()
    html = render_to_string(template_name, context)
    fonts = FontConfiguration()
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(string=page_css, font_config=fonts)], font_config=fonts
    )


def is_current(record, source):
    """Whether the record's stored PDF has this content and is still in storage (a file lost from the disk,
    or a storage restored from an older backup, must be rendered again)."""
    return (
        bool(record.pdf)
        and record.pdf_source == source
        and record.pdf_status == "ready"
        and record.pdf.storage.exists(record.pdf.name)
    )


def request(record, source_hash, task):
    """Queue `task` to render the record's PDF after commit, unless the stored one has this very content."""
    from . import dispatch

    if is_current(record, source_hash(record)):
        return False
    type(record).objects.filter(pk=record.pk).update(pdf_status="pending")
    record.pdf_status = "pending"
    dispatch.send_after_commit(task, record.pk)
    return True


def render_and_store(queryset, pk, source_hash, render, filename):
    """Render a record's PDF and store it with its SHA-256, unless the stored one has the same source.

    The record needs the fields `pdf`, `pdf_sha256`, `pdf_source` and `pdf_status` (ready, failed).
    `source_hash(record)` names the content; a record changed while its PDF was rendering keeps waiting for
    the render that change queued, and this one is thrown away. Returns what happened, for the logs.
    """
    import hashlib
    import logging

    from django.core.files.base import ContentFile
    from django.db import transaction

    record = queryset.filter(pk=pk).first()
    if record is None:
        return "gone"
    source = source_hash(record)
    if is_current(record, source):
        return "unchanged"
    try:
        content = render(record)
    except Exception:  # WeasyPrint or a template: shown to the users, logged for the operator
        logging.getLogger(__name__).exception("%s %s: rendering the PDF failed", queryset.model.__name__, pk)
        queryset.model.objects.filter(pk=pk).update(pdf_status="failed")
        return "failed"
    digest = hashlib.sha256(content).hexdigest()
    storage = record.pdf.storage
    name = storage.save(filename(record, digest), ContentFile(content))
    with transaction.atomic():
        current = queryset.select_for_update(of=("self",)).filter(pk=pk).first()
        if current is None or source_hash(current) != source:
            storage.delete(name)
            return "outdated"
        old = current.pdf.name if current.pdf else None
        queryset.model.objects.filter(pk=pk).update(pdf=name, pdf_sha256=digest, pdf_source=source, pdf_status="ready")
    if old and old != name:
        storage.delete(old)
    return "rendered"
