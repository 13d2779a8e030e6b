"""The resolutions' work in the workers: rendering the PDF."""

from celery import shared_task


@shared_task(acks_late=True)
def render_resolution_pdf(resolution_id):
    """Render and store an issued resolution's PDF, unless the stored one is of the same content."""
    from chibo.pdf import render_and_store

    from . import documents

    return render_and_store(
        documents.pdf_records(),
        resolution_id,
        documents.content,
        documents.render_pdf,
        lambda record, digest: f"resolutions/{record.cell_id}/{record.year}-{record.number:02d}-{digest[:12]}.pdf",
    )
