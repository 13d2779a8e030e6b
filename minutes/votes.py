"""The vote rule (domain §3): who votes at a meeting, the vote base N, and when a motion passes.

May import: meetings (the attendance records it counts from).
"""

from django.conf import settings

from meetings.models import Attendance


def vote_base(attendances):
    """The vote base N and who can vote (domain §3), from a meeting's attendance records.

    N = official members convened − those away on temporary activity − exempt members who are absent
    − members prosecuted or detained − official members absent with a reason (a setting, on by default).
    Armed-forces members on special duty count like exempt members: only when they came. Suspended members
    are not convened. Members here on temporary activity and probationary members never vote.
    """
    subtract_excused = settings.VOTE_BASE_SUBTRACT_EXCUSED
    never = (Attendance.Category.VISITING, Attendance.Category.AWAY, Attendance.Category.PROSECUTED)
    if_present = (Attendance.Category.EXEMPT, Attendance.Category.SPECIAL_DUTY)
    base = voters = 0
    for a in attendances:
        if not a.official or a.category in never:
            continue
        if a.category in if_present and not a.is_present:
            continue
        if a.status == Attendance.Status.EXCUSED and subtract_excused:
            continue
        base += 1
        voters += a.is_present
    return {"base": base, "voters": voters, "can_pass": 2 * voters > base}


def meeting_vote_base(meeting):
    """`vote_base` of a meeting's attendance as recorded."""
    return vote_base(list(meeting.attendances.all()))


def passes(votes_for, base):
    """A motion passes with more than half of the vote base voting for it."""
    return 2 * votes_for > base
