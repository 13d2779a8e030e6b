"""What a meeting's page reads besides the meeting and its cell (`views.meetings.meeting_detail`, and its
replies panel): the chair, the minute-taker and the meeting it prepares, the agenda and documents, the
invitations, the attendance, the messages and the history, each in the order the page shows it.

Written out as SQL, reading only what the page shows: Django took longer to build and compile these queries,
each joined to a member's 23 columns, than PostgreSQL to run them (issue 17). A member comes by their name
alone: as `member_name` (a member's str()) on the rows of a list, as a member read with `full_name` alone for
the chair and the minute-taker. Portable SQL (PostgreSQL, and SQLite for `make run`).
"""

from chibo.sql import as_read, one_row
from members.models import Member, User
from notifications.models import Message

from .models import AgendaItem, Attendance, Document, Invitation, Meeting, MeetingChange

MEMBERS = Member._meta.db_table


def add_people(meeting):
    """Set the chair, the minute-taker (by name) and the meeting it prepares on `meeting`, as select_related
    would: one query, none when it has none of them."""
    chair_id, minute_taker_id, prepares_id = meeting.chair_id, meeting.minute_taker_id, meeting.prepares_id
    meeting.chair = meeting.minute_taker = meeting.prepares = None  # (which sets their ids to None too)
    if chair_id is None and minute_taker_id is None and prepares_id is None:
        return
    meetings, db = Meeting._meta.db_table, Meeting.objects.db
    chair, minute_taker, cell_id, kind, title, starts_at = one_row(
        f"SELECT c.full_name, t.full_name, p.cell_id, p.kind, p.title, p.starts_at FROM {meetings} m"
        f" LEFT JOIN {MEMBERS} c ON c.id = m.chair_id LEFT JOIN {MEMBERS} t ON t.id = m.minute_taker_id"
        f" LEFT JOIN {meetings} p ON p.id = m.prepares_id WHERE m.id = %s",
        [meeting.pk],
        db,
    )
    if chair_id is not None:
        meeting.chair = Member.from_db(db, ["id", "full_name"], [chair_id, chair])
    if minute_taker_id is not None:
        meeting.minute_taker = Member.from_db(db, ["id", "full_name"], [minute_taker_id, minute_taker])
    if prepares_id is not None:
        starts_at = as_read(Meeting._meta.get_field("starts_at"), db)(starts_at)
        fields = ["id", "cell_id", "kind", "title", "starts_at"]
        meeting.prepares = Meeting.from_db(db, fields, [prepares_id, cell_id, kind, title, starts_at])


def agenda(meeting):
    """The agenda items, each with its documents as `attached_documents`, and the documents under no item."""
    items = list(
        AgendaItem.objects.raw(
            f"SELECT a.id, a.section, a.title, a.notes FROM {AgendaItem._meta.db_table} a WHERE a.meeting_id = %s"
            ' ORDER BY a."order", a.id',
            [meeting.pk],
        )
    )
    attached, apart = {}, []
    for document in Document.objects.raw(
        f"SELECT d.id, d.agenda_item_id, d.title, d.uploaded_at FROM {Document._meta.db_table} d"
        " WHERE d.meeting_id = %s ORDER BY d.uploaded_at, d.id",
        [meeting.pk],
    ):
        if document.agenda_item_id is None:
            apart.append(document)
        else:
            attached.setdefault(document.agenda_item_id, []).append(document)
    for item in items:
        item.attached_documents = attached.get(item.pk, [])
    return items, apart


def invitations(meeting):
    return list(
        Invitation.objects.raw(
            f"SELECT i.id, i.member_id, i.expected, i.reply, i.reason, m.full_name AS member_name"
            f" FROM {Invitation._meta.db_table} i JOIN {MEMBERS} m ON m.id = i.member_id WHERE i.meeting_id = %s"
            " ORDER BY m.sort_key",
            [meeting.pk],
        )
    )


def attendances(meeting):
    return list(
        Attendance.objects.raw(
            f"SELECT a.id, a.member_id, a.status, a.reason, a.category, m.full_name AS member_name"
            f" FROM {Attendance._meta.db_table} a JOIN {MEMBERS} m ON m.id = a.member_id WHERE a.meeting_id = %s"
            " ORDER BY m.sort_key",
            [meeting.pk],
        )
    )


def messages(meeting):
    return list(
        Message.objects.raw(
            f"SELECT s.id, s.member_id, s.kind, s.status, s.channel, s.sent_at, s.delivered_at,"
            f" m.full_name AS member_name FROM {Message._meta.db_table} s JOIN {MEMBERS} m ON m.id = s.member_id"
            " WHERE s.meeting_id = %s ORDER BY m.sort_key, s.created_at, s.id",
            [meeting.pk],
        )
    )


def history(meeting, limit=20):
    """The latest changes, newest first, each with who made it (`by`, read with their names alone)."""
    return latest_by_whom(MeetingChange, "meeting_id", meeting.pk, ["action", "detail"], limit)


def latest_by_whom(model, owner, pk, columns, limit):
    """The latest `limit` rows of `model` (a history: `at`, `by`) whose `owner` column is `pk`, newest first,
    with `columns` alone and who made each (`by`, a user read with their names alone, a user's str()): a
    meeting's changes, the minutes' revisions."""
    listed = "".join(f" c.{column}," for column in columns)
    rows = model.objects.raw(
        f"SELECT c.id,{listed} c.by_id, c.at, u.username AS by_username, u.first_name AS by_first_name,"
        f" u.last_name AS by_last_name FROM {model._meta.db_table} c LEFT JOIN {User._meta.db_table} u"
        f" ON u.id = c.by_id WHERE c.{owner} = %s ORDER BY c.at DESC, c.id DESC LIMIT %s",
        [pk, limit],
    )
    rows, db = list(rows), rows.db
    fields = ["id", "username", "first_name", "last_name"]
    for row in rows:
        values = [row.by_id, row.by_username, row.by_first_name, row.by_last_name]
        row.by = User.from_db(db, fields, values) if row.by_id is not None else None
    return rows
