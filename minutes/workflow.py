"""The minutes workflow: start, save a draft (refusing a save made from an older version), approve, sign and
lock, add an addendum; the attendance block and vote base; what the PDF and the search are made from.

Everything the minutes say is gathered by `snapshot` as plain data. Signing stores that snapshot in
`Minutes.frozen`: locked minutes are shown, exported and rendered from it, so renaming a member or a cell
later never rewrites signed minutes.
"""

import copy
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo import sql
from chibo.rows import prefetched
from meetings import signals as meeting_signals
from meetings.models import Attendance, Meeting, MeetingChange, attendance_summary, counted_categories
from meetings.services import roll_on_the_day
from members.models import Member
from members.names import fold

from . import signals
from .models import Addendum, Contribution, Minutes, MinutesRevision, MinutesSection, MinutesTask, Vote
from .votes import meeting_vote_base, passes, vote_base

_UNREAD = object()


class MinutesError(Exception):
    """A refused change, with a message for the user."""


class Conflict(MinutesError):
    """Someone saved the minutes since this editor opened them."""

    def __init__(self, current):
        super().__init__(_("Someone else saved these minutes while you were editing. Compare, then save again."))
        self.current = current


@transaction.atomic
def start(meeting, by=None):
    """The minutes of a meeting, created from the meeting and its agenda the first time.

    Two editors pressing "Write the minutes" at once both end on the one minutes: the meeting's row is locked
    first, so the second waits for the first to commit and then finds its minutes (it used to hit the unique
    constraint and answer 500)."""
    planned = Meeting.objects.select_for_update().get(pk=meeting.pk)
    existing = Minutes.objects.filter(meeting=meeting).first()
    if existing:
        return existing
    if planned.status == Meeting.Status.CANCELLED:
        raise MinutesError(_("A cancelled meeting has no minutes."))
    minutes = Minutes.objects.create(
        meeting=meeting,
        started_at=planned.starts_at,
        ended_at=planned.ends_at,
        place=planned.place,
        chair_id=planned.chair_id,
        minute_taker_id=planned.minute_taker_id,
        updated_by=by,
    )
    body = list(meeting.agenda_items.filter(section="body"))
    sections = [MinutesSection(minutes=minutes, order=index + 1, heading=item.title) for index, item in enumerate(body)]
    signals.sections_drafted.send(sender=Minutes, meeting=meeting, sections=sections)
    MinutesSection.objects.bulk_create(sections)
    _revision(minutes, "created", by)
    return minutes


def attendance_block(minutes):
    """Section I: the whole roll on the meeting's day by category (exempt and away members counted whether or
    not they were marked, domain §3), present with percentage, excused with reasons, unexcused by name."""
    if minutes.is_locked and minutes.frozen:
        return minutes.frozen["attendance"]
    roll = roll_on_the_day(minutes.meeting)  # by the members' sort key
    summary = attendance_summary(roll)
    counted = counted_categories()  # exempt and away members are reported by their own counts
    base = vote_base([a for a in roll if a.pk])  # what was recorded, as `meeting_vote_base` counts it
    categories = summary["by_category"]
    return {
        "total": summary["total"],
        "official": sum(1 for a in roll if a.official and a.category != Attendance.Category.VISITING),
        "probationary": sum(1 for a in roll if not a.official and a.category != Attendance.Category.VISITING),
        "visiting": categories[Attendance.Category.VISITING],
        "exempt": categories[Attendance.Category.EXEMPT],
        "away": categories[Attendance.Category.AWAY],
        "special_duty": categories[Attendance.Category.SPECIAL_DUTY],
        "prosecuted": categories[Attendance.Category.PROSECUTED],
        "base": summary["base"],
        "present": summary["present"],
        "late": summary["late"],
        "rate": summary["rate"],
        "excused": [
            {"name": a.member.full_name, "reason": a.reason} for a in summary["excused"] if a.category in counted
        ],
        "unexcused": [a.member.full_name for a in summary["unexcused"] if a.category in counted],
        "vote_base": base["base"],
        "voters": base["voters"],
        "can_pass": base["can_pass"],
    }


# The parts of the minutes, each in its model's order, in one query written out: Django took longer to build
# and compile four queries than the database took to run them (issue 17). Each row is (part, order, deadline,
# id), then two texts, a date, four numbers and a yes/no, each part filling what it has (one type a column).
PARTS_SQL = {
    # The first part names the columns' types: PostgreSQL takes a NULL no part has typed yet as text.
    "sections": f"""SELECT 0, s."order", CAST(NULL AS DATE), s.id, s.heading, s.text, CAST(NULL AS DATE),
                           CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), CAST(NULL AS INTEGER),
                           CAST(NULL AS BOOLEAN)
                      FROM {MinutesSection._meta.db_table} s WHERE s.minutes_id = %s""",
    "contributions": f"""SELECT 1, c."order", NULL, c.id, m.full_name, c.summary, NULL, NULL, NULL, NULL, NULL, NULL
                          FROM {Contribution._meta.db_table} c JOIN {Member._meta.db_table} m ON m.id = c.member_id
                         WHERE c.minutes_id = %s""",
    "tasks": f"""SELECT 2, NULL, t.deadline, t.id, m.full_name, t.description, t.deadline, NULL, NULL, NULL, NULL, NULL
                  FROM {MinutesTask._meta.db_table} t LEFT JOIN {Member._meta.db_table} m ON m.id = t.member_id
                 WHERE t.minutes_id = %s""",
    "votes": f"""SELECT 3, v."order", NULL, v.id, v.subject, v.method, NULL, v.votes_for, v.votes_against,
                        v.votes_other, v.base, v.passed
                   FROM {Vote._meta.db_table} v WHERE v.minutes_id = %s""",
}
PARTS = list(PARTS_SQL)


def _parts(minutes):
    """{"sections": [(heading, text)], "contributions": [(speaker's name, summary)], "tasks": [(who, what,
    deadline)], "votes": [(subject, method, for, against, other, base, passed)]}, each in its model's order
    (`Meta.ordering`, nulls where each database puts them). The speakers come from the contributions the caller
    read with their members (the minutes page reads them for the draft's quality too) when it did."""
    speakers = prefetched(minutes, "contributions")
    names = [name for name in PARTS if name != "contributions" or speakers is None]
    using = Minutes.objects.db
    found = sql.rows(
        " UNION ALL ".join(PARTS_SQL[name] for name in names) + " ORDER BY 1, 2, 3, 4", [minutes.pk] * len(names), using
    )
    deadline = sql.as_read(MinutesTask._meta.get_field("deadline"), using)
    passed = sql.as_read(Vote._meta.get_field("passed"), using)
    parts = {name: [] for name in PARTS}
    for part, _order, _deadline, _pk, text, other_text, day, *numbers, yes in found:
        name = PARTS[part]
        if name == "tasks":
            parts[name].append((text, other_text, deadline(day)))
        elif name == "votes":
            parts[name].append((text, other_text, *numbers, passed(yes)))
        else:
            parts[name].append((text, other_text))
    if speakers is not None:
        parts["contributions"] = [(c.member.full_name, c.summary) for c in speakers]
    return parts


def snapshot(minutes):
    """Everything the minutes say, as plain data: for revisions, the PDF, the Word file, the diff, the freeze."""
    meeting, cell = minutes.meeting, minutes.meeting.cell
    parts = _parts(minutes)
    return {
        "cell": {"name": cell.name, "place_name": cell.place_name, "parent": cell.parent.name if cell.parent else ""},
        "kind": meeting.kind,
        "title": str(meeting.display_title),
        "started_at": (minutes.started_at or meeting.starts_at).isoformat(),
        "ended_at": (minutes.ended_at or meeting.ends_at).isoformat(),
        "place": minutes.place,
        "chair": _named(minutes, "chair"),
        "chair_title": minutes.chair_title,
        "minute_taker": _named(minutes, "minute_taker"),
        "guests": minutes.guests,
        "sections": [{"heading": heading, "text": text} for heading, text in parts["sections"]],
        # The speakers' and the tasks' people by their names alone (a member's str()), read with their rows.
        "contributions": [{"member": name, "summary": summary} for name, summary in parts["contributions"]],
        "praise_criticism": minutes.praise_criticism,
        "conclusion": minutes.conclusion,
        "tasks": [
            {"who": who or "", "what": what, "deadline": deadline.isoformat() if deadline else ""}
            for who, what, deadline in parts["tasks"]
        ],
        "votes": [
            {
                "subject": subject,
                "method": method,
                "for": votes_for,
                "against": against,
                "other": other,
                "base": base,
                "passed": passed,
            }
            for subject, method, votes_for, against, other, base, passed in parts["votes"]
        ],
        "quality": {
            "scores": minutes.quality_scores,
            "total": str(minutes.quality_total) if minutes.quality_total is not None else "",
            "grade": minutes.quality_grade,
        },
        "attendance": attendance_block(minutes),
        "status": minutes.status,
        "opening": meeting_signals.opening_paragraphs(meeting),
    }


def _named(minutes, person):
    """The chair or the minute-taker by name (a member's str()): read with the record by `pdf_records`, else
    from the member's row."""
    name = getattr(minutes, f"{person}_name", _UNREAD)
    return str(getattr(minutes, person) or "") if name is _UNREAD else name or ""


def content(minutes):
    """What the minutes say now: the frozen record once signed, else the live one; addenda always.

    A deep copy of the frozen record: whatever a reader does with the answer never reaches `Minutes.frozen`
    (a page that decorated it once made the hash of signed minutes differ from their PDF's for good)."""
    data = copy.deepcopy(minutes.frozen) if minutes.is_locked and minutes.frozen else snapshot(minutes)
    # Only locked minutes take addenda (`add_addendum`): the others have none to read.
    addenda = minutes.addenda.select_related("signed_by") if minutes.is_locked else []
    data["addenda"] = [{"text": a.text, "by": str(a.signed_by), "at": a.signed_at.isoformat()} for a in addenda]
    return data


def source_hash(minutes):
    from chibo import pdf

    return pdf.digest(content(minutes))


def _revision(minutes, action, by):
    MinutesRevision.objects.create(minutes=minutes, version=minutes.version, action=action, by=by,
                                   snapshot=snapshot(minutes))  # fmt: skip


def _search_text(minutes):
    parts = [minutes.guests, minutes.praise_criticism, minutes.conclusion]
    parts += [f"{s.heading} {s.text}" for s in minutes.sections.all()]
    parts += [f"{c.member} {c.summary}" for c in minutes.contributions.all()]
    parts += [t.description for t in minutes.tasks.all()] + [v.subject for v in minutes.votes.all()]
    return fold(" ".join(p for p in parts if p))


def lock_for_edit(minutes, version):
    """Lock the row and check that the editor saw the latest version; raises Conflict otherwise."""
    current = Minutes.objects.select_for_update(of=("self",)).select_related("meeting__cell__parent").get(pk=minutes.pk)
    if not current.is_editable:
        raise MinutesError(_("These minutes are no longer a draft and cannot be changed."))
    if current.version != version:
        raise Conflict(snapshot(current))
    return current


def recompute(minutes):
    """Votes and computed quality scores follow the attendance as it is now (it may have been corrected)."""
    from . import quality

    base = meeting_vote_base(minutes.meeting)
    for item in minutes.votes.all():
        passed = passes(item.votes_for, base["base"])
        if (item.base, item.passed) != (base["base"], passed):
            item.base, item.passed = base["base"], passed
            item.save(update_fields=["base", "passed"])
    entered = {k: v for k, v in (minutes.quality_scores or {}).items() if k in quality.ENTERED and v is not None}
    scores, total, grade = quality.assess(minutes, entered)
    minutes.quality_scores = {k: (str(v) if v is not None else None) for k, v in scores.items()}
    minutes.quality_total, minutes.quality_grade = total, grade


def saved(minutes, by, action="edited"):
    """After a draft's parts were written: recompute, bump the version, keep the revision, refresh the search.

    A draft's PDF is rendered when asked for; approval, signing and addenda render it at once."""
    recompute(minutes)
    minutes.version += 1
    minutes.updated_by = by
    minutes.search_text = _search_text(minutes)
    minutes.save()
    _revision(minutes, action, by)
    return minutes


def record_chair(minutes, by):
    """Who chaired is the committee's decision: when whoever manages the cell's meetings names another chair
    on the minutes (someone else chaired on the day), the meeting says so too, since its chair signs."""
    Meeting.objects.filter(pk=minutes.meeting_id).update(chair=minutes.chair)
    MeetingChange.objects.create(
        meeting=minutes.meeting, action="chair", by=by, detail={"chair": str(minutes.chair or "")}
    )


def follow_meeting_chair(sender, meeting, by, **kwargs):
    """The other way round: whoever manages the cell's meetings changed the meeting's chair, so its unsigned
    minutes name them too, as a new version with its revision (an editor holding the older version gets a
    conflict rather than writing the old chair back). Signed minutes keep the chair who signed them."""
    minutes = (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting__cell__parent")
        .filter(meeting=meeting)
        .exclude(status=Minutes.Status.LOCKED)
        .first()
    )
    if minutes is None or minutes.chair_id == meeting.chair_id:
        return
    minutes.chair = meeting.chair
    saved(minutes, by, action="chair")
    if minutes.status == Minutes.Status.APPROVED:
        request_pdf(minutes)  # approved minutes have their PDF at once (see `saved`)


@transaction.atomic
def approve(minutes, by):
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.status != Minutes.Status.DRAFT:
        raise MinutesError(_("Only a draft can be approved."))
    if not minutes.meeting.attendances.exists():
        raise MinutesError(_("Record the attendance before approving the minutes."))
    recompute(minutes)
    minutes.status, minutes.approved_at = Minutes.Status.APPROVED, timezone.now()
    return _saved_status(minutes, by, "approved")


@transaction.atomic
def reopen(minutes, by):
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.status != Minutes.Status.APPROVED:
        raise MinutesError(_("Only approved, unsigned minutes can be reopened."))
    minutes.status, minutes.approved_at = Minutes.Status.DRAFT, None
    return _saved_status(minutes, by, "reopened")


@transaction.atomic
def sign(minutes, by):
    """The chair signs: the minutes are locked, and everything they say is frozen as it stands now."""
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.status != Minutes.Status.APPROVED:
        raise MinutesError(_("The minutes must be approved at the meeting before they are signed."))
    recompute(minutes)
    minutes.save()
    minutes.status, minutes.signed_by, minutes.signed_at = Minutes.Status.LOCKED, by, timezone.now()
    minutes.frozen = snapshot(minutes)
    return _saved_status(minutes, by, "signed")


def _saved_status(minutes, by, action):
    minutes.version += 1
    minutes.updated_by = by
    minutes.save()
    _revision(minutes, action, by)
    request_pdf(minutes)
    return minutes


@transaction.atomic
def add_addendum(minutes, text, by):
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if not minutes.is_locked:
        raise MinutesError(_("Corrections are added once the minutes are locked; until then, edit the draft."))
    if not text.strip():
        raise MinutesError(_("Write the correction."))
    Addendum.objects.create(minutes=minutes, text=text.strip(), signed_by=by)
    MinutesRevision.objects.create(minutes=minutes, version=minutes.version, action="addendum", by=by,
                                   snapshot={"addendum": text.strip()})  # fmt: skip
    request_pdf(minutes)
    return minutes


def request_pdf(minutes):
    """Render the PDF after commit, unless the stored one was made from exactly this content."""
    from chibo import pdf

    return pdf.request(minutes, source_hash, "minutes.tasks.render_minutes_pdf")


def signed_in_year(cell, year, user_access):
    """The cell's signed minutes of a year (the meeting's year in Vietnam) that the user may read, in the order
    they were held: a plain member's book has no minutes of the cell committee's own meetings."""
    signed = Minutes.objects.filter(meeting__cell=cell, meeting__starts_at__year=year, status=Minutes.Status.LOCKED)
    readable = user_access.meetings(signed, "meeting__")
    return readable.select_related("meeting__cell").order_by("meeting__starts_at", "pk")


def missing_from_book(cell, year, user_access):
    """The year's signed minutes whose PDF is not stored yet: the book, made of the stored PDFs, lacks them."""
    return signed_in_year(cell, year, user_access).exclude(pdf_status=Minutes.PdfStatus.READY)


def has_stored_pdf(record):
    return (
        record.pdf_status == Minutes.PdfStatus.READY and bool(record.pdf) and record.pdf.storage.exists(record.pdf.name)
    )


def render_missing(records, retry_failed=True):
    """Queue the PDF of each record that has no stored one; returns how many were queued.

    A render queued less than PDF_RENDER_RETRY_MINUTES ago is left to finish; one queued earlier never came
    back (its worker was killed) and is queued again. A failed one is queued again at once when a person
    asks for it (`retry_failed`), otherwise (the book's own request) only after the same delay, so that a
    PDF that always fails is not rendered on every visit. The conditional UPDATE claims each one: a second
    click, or two readers at once, queue nothing twice."""
    from chibo import dispatch

    now = timezone.now()
    stale = now - timedelta(minutes=settings.PDF_RENDER_RETRY_MINUTES)
    waiting = [Minutes.PdfStatus.PENDING] + ([] if retry_failed else [Minutes.PdfStatus.FAILED])
    claimable = ~Q(pdf_status__in=waiting) | Q(pdf_requested_at__isnull=True) | Q(pdf_requested_at__lt=stale)
    queued = [
        record.pk
        for record in records
        if not has_stored_pdf(record)
        and Minutes.objects.filter(claimable, pk=record.pk, pdf_status=record.pdf_status).update(
            pdf_status=Minutes.PdfStatus.PENDING, pdf_requested_at=now
        )
    ]
    dispatch.send_many_after_commit("minutes.tasks.render_minutes_pdf", [(pk,) for pk in queued])
    return len(queued)


def guard_attendance(sender, meeting, **kwargs):
    """Attendance of a meeting whose minutes are locked is history: it cannot change."""
    if Minutes.objects.filter(meeting=meeting, status=Minutes.Status.LOCKED).exists():
        return _("The minutes of this meeting are signed; its attendance can no longer change.")
    return None


def connect():
    """Follow the meetings: a new chair, and attendance that may no longer change (see meetings/signals.py)."""
    meeting_signals.chair_changed.connect(follow_meeting_chair, dispatch_uid="minutes-follow-chair")
    meeting_signals.attendance_changing.connect(guard_attendance, dispatch_uid="minutes-guard-attendance")


def pdf_records():
    """The minutes as the PDF worker reads them: with what the document names besides its parts (the meeting,
    its cell and the committee above, the chair's and the minute-taker's names). The document names the two
    people alone: their names are two columns, where their whole rows cost the worker a millisecond (issue 17)."""
    return Minutes.objects.select_related("meeting__cell__parent").annotate(
        chair_name=F("chair__full_name"), minute_taker_name=F("minute_taker__full_name")
    )


def pdf_context(minutes, doc=None):
    """The document, ready for a template or the Word export, from `content` (`doc`, when the caller already
    has it): dates parsed, labels translated."""
    from . import quality

    doc = content(minutes) if doc is None else doc
    started = timezone.localtime(datetime.fromisoformat(doc["started_at"]))
    ended = timezone.localtime(datetime.fromisoformat(doc["ended_at"]))
    subtitles = {
        Meeting.Kind.REGULAR: _("Regular cell meeting of %(month)s"),
        Meeting.Kind.THEMATIC: _("Thematic cell meeting of %(month)s"),
        Meeting.Kind.COMMITTEE: _("Cell committee meeting of %(month)s"),
        Meeting.Kind.EXTRAORDINARY: _("Extraordinary cell meeting of %(month)s"),
    }
    methods = dict(Vote.Method.choices)
    # New rows for display, never written into what `content` returned: that is what the hash is made of.
    doc = {
        **doc,
        "votes": [{**item, "method_label": methods.get(item["method"], item["method"])} for item in doc["votes"]],
        "tasks": [
            {**task, "deadline_date": datetime.fromisoformat(task["deadline"]).date() if task["deadline"] else None}
            for task in doc["tasks"]
        ],
        "addenda": [
            {**addendum, "signed_at": timezone.localtime(datetime.fromisoformat(addendum["at"]))}
            for addendum in doc["addenda"]
        ],
    }
    return {
        "doc": doc,
        "minutes": minutes,
        "day": started.date(),
        "started": started,
        "ended": ended,
        "subtitle": subtitles[doc["kind"]] % {"month": f"{started.month:02d}/{started.year}"},
        "att": doc["attendance"],
        "grade": quality.grade_label(doc["quality"]["grade"]),
        "quality_total": doc["quality"]["total"],
        "draft": minutes.status == Minutes.Status.DRAFT,
        "signed_at": minutes.signed_at,
    }


def render_pdf(minutes, doc=None):
    """The official PDF (of `content`, or of `doc` when the caller already has it), in Vietnamese whatever the
    reader's language: it is the party's document."""
    from django.utils import translation

    from chibo import pdf

    with translation.override("vi"):
        return pdf.render("minutes/pdf/minutes.html", pdf_context(minutes, doc))
