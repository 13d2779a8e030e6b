"""Meeting quality (domain §4): criteria, the parts Chibo computes, weights and grade bands per committee.

What the computed criteria of a draft need from the records is read in one query (`draft_facts`), written out
as SQL: Django took several times longer to build and compile its five queries than the database to run them
(issue 17). Portable SQL: PostgreSQL, and SQLite for `make run`."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from chibo.sql import as_read, one_row
from meetings.models import NOT_EXPECTED, Attendance, Document, Meeting, attendance_summary, held_together_sql
from members.models import OrgUnit

from .models import Contribution, Minutes, QualityPolicy
from .quality_sheet import COMPUTED, CRITERIA, DEFAULT_BANDS, DEFAULT_WEIGHTS, ENTERED, GRADES  # noqa: F401

SPEAKERS_FOR_FULL_MARKS = 0.3  # a third of those present spoke: "many members spoke"


def policy_for(cell):
    """The weights and bands of the nearest committee above the cell that set its own, else the defaults."""
    sql, params = _policy_sql(cell)
    using, policies = QualityPolicy.objects.db, QualityPolicy._meta.db_table
    row = one_row(f"SELECT p.weights, p.bands FROM {policies} p WHERE p.id = ({sql})", params, using)
    if row is None:
        return _policy(None, None)
    json = _json_read(using)
    return _policy(json(row[0]), json(row[1]))


def _policy_sql(cell):
    """(SQL, parameters) giving the id of the policy `policy_for` reads: the one place of the rule."""
    paths = cell.ancestor_paths()
    return (
        f"SELECT q.id FROM {QualityPolicy._meta.db_table} q JOIN {OrgUnit._meta.db_table} u ON u.id = q.unit_id"
        f" WHERE u.path IN ({', '.join(['%s'] * len(paths))}) ORDER BY u.depth DESC LIMIT 1",
        paths,
    )


def _json_read(using):
    return as_read(QualityPolicy._meta.get_field("weights"), using)


def _policy(weights, bands):
    """(weights, bands) from a policy's columns, None where no committee above set a policy."""
    # A committee's weights replace the defaults: criteria it leaves out count for nothing.
    weights = {key: _number(weights.get(key, 0)) for key in DEFAULT_WEIGHTS} if weights else dict(DEFAULT_WEIGHTS)
    bands = {**DEFAULT_BANDS, **{k: _number(v) for k, v in (bands or {}).items()}}
    return weights, bands


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def draft_facts(minutes):
    """What the criteria of a draft need from the records besides its attendance (read by the page), in one
    query: the policy's weights and bands (`policy_for`), the number of members who spoke, whether the
    committee's preparatory meeting was held, the documents' number and last upload, the longest run of excuses
    (`longest_excused_streak`), and the meeting of the other kind held the same day (`held_together`) with its
    minutes' times."""
    meeting = minutes.meeting
    meetings, documents = Meeting._meta.db_table, Document._meta.db_table
    policy_sql, policy_params = _policy_sql(meeting.cell)
    streak_sql, streak_params = _excused_streak_sql(meeting)
    other = held_together_sql(meeting.cell_id, meeting.kind, meeting.starts_at, exclude=meeting.pk)
    other_sql, other_params = (f"o.id = ({other[0]})", other[1]) if other else ("1 = 0", [])
    sql = (
        "SELECT p.weights, p.bands,"
        f" (SELECT COUNT(DISTINCT k.member_id) FROM {Contribution._meta.db_table} k WHERE k.minutes_id = %s),"
        f" CASE WHEN EXISTS (SELECT 1 FROM {meetings} c WHERE c.prepares_id = %s AND c.status = %s) THEN 1 ELSE 0 END,"
        f" (SELECT COUNT(*) FROM {documents} d WHERE d.meeting_id = %s),"
        f" (SELECT MAX(d.uploaded_at) FROM {documents} d WHERE d.meeting_id = %s),"
        f" ({streak_sql}), o.kind, o.duration_minutes, om.started_at, om.ended_at"
        " FROM (SELECT 1 AS one) one"
        f" LEFT JOIN {QualityPolicy._meta.db_table} p ON p.id = ({policy_sql})"
        f" LEFT JOIN {meetings} o ON {other_sql}"
        f" LEFT JOIN {Minutes._meta.db_table} om ON om.meeting_id = o.id"
    )
    # The parameters in the order the SQL holds their places: the columns', then the joins'.
    params = [minutes.pk, meeting.pk, Meeting.Status.HELD, meeting.pk, meeting.pk, *streak_params, *policy_params,
              *other_params]  # fmt: skip
    using = Minutes.objects.db
    row = one_row(sql, params, using)
    weights, bands, speakers, committee_met, document_count, last_document, streak, kind, duration, started, ended = row
    json, moment = _json_read(using), as_read(Minutes._meta.get_field("started_at"), using)
    facts = {
        "policy": _policy(json(weights), json(bands)),
        "speakers": speakers,
        "committee_met": bool(committee_met),
        "documents": document_count,
        "last_document": as_read(Document._meta.get_field("uploaded_at"), using)(last_document),
        "streak": streak or 0,
        "other": None,
    }
    if kind is not None:
        facts["other"] = {"kind": Meeting.Kind(kind), "duration_minutes": duration,
                          "started_at": moment(started), "ended_at": moment(ended)}  # fmt: skip
    return facts


def computed_fractions(minutes, facts=None):
    """{criterion: (share of its points 0–1, why)} for the criteria Chibo can judge from its records; `facts`
    from `draft_facts`, read if not given."""
    facts = facts or draft_facts(minutes)
    meeting = minutes.meeting
    attendances = list(meeting.attendances.all())
    summary = attendance_summary(attendances)
    result = {}
    result["duration"] = duration_fraction(minutes, facts)
    # Exempt members and members away (or on special duty) are not expected: their absence is none (domain §4).
    rate = summary["rate"]
    unexcused = sum(1 for a in summary["unexcused"] if a.category not in NOT_EXPECTED)
    good_rate = rate is not None and rate > 85
    streak = facts["streak"]
    met = [good_rate, not unexcused, streak <= 3]
    result["attendance"] = (
        sum(met) / 3,
        _(
            "%(rate)s%% present, %(unexcused)s absent without a reason, at most %(streak)s absences with a reason "
            "in a row"
        )
        % {"rate": "—" if rate is None else number_format(rate, 1), "unexcused": unexcused, "streak": streak},
    )
    committee_met = facts["committee_met"]
    # All the documents up by the deadline (DOCUMENTS_DAYS_BEFORE days before): the last one is.
    on_time = bool(facts["documents"]) and facts["last_document"] <= meeting.documents_due_at
    result["preparation"] = (
        0.5 * committee_met + 0.5 * on_time,
        ngettext(
            "committee met: %(met)s; documents %(days)s day before: %(docs)s",
            "committee met: %(met)s; documents %(days)s days before: %(docs)s",
            settings.DOCUMENTS_DAYS_BEFORE,
        )
        % {"met": _("yes") if committee_met else _("no"), "docs": _("yes") if on_time else _("no"),
           "days": settings.DOCUMENTS_DAYS_BEFORE},
    )  # fmt: skip
    present = sum(1 for a in attendances if a.status in (Attendance.Status.PRESENT, Attendance.Status.LATE))
    speakers = facts["speakers"]
    share = speakers / present if present else 0
    result["participation"] = (
        min(1.0, share / SPEAKERS_FOR_FULL_MARKS),
        _("%(speakers)s of %(present)s present spoke") % {"speakers": speakers, "present": present},
    )
    return result


def duration_fraction(minutes, facts=None):
    """(share of the duration's points, why): MEETING_MIN_MINUTES, or MEETING_MIN_MINUTES_COMBINED for a
    regular and a thematic meeting held the same day, counted over the two (domain §2)."""
    if not (minutes.started_at and minutes.ended_at):
        return 0.0, _("start and end times not written")
    lasted = (minutes.ended_at - minutes.started_at).total_seconds() / 60
    other = (facts or draft_facts(minutes))["other"]
    if other is None:
        return min(1.0, lasted / settings.MEETING_MIN_MINUTES), _("%(minutes)d minutes") % {"minutes": lasted}
    if other["started_at"] and other["ended_at"]:
        other_lasted = (other["ended_at"] - other["started_at"]).total_seconds() / 60
    else:
        other_lasted = other["duration_minutes"]  # its minutes not written yet: as planned
    together = lasted + other_lasted
    return (
        min(1.0, together / settings.MEETING_MIN_MINUTES_COMBINED),
        _("%(minutes)d minutes, %(together)d with the %(other)s the same day")
        % {"minutes": lasted, "together": together, "other": other["kind"].label.lower()},
    )


def longest_excused_streak(meeting):
    """The longest run of absences with a reason, this year up to this meeting, of any member present on
    its sheet (domain §4: no member excused more than 3 times in a row). Meetings at which the member was
    exempt, away or on special duty are not in the run: nobody expected them."""
    sql, params = _excused_streak_sql(meeting)
    return one_row(sql, params, Attendance.objects.db)[0] or 0


def _excused_streak_sql(meeting):
    """(SQL, parameters) of `longest_excused_streak`, the one place of the rule: each mark of a member this
    year numbered by how many marks other than an excuse they had up to it, so that a run of excuses shares
    a number, then the largest run."""
    attendances, meetings = Attendance._meta.db_table, Meeting._meta.db_table
    new_year = timezone.make_aware(datetime(timezone.localtime(meeting.starts_at).year, 1, 1))
    excused = Attendance.Status.EXCUSED
    marks = (
        "SELECT a.member_id, a.status, SUM(CASE WHEN a.status = %s THEN 0 ELSE 1 END)"
        " OVER (PARTITION BY a.member_id ORDER BY m.starts_at, m.id) AS run"
        f" FROM {attendances} a JOIN {meetings} m ON m.id = a.meeting_id"
        f" WHERE m.cell_id = %s AND m.kind <> %s AND a.category NOT IN ({', '.join(['%s'] * len(NOT_EXPECTED))})"
        " AND m.starts_at >= %s AND m.starts_at <= %s"
        f" AND a.member_id IN (SELECT s.member_id FROM {attendances} s WHERE s.meeting_id = %s)"
    )
    params = [excused, meeting.cell_id, Meeting.Kind.COMMITTEE, *NOT_EXPECTED, new_year, meeting.starts_at,
              meeting.pk, excused]  # fmt: skip
    return (
        f"SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM ({marks}) r WHERE r.status = %s"
        " GROUP BY r.member_id, r.run) runs",
        params,
    )


def grade_of(total, bands):
    for key, _label in GRADES[:-1]:
        if total >= bands[key]:
            return key
    return "poor"


def grade_label(key):
    return dict(GRADES).get(key, "")


def assess(minutes, entered):
    """Scores per criterion, the total and the grade, from Chibo's computed parts and the chair's entries."""
    facts = draft_facts(minutes)
    weights, bands = facts["policy"]
    fractions = computed_fractions(minutes, facts)
    scores = {}
    for key in COMPUTED:
        scores[key] = _round(Decimal(str(fractions[key][0])) * Decimal(str(weights[key])))
    for key in ENTERED:
        value = entered.get(key)
        if not weights[key]:
            scores[key] = Decimal(0)
            continue
        scores[key] = None if value is None else _round(min(Decimal(str(value)), Decimal(str(weights[key]))))
    if any(scores[key] is None for key in ENTERED):
        return scores, None, ""
    total = _round(sum(scores.values()))
    return scores, total, grade_of(total, bands)


def _round(value):
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
