"""The dashboards: every figure against a hand count and against a direct count over the source records."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from chibo.months import add_months
from dashboards import figures as dashboard
from dashboards import summaries
from dashboards.period import Period
from meetings import services
from meetings.models import Attendance, Meeting
from members.models import Member
from minutes import workflow as minutes_workflow
from minutes.models import Contribution, Minutes, Vote
from resolutions import services as resolution_services
from resolutions.models import Resolution, Task

from .conftest import local

pytestmark = pytest.mark.django_db

P, L, E, U = "present", "late", "excused", "unexcused"
TODAY = "2026-11-20 10:00 +0700"


def at(when):
    return time_machine.travel(when, tick=False)


def held(cell, starts_at, marks, kind=Meeting.Kind.REGULAR, moved_from=None):
    """A meeting of `cell` held at `starts_at` with attendance {member: status}; optionally moved there first."""
    with at(moved_from or starts_at - timedelta(days=20)):
        meeting = services.create_meeting(
            Meeting(cell=cell, kind=kind, starts_at=moved_from or starts_at, place="Nhà văn hóa")
        )
    if moved_from:
        with at(moved_from - timedelta(days=5)):
            services.move(meeting, starts_at, "Trùng lịch thu hoạch")
    with at(starts_at + timedelta(hours=3)):
        services.record_attendance(
            meeting, {m.pk: (status, "Ốm" if status == E else "") for m, status in marks.items()}
        )
    return meeting


@pytest.fixture
def roll(cell, make_member):
    """One member of each category: the rule (domain §3) leaves out exempt and away members."""
    return {
        "a": make_member(cell, "Nguyễn Văn An"),
        "b": make_member(cell, "Trần Văn Bình"),
        "c": make_member(cell, "Lê Văn Cường"),
        "p": make_member(cell, "Phạm Thị Dự", official_on=None, admitted_on=date(2026, 3, 1),
                         status_since=date(2026, 3, 1)),
        "v": make_member(cell, "Hồ Văn Đến", status=Member.Status.VISITING),
        "x": make_member(cell, "Vũ Văn Miễn", status=Member.Status.EXEMPT, birth_date=date(1940, 1, 1)),
        "w": make_member(cell, "Đỗ Văn Đi", status=Member.Status.AWAY),
    }  # fmt: skip


@pytest.fixture
def history(cell, sibling_cell, roll, make_member, django_capture_on_commit_callbacks):
    """Four months of one cell's life, and a sibling cell without a committee; see the hand counts below."""
    r = roll
    with django_capture_on_commit_callbacks(execute=True):
        # August: the regular meeting moved from the 3rd to the 5th, then held; c absent without a reason.
        aug = held(cell, local(2026, 8, 5, 19, 30), {r["a"]: P, r["b"]: P, r["c"]: U, r["p"]: P, r["v"]: P,
                                                    r["x"]: E}, moved_from=local(2026, 8, 3, 19, 30))  # fmt: skip
        # September: the regular meeting on its day, and a thematic meeting.
        sep = held(cell, local(2026, 9, 3, 19, 30), {r["a"]: P, r["b"]: L, r["c"]: U, r["p"]: E, r["v"]: P,
                                                    r["x"]: P, r["w"]: E})  # fmt: skip
        held(cell, local(2026, 9, 20, 8, 0), {m: P for k, m in r.items() if k in "abcpv"}, Meeting.Kind.THEMATIC)
        # October: the regular meeting called off, an extraordinary one held, a committee meeting held.
        with at(local(2026, 9, 25, 9, 0)):
            october = services.create_meeting(Meeting(cell=cell, starts_at=local(2026, 10, 3, 19, 30), place="x"))
            services.cancel(october, "Bão")
        held(cell, local(2026, 10, 12, 19, 30), {r["a"]: P, r["b"]: P, r["c"]: U, r["p"]: P, r["v"]: P},
             Meeting.Kind.EXTRAORDINARY)  # fmt: skip
        held(cell, local(2026, 10, 1, 19, 30), {r["a"]: U, r["b"]: U}, Meeting.Kind.COMMITTEE)
        # November: planned for the 25th (still ahead on the 20th).
        with at(local(2026, 10, 20, 9, 0)):
            services.create_meeting(Meeting(cell=cell, starts_at=local(2026, 11, 25, 19, 30), place="x"))

        # Minutes: August's approved three days later, with two speakers; September's a draft.
        with at(local(2026, 8, 8, 9, 0)):
            aug_minutes = minutes_workflow.start(aug)
            Contribution.objects.create(minutes=aug_minutes, member=r["a"], summary="Ý kiến")
            Contribution.objects.create(minutes=aug_minutes, member=r["c"], summary="Ý kiến")
            # The chair's scores: full marks on each part Chibo does not compute.
            from minutes.quality import DEFAULT_WEIGHTS, ENTERED

            aug_minutes.quality_scores = {key: str(DEFAULT_WEIGHTS[key]) for key in ENTERED}
            aug_minutes.save(update_fields=["quality_scores"])
            minutes_workflow.approve(aug_minutes, None)
        with at(local(2026, 9, 4, 9, 0)):
            sep_minutes = minutes_workflow.start(sep)
            Contribution.objects.create(minutes=sep_minutes, member=r["a"], summary="Ý kiến")

        # A resolution from August with six tasks.
        with at(local(2026, 8, 8, 10, 0)):
            vote = Vote.objects.create(minutes=aug_minutes, subject="Nghị quyết", votes_for=3, base=3, passed=True)
            resolution = resolution_services.issue(
                Resolution.objects.create(cell=cell, meeting=aug, vote=vote, title="NQ tháng 8"), render=False
            )
        tasks = {}
        for key, deadline in [("on_time", date(2026, 9, 30)), ("late", date(2026, 9, 30)),
                              ("not_done", date(2026, 10, 31)), ("overdue", date(2026, 10, 15)),
                              ("overdue_now", date(2026, 11, 10)), ("open", date(2026, 12, 31))]:  # fmt: skip
            tasks[key] = Task.objects.create(resolution=resolution, title=key, responsible=r["a"], deadline=deadline)
        for key, status, on in [("on_time", "done", date(2026, 9, 25)), ("late", "done", date(2026, 10, 5)),
                                ("not_done", "not_done", date(2026, 11, 2))]:  # fmt: skip
            resolution_services.report_progress(tasks[key], None, status, 100, on=on)

        # The sibling cell: 9 official members and no committee; in September only a thematic meeting.
        sib = [make_member(sibling_cell, f"Ngô Văn Số {i}") for i in range(9)]
        held(sibling_cell, local(2026, 8, 4, 19, 30), dict.fromkeys(sib, P))
        held(sibling_cell, local(2026, 9, 10, 19, 30), dict.fromkeys(sib, P), Meeting.Kind.THEMATIC)
    return {"aug_minutes": Minutes.objects.get(pk=aug_minutes.pk), "tasks": tasks}


def year_2026():
    return Period.of("year", date(2026, 11, 1))


@at(TODAY)
def test_every_figure_of_a_cell_matches_the_hand_count(cell, history, settings):
    settings.RARELY_SPEAKS_MIN_ATTENDED, settings.RARELY_SPEAKS_PERCENT = 3, 25
    data = dashboard.build(cell, year_2026())
    t = data["total"]
    # Months since the first meeting (August) that are over: Aug, Sep, Oct. Held: Aug, Sep (October was
    # called off; the extraordinary meeting is no regular one). November is still under way.
    assert (t["regular_months"], t["regular_expected"], t["missed_months"], t["regular_rate"]) == (2, 3, 1, 66.7)
    # August was moved: one of the two on the planned day.
    assert (t["regular_on_day"], t["on_day_rate"]) == (1, 50.0)
    # Quarter ends since August that are over: September; the thematic meeting covers it.
    assert (t["thematic_covered"], t["thematic_expected"], t["thematic_held"]) == (1, 1, 1)
    # Base per meeting: a, b, c, p, v (exempt x and away w left out) = 5, at 4 meetings (the committee's
    # meeting is not one of the cell's). Present: Aug 4, Sep 3 (b late counts), thematic 5, October 4.
    assert (t["attendance_present"], t["attendance_base"], t["attendance_rate"]) == (16, 20, 80.0)
    # c without a reason in Aug, Sep and Oct; with a reason: p in September (x is exempt, w away).
    assert (t["unexcused"], t["excused"]) == (3, 1)
    # Minutes due for held regular and thematic meetings: 3; approved: August's, three days after.
    assert (t["minutes_due"], t["minutes_approved"], t["minutes_unapproved"], t["minutes_delay"]) == (3, 1, 2, 3.0)
    grade = history["aug_minutes"].quality_grade
    assert grade and t[f"grade_{grade}"] == 1 and t["graded"] == 1
    # Tasks by deadline: one on time, one late, one not done, two overdue (October's and November 10th's),
    # one still open.
    assert (t["resolutions_issued"], t["tasks_on_time"], t["tasks_late"], t["tasks_not_done"]) == (1, 1, 1, 1)
    assert (t["tasks_overdue"], t["tasks_open"], t["tasks_on_time_rate"]) == (2, 1, 20.0)
    # c: unexcused in three months → flagged. Attended ≥ 3 and spoke at < 25%: b, p, v (a spoke at 2 of 4).
    members = {row["member"].full_name: row for row in data["members"]}
    assert [row["member"].full_name for row in data["members"] if row["flagged"]] == ["Lê Văn Cường"]
    assert sorted(n for n, row in members.items() if row["rarely"]) == ["Hồ Văn Đến", "Phạm Thị Dự", "Trần Văn Bình"]
    assert (members["Nguyễn Văn An"]["attended"], members["Nguyễn Văn An"]["spoke"]) == (4, 2)
    assert (t["flagged"], t["rarely"]) == (1, 3)


@at(TODAY)
def test_a_thematic_meeting_is_no_regular_one_and_a_large_cell_needs_a_committee(sibling_cell, history):
    t = dashboard.build(sibling_cell, year_2026())["total"]
    # August held; September had only a thematic meeting; October nothing.
    assert (t["regular_months"], t["regular_expected"], t["missed_months"]) == (1, 3, 2)
    assert (t["thematic_covered"], t["thematic_expected"]) == (1, 1)
    assert (t["committee_required"], t["committee_missing"]) == (1, 1)


@at(TODAY)
def test_figures_roll_up_from_cells_to_the_commune_and_the_province(province, commune, cell, sibling_cell, history):
    period = year_2026()
    by_cell = {c.pk: dashboard.build(c, period)["total"] for c in (cell, sibling_cell)}
    commune_data = dashboard.build(commune, period)
    province_data = dashboard.build(province, period)
    for key in ("regular_months", "regular_expected", "attendance_present", "attendance_base", "unexcused",
                "minutes_approved", "tasks_overdue", "flagged", "committee_missing", "thematic_covered"):  # fmt: skip
        expected = by_cell[cell.pk][key] + by_cell[sibling_cell.pk][key]
        assert commune_data["total"][key] == expected, key
        assert province_data["total"][key] == expected, key  # the other commune's cell has no meeting
    (commune_row,) = [c for c in province_data["children"] if c["pk"] == commune.pk]
    assert commune_row["attendance_rate"] == commune_data["total"]["attendance_rate"]
    assert commune_row["cells"] == 2
    # The lists that ask for action name both cells for missed months, the sibling for its committee.
    assert {r["name"] for r in commune_data["action"]["overdue"]} == {cell.name, sibling_cell.name}
    assert [r["name"] for r in commune_data["action"]["committee"]] == [sibling_cell.name]
    # Minutes not approved: the cell's September pair, the sibling's two (it wrote none).
    unapproved = {r["name"]: r["minutes_unapproved"] for r in commune_data["action"]["unapproved"]}
    assert unapproved == {cell.name: 2, sibling_cell.name: 2}


@pytest.fixture
def two_years(cell, roll, django_capture_on_commit_callbacks):
    """Regular meetings from October 2025 to August 2026 (not every month), one approved minutes, an absence."""
    r = roll
    with django_capture_on_commit_callbacks(execute=True):
        for year, month in [(2025, 10), (2025, 12), (2026, 1), (2026, 3), (2026, 4), (2026, 8)]:
            absent = U if (year, month) in [(2025, 12), (2026, 4)] else P
            meeting = held(cell, local(year, month, 5, 19, 30), {r["a"]: P, r["b"]: absent, r["v"]: L})
        with at(local(2026, 8, 9, 9, 0)):
            minutes_workflow.approve(minutes_workflow.start(meeting), None)


@at(TODAY)
@pytest.mark.parametrize(
    "first, last",
    [((2025, 11), (2026, 2)), ((2026, 2), (2026, 8)), ((2025, 10), (2026, 12)), ((2026, 4), (2026, 4)),
     ((2025, 12), (2027, 1))],
)  # fmt: skip
def test_a_span_of_months_counts_what_its_months_count(cell, two_years, first, last):
    """Spans read from the cells' years to date: across a new year, starting after January, running into
    this month and beyond it. Each equals a direct count of its meetings and the sum of its months."""
    period = Period("custom", date(*first, 1), date(*last, 1))
    span = dashboard.build(cell, period)["total"]
    direct = direct_count(cell, period.start, add_months(period.end, 1))
    assert (span["attendance_base"], span["attendance_present"], span["unexcused"], span["minutes_approved"],
            span["regular_months"]) == (direct["attendance_base"], direct["attendance_present"], direct["unexcused"],
                                        direct["minutes_approved"], direct["regular_held_months"])  # fmt: skip
    by_month = [dashboard.build(cell, Period.of("month", month))["total"] for month in period.months]
    for key in ("regular_months", "regular_expected", "missed_months", "thematic_covered", "thematic_expected",
                "attendance_base", "attendance_present", "unexcused", "minutes_due", "minutes_approved",
                "tasks_overdue", "late_meeting"):  # fmt: skip
        assert span[key] == sum(row[key] for row in by_month), key


def test_the_check_finds_a_year_to_date_out_of_step_and_a_rebuild_mends_it(cell, two_years):
    from dashboards.models import CellYearToDate

    with at(TODAY):
        before = dashboard.build(cell, year_2026())["total"]
    assert summaries.check() == []
    CellYearToDate.objects.filter(cell=cell, month=date(2026, 5, 1)).update(base_core=99)
    assert summaries.check() == [("cell_years_to_date", (cell.pk, date(2026, 5, 1)), "base_core", 99, 6)]
    summaries.rebuild()
    assert summaries.check() == []
    with at(TODAY):
        assert dashboard.build(cell, year_2026())["total"] == before


@at(TODAY)
def test_a_month_and_a_quarter_count_only_their_own_meetings(cell, history):
    september = dashboard.build(cell, Period.of("month", date(2026, 9, 1)))["total"]
    assert (september["regular_months"], september["attendance_present"], september["attendance_base"]) == (1, 8, 10)
    q3 = dashboard.build(cell, Period.of("quarter", date(2026, 8, 1)))["total"]
    assert (q3["regular_months"], q3["regular_expected"], q3["thematic_covered"], q3["thematic_expected"]) == (
        2, 2, 1, 1,
    )  # fmt: skip
    custom = Period("custom", date(2026, 10, 1), date(2026, 11, 1))
    october_on = dashboard.build(cell, custom)["total"]
    assert (october_on["regular_months"], october_on["regular_expected"], october_on["missed_months"]) == (0, 1, 1)


@at(TODAY)
def test_the_summary_tables_agree_with_a_direct_count_after_the_history(history):
    assert summaries.check() == []


def test_the_trend_shows_the_last_twelve_months(cell, history):
    with at(TODAY):
        series = dashboard.build(cell, year_2026())["trend"]
    assert series[0]["month"] == date(2025, 12, 1)
    assert series[-1]["month"] == date(2026, 11, 1)
    by_month = {row["month"]: row for row in series}
    assert by_month[date(2026, 9, 1)]["attendance_rate"] == 80.0  # (3 + 5) of (5 + 5)
    assert by_month[date(2026, 10, 1)]["regular_rate"] == 0.0
    assert by_month[date(2026, 10, 1)]["tasks_overdue"] == 1  # the task due on 15/10, still open
    assert by_month[date(2026, 11, 1)]["tasks_overdue"] == 1  # the task due on 10/11, still open on the 20th


def direct_count(cell, start, end_excluded):
    """The cell's figures counted the plain way, meeting by meeting, for comparison with the dashboard."""
    meetings = [
        m
        for m in Meeting.objects.filter(cell=cell).exclude(kind=Meeting.Kind.COMMITTEE).prefetch_related("attendances")
        if start <= timezone.localtime(m.starts_at).date() < end_excluded and m.status == Meeting.Status.HELD
    ]
    counted = {"official", "probationary", "visiting"}
    base = present = unexcused = 0
    for meeting in meetings:
        for a in meeting.attendances.all():
            if a.category in counted:
                base += 1
                present += a.status in (P, L)
            if a.category not in ("exempt", "away") and a.status == U:
                unexcused += 1
    regular_months = {timezone.localtime(m.starts_at).month for m in meetings if m.kind == Meeting.Kind.REGULAR}
    approved = Minutes.objects.filter(
        meeting__in=[m for m in meetings if m.kind in ("regular", "thematic")], status__in=["approved", "locked"]
    ).count()
    return {
        "attendance_base": base,
        "attendance_present": present,
        "unexcused": unexcused,
        "regular_held_months": len(regular_months),
        "minutes_approved": approved,
    }


@at(TODAY)
def test_the_demo_data_dashboards_equal_a_direct_count(django_capture_on_commit_callbacks):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert summaries.check() == []
    from members.models import OrgUnit

    period = Period.of("year", date(2026, 11, 1))
    province = OrgUnit.objects.get(parent=None)
    cells = dashboard.build(province, period)["cells"]
    assert len(cells) == OrgUnit.objects.cells().count()
    for cell in OrgUnit.objects.cells():
        direct = direct_count(cell, date(2026, 1, 1), date(2027, 1, 1))
        row = cells[cell.pk]
        assert row["attendance_base"] == direct["attendance_base"], cell
        assert row["attendance_present"] == direct["attendance_present"], cell
        assert row["unexcused"] == direct["unexcused"], cell
        assert row["regular_months"] == direct["regular_held_months"], cell
        assert row["minutes_approved"] == direct["minutes_approved"], cell
    assert sum(r["attendance_base"] for r in cells.values()) > 500  # the demo has a year of meetings


# --- the summary rows follow each kind of change --------------------------------------------------------


def test_recording_attendance_through_the_page_refreshes_the_summary(client, secretary, cell, roll):
    meeting = services.create_meeting(Meeting(cell=cell, starts_at=timezone.now() - timedelta(hours=3), place="x"))
    client.force_login(secretary)
    data = {f"status-{m.pk}": P for m in Member.objects.filter(cell=cell)} | {f"status-{roll['c'].pk}": U}
    response = client.post(reverse("meetings:attendance", args=[meeting.pk]), data)
    assert response.status_code == 302
    assert Attendance.objects.filter(meeting=meeting).count() == len(roll) + 1  # and the secretary
    assert summaries.check() == []
    month = summaries.month_of(meeting.starts_at)
    row = summaries.CellMonth.objects.get(cell=cell, month=month)
    assert (row.regular_held, row.unexcused) == (1, 1)


def test_the_summary_follows_changes_made_outside_a_request(cell, history, roll, django_capture_on_commit_callbacks):
    aug = Meeting.objects.get(cell=cell, starts_at=local(2026, 8, 5, 19, 30))
    with django_capture_on_commit_callbacks(execute=True), at(local(2026, 8, 6, 9, 0)):
        services.record_attendance(aug, {roll["c"].pk: (P, "")})  # a correction
    assert summaries.check() == []
    with django_capture_on_commit_callbacks(execute=True):
        minutes = Minutes.objects.get(meeting__starts_at=local(2026, 9, 3, 19, 30))
        with at(local(2026, 9, 10, 9, 0)):
            minutes_workflow.approve(minutes, None)
    assert summaries.check() == []
    with django_capture_on_commit_callbacks(execute=True):
        from members import services as member_services

        member_services.change_status(roll["b"], Member.Status.EXEMPT, date(2026, 11, 1))
    assert summaries.check() == []
    with django_capture_on_commit_callbacks(execute=True):
        task = history["tasks"]["overdue"]
        task.deadline = date(2027, 1, 15)
        task.save()
    assert summaries.check() == []
    with django_capture_on_commit_callbacks(execute=True), at(local(2026, 11, 21, 9, 0)):
        upcoming = Meeting.objects.get(cell=cell, starts_at=local(2026, 11, 25, 19, 30))
        services.cancel(upcoming, "Bão")
    assert summaries.check() == []
    with at(TODAY):
        t = dashboard.build(cell, year_2026())["total"]
    assert t["unexcused"] == 2 and t["minutes_approved"] == 2 and t["tasks_overdue"] == 1


def test_a_member_import_counts_the_roll_again(cell, secretary, django_capture_on_commit_callbacks):
    from members.imports import save_rows

    class Row:
        values = {"full_name": "Đinh Văn Mới", "gender": "male", "admitted_on": date(2010, 1, 1),
                  "official_on": date(2011, 1, 1)}  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        save_rows([Row(), Row()], cell, None)
    status = summaries.CellStatus.objects.get(cell=cell)
    assert (status.on_roll, status.official) == (3, 3)  # the secretary and the two imported
    assert summaries.check() == []


@at(TODAY)
def test_members_on_special_duty_are_out_of_the_rate_and_prosecuted_members_in_it(
    cell, make_member, django_capture_on_commit_callbacks
):
    a, b = make_member(cell, "Nguyễn Văn An"), make_member(cell, "Trần Văn Bình")
    soldier = make_member(cell, "Quân Văn Đội", status=Member.Status.SPECIAL_DUTY)
    detained = make_member(cell, "Trịnh Văn Giam", status=Member.Status.PROSECUTED)
    with django_capture_on_commit_callbacks(execute=True):
        held(cell, local(2026, 10, 3, 19, 30), {a: P, b: P, soldier: U, detained: E})
    t = dashboard.build(cell, year_2026())["total"]
    # Base: a, b and the member detained (the rule leaves them out of the vote base only); the soldier on
    # special duty is not expected, so their mark is no absence.
    assert (t["attendance_present"], t["attendance_base"], t["attendance_rate"]) == (2, 3, 66.7)
    assert (t["unexcused"], t["excused"]) == (0, 1)
    assert summaries.check() == []
