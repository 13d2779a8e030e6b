"""The minutes' work in the workers: rendering the PDF."""

from celery import shared_task


@shared_task(acks_late=True)
def render_minutes_pdf(minutes_id):
    """Render and store the minutes' PDF with its SHA-256, unless the stored one is of the same content."""
    from chibo.pdf import render_and_store

    from . import workflow

    return render_and_store(
        workflow.pdf_records(),
        minutes_id,
        workflow.content,
        workflow.render_pdf,
        lambda record, digest: f"minutes/{record.meeting_id}/bien-ban-{digest[:16]}.pdf",
    )
