"""The meetings' work in the workers: rendering the printed invitations."""

from celery import shared_task


@shared_task(acks_late=True)
def render_invitation_sheet(sheet_id):
    """Render and store the printed invitations, unless the stored PDF is of the same content."""
    from chibo.pdf import render_and_store

    from . import sheets
    from .models import InvitationSheet

    return render_and_store(
        InvitationSheet.objects.select_related("meeting__cell__parent"),
        sheet_id,
        sheets.content,
        sheets.render,
        lambda record, digest: f"invitations/{record.meeting_id}/giay-moi-{digest[:16]}.pdf",
    )
