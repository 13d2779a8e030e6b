"""What meetings tell (and ask) the apps built on them, so that meetings never imports those apps.

`chair_changed` and `attendance_changing` are sent inside the transaction of the change, so a receiver's
writes commit or roll back with it.
"""

from django.dispatch import Signal

from chibo import pages

# A meeting's chair was changed by whoever manages the cell's meetings. Arguments: meeting, by (a user).
chair_changed = Signal()

# Asked before a meeting's attendance changes. Arguments: meeting. A receiver that returns a message refuses
# the change (the minutes do once they are signed: the attendance they report is history).
attendance_changing = Signal()


def attendance_refusal(meeting):
    """Why the attendance of `meeting` cannot change now, or None."""
    for _receiver, answer in attendance_changing.send(sender=type(meeting), meeting=meeting):
        if answer:
            return answer
    return None


# Asked what a meeting's page shows of the apps built on meetings. Arguments: meeting. Each receiver returns a
# dict merged into the page's context (resolutions: "review", how the previous resolution was carried out).
page_extras = Signal()


def extras_for_page(meeting):
    """The context the apps built on meetings add to `meeting`'s page."""
    return pages.extras(page_extras, type(meeting), meeting=meeting)


# Asked what the month's path on the home page of those who run a cell shows after its regular meeting.
# Arguments: meeting, today. Each receiver returns a list of steps (`meetings.home.step`): minutes written,
# approved and signed; the resolution issued; its tasks due and overdue.
month_path = Signal()

# Asked first what those steps count, so that the month's meetings are read with it in one query (written out
# as SQL: `meetings.home.month_meetings`). Arguments: today. Each receiver returns {name: (sql, params)}, the
# SQL of a scalar subquery over the meeting's row, aliased `m` (`m.id`, `m.cell_id`; its own tables under
# other aliases), with the parameters of its %s in order; `month_path` then finds the value as `meeting.<name>`.
month_path_counts = Signal()


def month_path_columns(today):
    """The columns the apps built on meetings add to the query of the month's meetings: {name: (sql, params)}."""
    return pages.extras(month_path_counts, None, today=today)


# Asked what the opening of a meeting reports from the apps built on meetings, as plain paragraphs: part of
# what the minutes say (frozen with them when signed). Arguments: meeting. Each receiver returns a list of
# strings (dues: the party dues report of a regular meeting, HD 12 §II.3).
opening_reported = Signal()


def opening_paragraphs(meeting):
    """The paragraphs the apps built on meetings add to the opening of `meeting`'s minutes."""
    paragraphs = []
    for _receiver, answer in opening_reported.send(sender=type(meeting), meeting=meeting):
        paragraphs.extend(answer or [])
    return paragraphs
