"""The dashboards' tables: summary rows kept equal to the source (`summaries.py`), and the monthly reports.

The tables were created when this lived in meetings/ and keep their names (db_table), so no row moved.
Nothing outside this app imports it, except the URLs and the settings.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from meetings.models import short_name
from members.models import Member, OrgUnit, User


class MonthSums(models.Model):
    """What a cell does in a month that adds up across cells and months: the sums behind the dashboards'
    figures (rates are computed from them)."""

    regular_held = models.PositiveIntegerField(default=0)
    regular_on_day = models.PositiveIntegerField(default=0, help_text="Held regular meetings never moved.")
    thematic_held = models.PositiveIntegerField(default=0)
    # Attendance of held meetings of the whole cell (not committee meetings), by the domain rule (§3).
    base_core = models.PositiveIntegerField(default=0, help_text="Official and probationary members counted.")
    present_core = models.PositiveIntegerField(default=0)
    base_visiting = models.PositiveIntegerField(default=0)
    present_visiting = models.PositiveIntegerField(default=0)
    excused = models.PositiveIntegerField(default=0)
    unexcused = models.PositiveIntegerField(default=0)
    # Minutes of held regular and thematic meetings.
    minutes_due = models.PositiveIntegerField(default=0)
    minutes_approved = models.PositiveIntegerField(default=0)
    minutes_delay_days = models.PositiveIntegerField(default=0, help_text="Sum of days from meeting to approval.")
    grade_good = models.PositiveIntegerField(default=0)
    grade_fair = models.PositiveIntegerField(default=0)
    grade_average = models.PositiveIntegerField(default=0)
    grade_poor = models.PositiveIntegerField(default=0)
    # Resolutions issued this month; tasks by the month of their deadline.
    resolutions_issued = models.PositiveIntegerField(default=0)
    tasks_on_time = models.PositiveIntegerField(default=0)
    tasks_late = models.PositiveIntegerField(default=0)
    tasks_not_done = models.PositiveIntegerField(default=0)
    tasks_open = models.PositiveIntegerField(default=0)
    # The month's lines of the dues book (domain §11) and its report to the committee above.
    dues_opened = models.PositiveIntegerField(default=0, help_text="1 when the dues book has lines for the month.")
    dues_members = models.PositiveIntegerField(default=0, help_text="Lines with an amount due (exemptions left out).")
    dues_due = models.PositiveBigIntegerField(default=0, help_text="Sum of the amounts due (VND).")
    dues_paid = models.PositiveBigIntegerField(default=0, help_text="Sum of the amounts paid (VND).")
    dues_owed = models.PositiveBigIntegerField(default=0, help_text="Sum of what each line still owes (VND).")
    dues_unpaid = models.PositiveIntegerField(default=0, help_text="Lines still owing something.")
    dues_reported = models.PositiveIntegerField(default=0, help_text="1 when the month's dues report was sent.")

    class Meta:
        abstract = True


class CellMonth(MonthSums):
    """What one cell did in one month, counted from meetings, attendance, minutes, resolutions and tasks.

    Every field but two is a sum that adds up across cells and months (`MonthSums`); rates are computed from
    the sums. Rows are rewritten whenever their source changes (`summaries.touch`), and
    `manage.py summaries --check` compares them with a fresh count.
    """

    cell = models.ForeignKey(OrgUnit, models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the month, Vietnam's calendar.")
    regular_due_on = models.DateField(
        null=True, blank=True, help_text="Day of the earliest regular meeting still planned or confirmed."
    )
    quarter_thematic = models.PositiveIntegerField(default=0, help_text="Thematic meetings held in the quarter.")

    class Meta:
        db_table = "meetings_cellmonth"
        constraints = [models.UniqueConstraint(fields=["cell", "month"], name="cellmonth_unique")]
        indexes = [models.Index(fields=["month", "cell"], name="cellmonth_month_cell")]

    def __str__(self):
        return f"{self.cell_id} {self.month:%m/%Y}"


class CellYearToDate(MonthSums):
    """A cell's year from January to the end of one month: its `CellMonth` rows summed, and the months counted.

    A dashboard over months that are over reads one row a cell for each year they span (two when the span
    starts after January: the row before is taken off), not a row for every month: a province's year is
    3,000 rows, not 36,000. Every month of a year the cell has a `CellMonth` row in has a row, so the row of
    any month is there to read. Rewritten with the cell's months (`summaries`).
    """

    cell = models.ForeignKey(OrgUnit, models.CASCADE, related_name="+", db_index=False)  # the unique key leads
    month = models.DateField(help_text="First day of the last month counted; the first is January.")
    regular_months = models.PositiveIntegerField(default=0, help_text="Months whose regular meeting was held.")
    quarters_covered = models.PositiveIntegerField(
        default=0, help_text="Quarters ended with a thematic meeting held in them."
    )
    late_months = models.PositiveIntegerField(
        default=0, help_text="Months with a regular meeting planned and none held."
    )
    dues_unreported = models.PositiveIntegerField(
        default=0, help_text="Months whose dues book has lines and whose report was not sent."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cell", "month"], name="cellyeartodate_unique")]
        indexes = [models.Index(fields=["month", "cell"], name="cellyeartodate_month_cell")]

    def __str__(self):
        return f"{self.cell_id} to {self.month:%m/%Y}"


class UnitMonth(MonthSums):
    """The months of the cells directly below one unit, summed: the rows a twelve-month trend above the cells
    reads. A province's trend sums its communes' hundred rows a month, not its 3,000 cells' (the units below
    it hold their own cells' rows; the trend of a unit takes every unit on its path).

    Summed again from the cells' `CellMonth` rows whenever those are rewritten, under a lock of the unit, so
    two cells refreshed at once both count (`summaries`); a cell placed under another unit moves its months
    with it.
    """

    unit = models.ForeignKey(OrgUnit, models.CASCADE, related_name="+", db_index=False)  # the unique key leads
    month = models.DateField(help_text="First day of the month, Vietnam's calendar.")
    regular_months = models.PositiveIntegerField(default=0, help_text="Cells whose regular meeting was held.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="unitmonth_unique")]

    def __str__(self):
        return f"{self.unit_id} {self.month:%m/%Y}"


class CellStatus(models.Model):
    """A cell's standing today: its roll and committee (domain §8), and the month it started in Chibo."""

    cell = models.OneToOneField(OrgUnit, models.CASCADE, primary_key=True, related_name="status")
    first_month = models.DateField(null=True, blank=True, help_text="Month of its first meeting in Chibo.")
    on_roll = models.PositiveIntegerField(default=0)
    official = models.PositiveIntegerField(default=0)
    own_members = models.PositiveIntegerField(default=0, help_text="On the roll, but not here on temporary activity.")
    committee = models.PositiveIntegerField(default=0, help_text="Active secretary, deputies, committee members.")
    dues_in_arrears = models.PositiveIntegerField(
        default=0, help_text="Members owing dues for a month before this one, in this cell's book."
    )
    dues_arrears = models.PositiveBigIntegerField(default=0, help_text="What they owe in all (VND).")

    class Meta:
        db_table = "meetings_cellstatus"

    def __str__(self):
        return str(self.cell_id)


class MemberYear(models.Model):
    """One member's year across the cell's meetings: attendance, speaking, months with unexcused absence.

    Counted under the cell of their latest meeting that year.
    """

    member = models.ForeignKey(Member, models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    cell = models.ForeignKey(OrgUnit, models.CASCADE, related_name="+")
    attended = models.PositiveIntegerField(default=0)
    convened = models.PositiveIntegerField(default=0)
    spoke = models.PositiveIntegerField(default=0, help_text="Meetings at which they spoke.")
    unexcused = models.PositiveIntegerField(default=0)
    unexcused_months = models.PositiveSmallIntegerField(default=0)
    # Months of the year already over whose party dues are unpaid without an exemption (domain §3, §11).
    dues_unpaid_months = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "meetings_memberyear"
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="memberyear_unique")]
        indexes = [
            models.Index(fields=["year", "cell"], name="memberyear_year_cell"),
            # the members flagged for removal across a province: a few hundred of its 60,000
            models.Index(fields=["year", "unexcused_months"], name="memberyear_year_unexcused"),
            models.Index(fields=["year", "dues_unpaid_months"], name="memberyear_year_dues_unpaid"),
        ]

    def __str__(self):
        return f"{self.member_id} {self.year}"


class CellYear(models.Model):
    """A cell's members in one year, summed from `MemberYear`: how many, flagged for removal, rarely speaking.

    The two flags follow REMOVAL_MONTHS and RARELY_SPEAKS_*: after changing those settings, run
    `manage.py summaries --rebuild` (`--check` shows the rows they changed).
    """

    cell = models.ForeignKey(OrgUnit, models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    members = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0)
    rarely = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "meetings_cellyear"
        constraints = [models.UniqueConstraint(fields=["cell", "year"], name="cellyear_unique")]
        indexes = [models.Index(fields=["year", "cell"], name="cellyear_year_cell")]

    def __str__(self):
        return f"{self.cell_id} {self.year}"


def report_path(report, filename):
    return f"reports/{report.month:%Y-%m}/{secrets.token_hex(8)}/{short_name(filename)}"


class DashboardReport(models.Model):
    """A committee's printable monthly report (PDF), built by a worker with its progress shown."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    unit = models.ForeignKey(OrgUnit, models.CASCADE, related_name="reports", verbose_name=_("unit"))
    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=report_path, blank=True, max_length=300)
    requested_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "meetings_dashboardreport"
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-requested_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_at_most_100")]

    def __str__(self):
        return f"{self.unit} {self.month:%m/%Y}"
