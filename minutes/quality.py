"""Meeting quality (domain §4): criteria, the parts Chibo computes, weights and grade bands per committee."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from chibo.rows import prefetched
from meetings.models import NOT_EXPECTED, Attendance, Meeting, attendance_summary

from .models import Minutes, QualityPolicy
from .quality_sheet import COMPUTED, CRITERIA, DEFAULT_BANDS, DEFAULT_WEIGHTS, ENTERED, GRADES  # noqa: F401

SPEAKERS_FOR_FULL_MARKS = 0.3  # a third of those present spoke: "many members spoke"


def policy_for(cell):
    """The weights and bands of the nearest committee above the cell that set its own, else the defaults."""
    policy = QualityPolicy.objects.filter(unit__path__in=cell.ancestor_paths()).order_by("-unit__depth").first()
    if policy and policy.weights:
        # A committee's weights replace the defaults: criteria it leaves out count for nothing.
        weights = {key: _number(policy.weights.get(key, 0)) for key in DEFAULT_WEIGHTS}
    else:
        weights = dict(DEFAULT_WEIGHTS)
    bands = {**DEFAULT_BANDS, **{k: _number(v) for k, v in (policy.bands if policy else {}).items()}}
    return weights, bands


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def computed_fractions(minutes):
    """{criterion: (share of its points 0–1, why)} for the criteria Chibo can judge from its records."""
    meeting = minutes.meeting
    attendances = list(meeting.attendances.all())
    summary = attendance_summary(attendances)
    result = {}
    result["duration"] = duration_fraction(minutes)
    # Exempt members and members away (or on special duty) are not expected: their absence is none (domain §4).
    rate = summary["rate"]
    unexcused = sum(1 for a in summary["unexcused"] if a.category not in NOT_EXPECTED)
    good_rate = rate is not None and rate > 85
    streak = longest_excused_streak(meeting)
    met = [good_rate, not unexcused, streak <= 3]
    result["attendance"] = (
        sum(met) / 3,
        _(
            "%(rate)s%% present, %(unexcused)s absent without a reason, at most %(streak)s absences with a reason "
            "in a row"
        )
        % {"rate": "—" if rate is None else number_format(rate, 1), "unexcused": unexcused, "streak": streak},
    )
    committee_met = meeting.preparations.filter(status="held").exists()
    deadline = meeting.documents_due_at  # DOCUMENTS_DAYS_BEFORE days before
    documents = list(meeting.documents.values_list("uploaded_at", flat=True))
    on_time = bool(documents) and all(uploaded <= deadline for uploaded in documents)
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
    speakers = len({c.member_id for c in minutes.contributions.all()})
    share = speakers / present if present else 0
    result["participation"] = (
        min(1.0, share / SPEAKERS_FOR_FULL_MARKS),
        _("%(speakers)s of %(present)s present spoke") % {"speakers": speakers, "present": present},
    )
    return result


def duration_fraction(minutes):
    """(share of the duration's points, why): MEETING_MIN_MINUTES, or MEETING_MIN_MINUTES_COMBINED for a
    regular and a thematic meeting held the same day, counted over the two (domain §2)."""
    if not (minutes.started_at and minutes.ended_at):
        return 0.0, _("start and end times not written")
    lasted = (minutes.ended_at - minutes.started_at).total_seconds() / 60
    other = minutes.meeting.held_with()
    if other is None:
        return min(1.0, lasted / settings.MEETING_MIN_MINUTES), _("%(minutes)d minutes") % {"minutes": lasted}
    other_minutes = Minutes.objects.filter(meeting=other).first()
    if other_minutes and other_minutes.started_at and other_minutes.ended_at:
        other_lasted = (other_minutes.ended_at - other_minutes.started_at).total_seconds() / 60
    else:
        other_lasted = other.duration_minutes  # its minutes not written yet: as planned
    together = lasted + other_lasted
    return (
        min(1.0, together / settings.MEETING_MIN_MINUTES_COMBINED),
        _("%(minutes)d minutes, %(together)d with the %(other)s the same day")
        % {"minutes": lasted, "together": together, "other": other.get_kind_display().lower()},
    )


def longest_excused_streak(meeting):
    """The longest run of absences with a reason, this year up to this meeting, of any member present on
    its sheet (domain §4: no member excused more than 3 times in a row). Meetings at which the member was
    exempt, away or on special duty are not in the run: nobody expected them."""
    new_year = timezone.make_aware(datetime(timezone.localtime(meeting.starts_at).year, 1, 1))
    # The sheet's members from the attendance the caller read (the minutes page), else by a subquery. One filter
    # of plain conditions: each `exclude` or `__year` cost the ORM more to build than the query takes to run.
    attendances = prefetched(meeting, "attendances")
    on_the_sheet = meeting.attendances.values("member") if attendances is None else [a.member_id for a in attendances]
    rows = Attendance.objects.filter(
        ~Q(meeting__kind=Meeting.Kind.COMMITTEE), ~Q(category__in=NOT_EXPECTED), meeting__cell_id=meeting.cell_id,
        meeting__starts_at__gte=new_year, meeting__starts_at__lte=meeting.starts_at, member__in=on_the_sheet,
    ).order_by("member_id", "meeting__starts_at").values_list("member_id", "status")  # fmt: skip
    longest, current, previous = 0, 0, None
    for member_id, status in rows:
        if member_id != previous:
            current, previous = 0, member_id
        current = current + 1 if status == Attendance.Status.EXCUSED else 0
        longest = max(longest, current)
    return longest


def grade_of(total, bands):
    for key, _label in GRADES[:-1]:
        if total >= bands[key]:
            return key
    return "poor"


def grade_label(key):
    return dict(GRADES).get(key, "")


def assess(minutes, entered):
    """Scores per criterion, the total and the grade, from Chibo's computed parts and the chair's entries."""
    weights, bands = policy_for(minutes.meeting.cell)
    fractions = computed_fractions(minutes)
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
