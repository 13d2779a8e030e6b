"""The minutes' step on the month's path of the home page (receiver of `meetings.signals.month_path`, the
minutes' status read with the month's meetings through `month_path_counts`): written, approved at the meeting,
signed and locked; late once the meeting is over by MINUTES_FINAL_DAYS. The same deadline of the final
documents on the meeting's page (receiver of `meetings.signals.page_extras`)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.sql import as_read, one_row
from meetings.home import step

from .models import Minutes


def month_path_counts(sender, today, **kwargs):
    return {"minutes_status": (f"SELECT x.status FROM {Minutes._meta.db_table} x WHERE x.meeting_id = m.id", [])}


def month_path(sender, meeting, today, **kwargs):
    status = meeting.minutes_status  # None: not started
    due = meeting.final_documents_due_on
    return [
        step(
            _("Minutes written, approved and signed"),
            status == Minutes.Status.LOCKED,
            reverse("meetings:minutes", args=[meeting.pk]),
            Minutes.Status(status).label if status else _("Not started"),
            late=today > due,
        )
    ]


def final_documents(meeting, today):
    """The final documents of a held meeting (its signed minutes): due by, signed on, late (domain §2)."""
    # Written out as SQL: Django took longer to build and compile the query than PostgreSQL to run it (issue 17).
    db = Minutes.objects.db
    status, signed_at = one_row(
        f"SELECT x.status, x.signed_at FROM {Minutes._meta.db_table} x WHERE x.meeting_id = %s", [meeting.pk], db
    ) or (None, None)
    signed_at = as_read(Minutes._meta.get_field("signed_at"), db)(signed_at)
    due = meeting.final_documents_due_on
    signed = timezone.localtime(signed_at).date() if signed_at else None
    done = status == Minutes.Status.LOCKED
    return {"due": due, "done": done, "signed": signed, "late": (signed > due) if signed else today > due}


def meeting_page(sender, meeting, **kwargs):
    if meeting.status != meeting.Status.HELD:
        return {}
    return {"final_documents": final_documents(meeting, timezone.localdate())}
