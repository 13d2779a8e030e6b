"""The standard order of business of each kind of meeting (HD 12 §II.3, domain brief §2)."""

from django.utils.translation import gettext_lazy as _

from .models import AgendaItem, Meeting

OPENING = [
    _("Reason for the meeting; introduction of guests"),
    _("Appointment of the minute-taker"),
    _("Attendance report: present, absent with a reason, absent without a reason"),
    _("Approval of the agenda"),
    _("Party dues report"),
]
CLOSING = [
    _("The chair sums up and concludes; tasks are assigned with deadlines"),
    _("Vote on the conclusion or resolution"),
    _("Self-assessment of the meeting's quality"),
    _("The minute-taker reads the minutes for approval"),
]
BODY = {
    Meeting.Kind.REGULAR: [
        _("Political and ideological work: news, new directives from above, members' state of mind"),
        _("Political tasks: last month's results and the previous resolution; next month's tasks and who does what"),
        _("Party building"),
        _("Discussion; self-criticism and criticism; praise and reminders"),
    ],
    Meeting.Kind.THEMATIC: [
        _("Presentation of the topic by its author"),
        _("Discussion of the topic"),
        _("Conclusions on the topic; the author revises the draft"),
    ],
    Meeting.Kind.COMMITTEE: [
        _("Content of the cell meeting"),
        _("Last month's results and the previous resolution"),
        _("Next month's tasks and the points to vote on"),
        _("Who prepares what"),
    ],
    Meeting.Kind.EXTRAORDINARY: [
        _("The matter to decide"),
        _("Discussion"),
    ],
}


def standard_items(kind):
    """(section, title) pairs, in order, for a new meeting of this kind."""
    if kind == Meeting.Kind.COMMITTEE:
        return [(AgendaItem.Section.BODY, title) for title in BODY[kind]]
    return (
        [(AgendaItem.Section.OPENING, title) for title in OPENING]
        + [(AgendaItem.Section.BODY, title) for title in BODY[kind]]
        + [(AgendaItem.Section.CLOSING, title) for title in CLOSING]
    )


def add_standard_agenda(meeting):
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, section=section, order=(index + 1) * 10, title=str(title))
        for index, (section, title) in enumerate(standard_items(meeting.kind))
    )
