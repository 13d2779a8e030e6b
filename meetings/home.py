"""What the home page shows of meetings (receiver of `members.signals.home_page`).

- For a member: their next meeting with the two reply buttons (or the answer given), the documents to read
  before it, the other invitations still waiting for a reply, and this year's attendance in one line.
- For those who run the cell's meetings: this month's path through the preparation steps (domain §2: the
  committee meets, content and documents at least a day before, invitations and replies, attendance), then the
  steps of the apps built on meetings (`signals.month_path`: minutes, resolution, tasks), each a link to the
  page that does it, and the cell's warnings.

Each part reads a fixed number of rows, whatever the size of the cell or its history: the month's path reads
the month's meetings with what all its steps count in one query (written out as SQL, see `month_meetings`).
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import IntegerField, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from chibo.sql import as_read, one_row

from .links import still_convened
from .models import AgendaItem, Attendance, Document, Invitation, Meeting, month_bounds
from .signals import month_path, month_path_columns
from .warnings import cell_warnings

# Silent members named on the path; the reach page lists them all.
SILENT_SHOWN = 5


def home_page(sender, access, member, today, **kwargs):
    if member is None:
        return {}
    sections = {"meetings_member": member_section(member, today)}
    if access.can_manage_meetings(member.cell):
        sections["meetings_path"] = path_section(member.cell, today)
    return sections


def member_section(member, today):
    """Written out as SQL, as the month's path is (`month_meetings`): Django took five times longer to build
    and compile these queries than PostgreSQL to run them (issue 17)."""
    meetings, invitations = Meeting._meta.db_table, Invitation._meta.db_table
    # Their invitations to the meetings not called off from three hours ago (one under way): the meetings'
    # rows, each with the invitation's.
    rows = Meeting.objects.raw(
        f"SELECT m.*, i.id AS invitation_id, i.reply AS invitation_reply, i.reason AS invitation_reason"
        f" FROM {invitations} i JOIN {meetings} m ON m.id = i.meeting_id"
        " WHERE i.member_id = %s AND m.starts_at >= %s AND m.status NOT IN (%s, %s)"
        " ORDER BY m.starts_at, m.id LIMIT 20",
        [member.pk, timezone.now() - timedelta(hours=3), Meeting.Status.CANCELLED, Meeting.Status.POSTPONED],
    )
    invitations = []
    for meeting in rows:
        if still_convened(member, meeting):
            values = [meeting.invitation_id, meeting.pk, member.pk, meeting.invitation_reply, meeting.invitation_reason]
            invitation = Invitation.from_db(rows.db, ["id", "meeting_id", "member_id", "reply", "reason"], values)
            invitation.meeting, invitation.member = meeting, member
            invitations.append(invitation)
    upcoming = invitations[0] if invitations else None
    documents = []
    if upcoming:
        documents = list(
            Document.objects.raw(
                f"SELECT d.id, d.title FROM {Document._meta.db_table} d WHERE d.meeting_id = %s ORDER BY d.id",
                [upcoming.meeting.pk],
            )
        )
    # This year's meetings they were recorded at, and present (or late).
    start, end = month_bounds(today.year, 1)[0], month_bounds(today.year + 1, 1)[0]
    held, present = one_row(
        f"SELECT COUNT(*), COUNT(CASE WHEN a.status IN (%s, %s) THEN 1 END) FROM {Attendance._meta.db_table} a"
        f" JOIN {meetings} m ON m.id = a.meeting_id WHERE a.member_id = %s AND m.starts_at >= %s AND m.starts_at < %s",
        [Attendance.Status.PRESENT, Attendance.Status.LATE, member.pk, start, end],
        Attendance.objects.db,
    )
    return {
        "order": 10,
        "template": "meetings/home_member.html",
        "upcoming": upcoming,
        "documents": documents,
        "waiting": [i for i in invitations[1:] if i.reply == Invitation.Reply.NONE and i.meeting.is_open],
        "year": today.year,
        "held": held,
        "present": present,
    }


class Rows(Subquery):
    """How many rows a queryset filtered on the outer row (`OuterRef`) has: a scalar subquery."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()

    def __init__(self, queryset, **extra):
        # Counted rows need no order: without it the models' default ordering is neither compiled (a good part of
        # the month's path's cost in Python) nor sorted by the database.
        super().__init__(queryset.order_by(), **extra)


def month_meetings(cell, today):
    """This month's meetings of the cell, not called off, in order (a handful), each with what the preparation
    steps count (invitations and replies, documents and the first one's upload, agenda items) and what the
    steps of the apps built on meetings count (`signals.month_path_counts`).

    Written out as SQL, the apps' counts given as SQL too: Django took four times longer to build and compile
    the query of ten subqueries than PostgreSQL to run it (issue 17). Portable SQL (PostgreSQL, and SQLite for
    `make run`)."""
    invitations, documents = Invitation._meta.db_table, Document._meta.db_table
    counts = {
        "invited": (f"SELECT COUNT(*) FROM {invitations} i WHERE i.meeting_id = m.id", []),
        "replied": (
            f"SELECT COUNT(*) FROM {invitations} i WHERE i.meeting_id = m.id AND i.reply <> %s",
            [Invitation.Reply.NONE],
        ),
        "document_count": (f"SELECT COUNT(*) FROM {documents} d WHERE d.meeting_id = m.id", []),
        "first_document": (f"SELECT MIN(d.uploaded_at) FROM {documents} d WHERE d.meeting_id = m.id", []),
        "agenda": (f"SELECT COUNT(*) FROM {AgendaItem._meta.db_table} a WHERE a.meeting_id = m.id", []),
        **month_path_columns(today),
    }
    columns = ", ".join(f"({sql}) AS {name}" for name, (sql, _params) in counts.items())
    start, end = month_bounds(today.year, today.month)
    meetings = Meeting.objects.raw(
        f"SELECT m.*, {columns} FROM {Meeting._meta.db_table} m"
        " WHERE m.cell_id = %s AND m.status <> %s AND m.starts_at >= %s AND m.starts_at < %s"
        " ORDER BY m.starts_at, m.id",
        [*(p for _sql, params in counts.values() for p in params), cell.pk, Meeting.Status.CANCELLED, start, end],
    )
    uploaded_at = as_read(Document._meta.get_field("uploaded_at"), meetings.db)
    meetings = list(meetings)
    for meeting in meetings:
        meeting.first_document = uploaded_at(meeting.first_document)
    return meetings


def step(label, done, url, detail="", late=False):
    return {"label": label, "done": done, "url": url, "detail": detail, "late": late and not done}


def path_section(cell, today):
    meetings = month_meetings(cell, today)
    # This month's regular meeting (the first, if several), and the committee's last meeting before it.
    meeting = next((m for m in meetings if m.kind == Meeting.Kind.REGULAR), None)
    section = {"order": 5, "template": "meetings/home_path.html", "cell": cell, "meeting": meeting,
               "warnings": cell_warnings(cell, today)}  # fmt: skip
    if meeting is None:
        section["steps"] = [
            step(_("Plan this month's regular meeting"), False, reverse("meetings:create", args=[cell.pk]), late=True)
        ]
        return section
    meeting.cell = cell
    committee = next(
        (m for m in reversed(meetings) if m.kind == Meeting.Kind.COMMITTEE and m.starts_at < meeting.starts_at), None
    )
    now = timezone.now()
    section["steps"] = [*preparation_steps(meeting, committee, now), *month_path_steps(meeting, today)]
    return section


def preparation_steps(meeting, committee, now):
    """The steps before the meeting, from the figures `month_meetings` brought along with it."""
    replies = {"invited": meeting.invited, "replied": meeting.replied}
    agenda, documents = meeting.agenda, meeting.document_count
    day_before = meeting.documents_due_at  # DOCUMENTS_DAYS_BEFORE days before
    days = settings.DOCUMENTS_DAYS_BEFORE
    started = now >= meeting.starts_at
    steps = [
        step(
            _("The cell committee meets to prepare it"),
            committee is not None and (committee.status == Meeting.Status.HELD or committee.starts_at <= now),
            committee.get_absolute_url() if committee else reverse("meetings:create", args=[meeting.cell_id]),
            date_format(timezone.localtime(committee.starts_at), "H:i d/m/Y") if committee else "",
            late=now >= meeting.starts_at - timedelta(days=2),
        ),
        step(
            _("Agenda and documents, at least a day before")
            if days == 1
            else _("Agenda and documents, at least %(days)s days before") % {"days": days},
            bool(agenda) and bool(documents) and meeting.first_document <= day_before,
            reverse("meetings:agenda", args=[meeting.pk]),
            _("%(items)s items, %(documents)s documents") % {"items": agenda, "documents": documents},
            late=now >= day_before,
        ),
        step(
            _("Invitations sent, replies received"),
            meeting.invited_at is not None and replies["replied"] == replies["invited"],
            reverse("meetings:reach", args=[meeting.pk]) if meeting.invited_at else meeting.get_absolute_url(),
            _("%(replied)s of %(invited)s replied") % replies if meeting.invited_at else _("Not sent yet"),
            late=meeting.invited_at is None and now >= meeting.starts_at - timedelta(days=3),
        ),
    ]
    # Who has not replied yet, named while some have not (one more query then).
    silent = []
    if meeting.invited_at and meeting.replied < meeting.invited:
        silent = list(
            meeting.invitations.filter(reply=Invitation.Reply.NONE)
            .order_by("member__sort_key")
            .values_list("member__full_name", flat=True)[: SILENT_SHOWN + 1]
        )
    if silent:
        names = ", ".join(silent[:SILENT_SHOWN]) + ("…" if len(silent) > SILENT_SHOWN else "")
        steps[-1]["silent"] = names
    steps.append(
        step(
            _("Attendance recorded"),
            meeting.attendance_recorded_at is not None,
            reverse("meetings:attendance", args=[meeting.pk]),
            "" if started else date_format(timezone.localtime(meeting.starts_at), "H:i d/m/Y"),
            late=now >= meeting.ends_at,
        )
    )
    return steps


def month_path_steps(meeting, today):
    """The steps the apps built on meetings add after the meeting (minutes, resolution, tasks)."""
    steps = []
    for _receiver, answer in month_path.send(sender=type(meeting), meeting=meeting, today=today):
        steps.extend(answer or [])
    return steps
