"""PDF rendering with WeasyPrint, shared by minutes, resolutions, invitations, reports and the minutes book.

The fonts are shipped in static/fonts/ (Liberation Serif: Times New Roman's metrics, full Vietnamese), so a
PDF never depends on the fonts installed on the server; WeasyPrint embeds the glyphs used. Pages are A4 with
the margins of PDF_MARGINS_MM; the page number (from page 2) and the document's metadata (title, author,
subject, language) come from the templates, see templates/pdf/_base.html.

The party's documents kept for the long term, minutes and resolutions (`ARCHIVED`), are PDF/A-3b and tagged.
"""

import atexit
import os
import shutil
import threading
import weakref
from pathlib import Path
from urllib.parse import unquote, urlsplit

from celery.signals import worker_process_shutdown
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

FONTS = Path(settings.BASE_DIR) / "static" / "fonts"

# Minutes and resolutions are archived for the long term (HD 12 §II.3.3): PDF/A, with WeasyPrint's tags.
ARCHIVED = {"minutes/pdf/minutes.html", "resolutions/pdf/resolution.html"}
PDF_VARIANT = "pdf/a-3b"

# One font configuration per thread, made for its first document, and a page stylesheet per layout that loaded
# the shipped fonts into it: building a configuration loads the fontconfig configuration and the system's
# fonts, a third of a small document's rendering time. A Celery worker process (prefork) and a gunicorn worker
# (sync) render in their one thread: once per process, whatever the layouts. Per thread, because a Pango font
# map must not be shared between threads.
_local = threading.local()
_configurations = weakref.WeakSet()


@atexit.register
def _remove_font_copies(**_signal):
    """WeasyPrint copies the fonts into a temporary folder per configuration and removes it when the
    configuration is collected, which at interpreter exit comes too late (its `rmtree` is gone by then).
    A Celery pool process leaves with os._exit, past atexit: its shutdown signal does it there."""
    for fonts in list(_configurations):
        if fonts._folder:
            shutil.rmtree(fonts._folder, ignore_errors=True)
            fonts._folder = None


worker_process_shutdown.connect(_remove_font_copies, weak=False)


def shipped_files_fetcher():
    """WeasyPrint's url_fetcher, one per thread: only the files shipped under static/ (the fonts) and inline
    data (the QR codes). A document never reads another local file or the network, whatever a template
    comes to hold."""
    if getattr(_local, "fetcher", None) is None:
        from weasyprint.urls import URLFetcher

        static = Path(settings.BASE_DIR, "static").resolve()

        class ShippedFiles(URLFetcher):
            def fetch(self, url, headers=None):
                parts = urlsplit(url)
                shipped = parts.scheme == "file" and Path(unquote(parts.path)).resolve().is_relative_to(static)
                if parts.scheme != "data" and not shipped:
                    raise ValueError(f"Chibo's PDFs load only their own fonts and inline data, not {url[:80]}")
                return super().fetch(url, headers)

        _local.fetcher = ShippedFiles(allowed_protocols={"file", "data"})
    return _local.fetcher


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


def _page_style(landscape):
    """The thread's font configuration and the page stylesheet of this layout, which loaded the fonts into it."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = getattr(_local, "fonts", None)
    if fonts is None or not os.path.isdir(fonts._folder or ""):
        # The thread's first document, or its copies of the fonts were removed (a tmp cleaner): a fresh one.
        fonts = _local.fonts = FontConfiguration()
        _configurations.add(fonts)
        _local.styles = {}
    top, bottom, left, right = settings.PDF_MARGINS_MM
    size = "A4 landscape" if landscape else "A4"
    page_css = f"@page {{ size: {size}; margin: {top}mm {right}mm {bottom}mm {left}mm; }}\n" + font_faces()
    if page_css not in _local.styles:
        _local.styles[page_css] = CSS(string=page_css, font_config=fonts, url_fetcher=shipped_files_fetcher())
    return fonts, _local.styles[page_css]


def render_html(html, landscape=False, archival=False):
    """PDF bytes of an HTML document (A4, upright unless `landscape`; PDF/A and tagged if `archival`)."""
    from weasyprint import HTML

    fonts, page_css = _page_style(landscape)
    options = {"pdf_variant": PDF_VARIANT, "pdf_tags": True} if archival else {}
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=shipped_files_fetcher()).write_pdf(
        stylesheets=[page_css], font_config=fonts, **options
    )


def render(template_name, context, landscape=False, archival=None):
    """Render a PDF template (A4, upright unless `landscape`) to PDF bytes; the templates in `ARCHIVED` as PDF/A."""
    archival = template_name in ARCHIVED if archival is None else archival
    return render_html(render_to_string(template_name, context), landscape=landscape, archival=archival)


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
    changes = {"pdf_status": "pending"}
    if any(field.name == "pdf_requested_at" for field in type(record)._meta.concrete_fields):
        changes["pdf_requested_at"] = timezone.now()
    type(record).objects.filter(pk=record.pk).update(**changes)
    record.pdf_status = "pending"
    dispatch.send_after_commit(task, record.pk)
    return True


def digest(content):
    """The SHA-256 that names a document's content (its `pdf_source`): the plain data, as JSON with sorted keys."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def render_and_store(queryset, pk, content, render, filename):
    """Render a record's PDF and store it with its SHA-256, unless the stored one has the same source.

    The record needs the fields `pdf`, `pdf_sha256`, `pdf_source` and `pdf_status` (ready, failed).
    `content(record)` is what the document says, as plain data, named by its `digest`; `render(record, content)`
    makes the PDF of that same content, so that it is read from the database once, not once for the hash and
    again for the document. A record changed while its PDF was rendering keeps waiting for the render that
    change queued, and this one is thrown away. Returns what happened, for the logs.
    """
    import hashlib
    import logging

    from django.core.files.base import ContentFile
    from django.db import transaction

    record = queryset.filter(pk=pk).first()
    if record is None:
        return "gone"
    document = content(record)
    source = digest(document)
    if is_current(record, source):
        return "unchanged"
    try:
        rendered = render(record, document)
    except Exception:  # WeasyPrint or a template: shown to the users, logged for the operator
        logging.getLogger(__name__).exception("%s %s: rendering the PDF failed", queryset.model.__name__, pk)
        queryset.model.objects.filter(pk=pk).update(pdf_status="failed")
        return "failed"
    sha256 = hashlib.sha256(rendered).hexdigest()
    storage = record.pdf.storage
    name = storage.save(filename(record, sha256), ContentFile(rendered))
    with transaction.atomic():
        current = queryset.select_for_update(of=("self",)).filter(pk=pk).first()
        if current is None or digest(content(current)) != source:
            storage.delete(name)
            return "outdated"
        old = current.pdf.name if current.pdf else None
        queryset.model.objects.filter(pk=pk).update(pdf=name, pdf_sha256=sha256, pdf_source=source, pdf_status="ready")
    if old and old != name:
        storage.delete(old)
    return "rendered"
