"""The dashboard pages, their exports and the monthly report: what a committee's viewer sees and downloads."""

import csv
import io
import unicodedata
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dashboards.models import DashboardReport
from meetings import services
from meetings.models import Meeting
from members.models import Member, OrgUnit

from ..conftest import wait_for
from .conftest import local

pytestmark = pytest.mark.django_db
TODAY = "2026-11-20 10:00 +0700"


def hold(cell, starts_at, absent=()):
    """A regular meeting held at `starts_at`: everyone present but `absent` (without a reason)."""
    with time_machine.travel(starts_at - timedelta(days=10), tick=False):
        meeting = services.create_meeting(Meeting(cell=cell, starts_at=starts_at, place="Nhà văn hóa"))
    marks = {m.pk: ("unexcused" if m in absent else "present", "") for m in Member.objects.filter(cell=cell)}
    with time_machine.travel(starts_at + timedelta(hours=3), tick=False):
        services.record_attendance(meeting, marks)
    return meeting


@pytest.fixture
def meetings(
    cell, sibling_cell, other_cell, secretary, member, outsider, make_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        late = make_member(cell, "Bùi Văn Vắng")
        for month in (9, 10):
            hold(cell, local(2026, month, 3, 19, 30), absent=[late])
        make_member(sibling_cell, "Cao Thị Đủ")
        hold(sibling_cell, local(2026, 10, 5, 19, 30))
        hold(other_cell, local(2026, 10, 7, 19, 30))


def page(client, name, unit, **query):
    return client.get(reverse(name, args=[unit.pk]), query)


@time_machine.travel(TODAY, tick=False)
def test_a_commune_viewer_sees_its_cells_and_drills_down_to_a_meeting(client, commune_viewer, commune, cell, meetings):
    client.force_login(commune_viewer)
    response = page(client, "meetings:dashboard", commune)
    html = response.content.decode()
    assert response.status_code == 200
    assert cell.name in html and "Chi bộ thôn Đoài" in html
    assert "Chi bộ khu phố 1" not in html  # the other commune's cell
    assert reverse("meetings:dashboard", args=[cell.pk]) in html
    cell_page = page(client, "meetings:dashboard", cell).content.decode()
    breadcrumb = cell_page.split('class="breadcrumb"')[1].split("</ol>")[0]
    assert commune.name in breadcrumb and "Đảng bộ tỉnh" not in breadcrumb  # the province is not theirs to see
    september = Meeting.objects.get(cell=cell, starts_at=local(2026, 9, 3, 19, 30))
    assert reverse("meetings:detail", args=[september.pk]) in cell_page
    assert "Bùi Văn Vắng" in cell_page
    assert client.get(reverse("meetings:detail", args=[september.pk])).status_code == 200


@time_machine.travel(TODAY, tick=False)
def test_the_figures_on_the_page_are_the_counted_ones(client, commune_viewer, commune, meetings):
    client.force_login(commune_viewer)
    html = page(client, "meetings:dashboard", commune, period="month", month="2026-10").content.decode()
    # October: the cell (secretary, member, Bùi Văn Vắng: 2 of 3) and the sibling (1 of 1): 3 of 4 present.
    assert 'data-figure="attendance_rate">75,0 %' in html
    assert 'data-figure="unexcused">1<' in html
    assert "10/2026" in html


@time_machine.travel(TODAY, tick=False)
def test_a_viewer_of_one_commune_never_gets_another_communes_cells(client, commune_viewer, other_commune, other_cell,
                                                                  meetings):  # fmt: skip
    client.force_login(commune_viewer)
    for name in ("meetings:dashboard", "meetings:dashboard_cells", "meetings:dashboard_members"):
        assert page(client, name, other_commune).status_code == 404
        assert page(client, name, other_cell).status_code == 404
    url = reverse("meetings:dashboard_export", args=[other_cell.pk, "dashboard", "xlsx"])
    assert client.get(url).status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_the_province_export_of_a_commune_viewer_holds_only_its_commune(client, commune_viewer, province_viewer,
                                                                        commune, province, meetings):  # fmt: skip
    client.force_login(commune_viewer)
    assert page(client, "meetings:dashboard", province).status_code == 404
    response = client.get(reverse("meetings:dashboard_export", args=[commune.pk, "cells", "csv"]))
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["Chi bộ thôn Đoài", "Chi bộ thôn Đông"]
    client.force_login(province_viewer)
    response = client.get(reverse("meetings:dashboard_export", args=[province.pk, "cells", "csv"]))
    names = [r[0] for r in csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff")))][1:]
    assert "Chi bộ khu phố 1" in names and len(names) == 3


@time_machine.travel(TODAY, tick=False)
def test_the_excel_export_has_a_sheet_per_table_with_the_figures(client, province_viewer, province, commune, meetings):
    client.force_login(province_viewer)
    response = client.get(reverse("meetings:dashboard_export", args=[province.pk, "dashboard", "xlsx"]), {
        "period": "month", "month": "2026-10"})  # fmt: skip
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames[:3] == ["Tổng hợp", "Chi bộ", "12 tháng gần nhất"]
    rows = list(book["Tổng hợp"].values)
    header, province_row = rows[0], rows[1]  # the header first: the title is in the workbook's properties
    figures = dict(zip(header, province_row, strict=True))
    assert figures["Tổ chức"] == province.name
    assert figures["Chi bộ"] == 3
    assert figures["Số tháng có sinh hoạt thường kỳ"] == 3  # each cell held its October meeting
    assert figures["Vắng không lý do"] == 1


@time_machine.travel(TODAY, tick=False)
def test_a_cell_name_that_looks_like_a_formula_is_exported_as_text(client, province_viewer, province, cell, meetings):
    OrgUnit.objects.filter(pk=cell.pk).update(name='=HYPERLINK("http://example.com","x")')
    client.force_login(province_viewer)
    response = client.get(reverse("meetings:dashboard_export", args=[province.pk, "cells", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content))["Tất cả chi bộ"]
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert '=HYPERLINK("http://example.com","x")' in names  # the name as the cell wrote it…
    assert all(row[0].data_type == "s" for row in sheet.iter_rows(min_row=2))  # …as text, never a formula


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    "query",
    [
        {"period": "custom", "start": "2026-13", "end": "2026-14"},
        {"period": "custom", "start": "2026-10", "end": "2026-01"},
        {"period": "custom", "start": "2020-01", "end": "2026-01"},
        {"period": "month", "month": "abc"},
        {"period": "month", "month": "99999-01"},
        {"period": "nonsense"},
        {"page": "x", "sort": "drop table", "show": "<script>"},
    ],
)
def test_a_bad_period_is_explained_and_the_year_shown(client, commune_viewer, commune, meetings, query):
    client.force_login(commune_viewer)
    for name in ("meetings:dashboard", "meetings:dashboard_cells", "meetings:dashboard_members"):
        response = page(client, name, commune, **query)
        assert response.status_code == 200
        assert "Năm 2026" in response.content.decode()
    export = client.get(reverse("meetings:dashboard_export", args=[commune.pk, "cells", "csv"]), query)
    assert export.status_code == 200


def test_an_unknown_export_is_a_404(client, commune_viewer, commune):
    client.force_login(commune_viewer)
    for what, fmt in [("dashboard", "pdf"), ("secrets", "csv"), ("cells", "xlsx.exe"), ("cells", "csv-word"),
                      ("cells", "CSV"), ("members", "csv-excel.exe")]:  # fmt: skip
        assert client.get(reverse("meetings:dashboard_export", args=[commune.pk, what, fmt])).status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_the_cells_list_sorts_weakest_first_and_pages(client, commune_viewer, commune, cell, meetings):
    client.force_login(commune_viewer)
    html = page(client, "meetings:dashboard_cells", commune, sort="attendance").content.decode()
    # The cell: 4 of 6 present (Bùi Văn Vắng missed both); the sibling 1 of 1.
    assert html.index(cell.name) < html.index("Chi bộ thôn Đoài")
    assert "66,7 %" in html
    html = page(client, "meetings:dashboard_cells", commune, show="committee").content.decode()
    assert cell.name not in html.split('id="cells"')[1]


@time_machine.travel(TODAY, tick=False)
def test_the_flagged_members_list_names_those_with_three_months_unexcused(
    client, commune_viewer, commune, cell, meetings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        hold(cell, local(2026, 11, 3, 19, 30), absent=list(Member.objects.filter(full_name="Bùi Văn Vắng")))
    client.force_login(commune_viewer)
    html = page(client, "meetings:dashboard_members", commune).content.decode()
    rows = html.split('id="member-list"')[1]
    assert "Bùi Văn Vắng" in rows and "Lê Thị Hoa" not in rows
    assert "Bùi Văn Vắng" in page(client, "meetings:dashboard", commune).content.decode().split('id="flagged"')[1]


# --- query counts: the same whatever the number of cells ---------------------------------------------------


def more_cells(commune, n, make_member):
    from tests.conftest import unit

    for i in range(n):
        extra = unit(f"EXTRA{i}", OrgUnit.Kind.CELL, commune, name=f"Chi bộ Xóm {i}")
        make_member(extra, f"Đào Văn Xóm {i}")
        hold(extra, local(2026, 10, 9, 19, 30))


@pytest.fixture(params=[0, 12], ids=["as-it-is", "12-more-cells"])
def sized_commune(request, commune, meetings, make_member, django_capture_on_commit_callbacks):
    """The commune, as it is and with 12 more cells that each held a meeting: a page's queries are the same."""
    with time_machine.travel(TODAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        more_cells(commune, request.param, make_member)
    return commune


@time_machine.travel(TODAY, tick=False)
def test_a_commune_dashboard_costs_the_same_queries_whatever_its_size(
    client, commune_viewer, sized_commune, django_assert_num_queries
):
    commune = sized_commune
    client.force_login(commune_viewer)
    url = reverse("meetings:dashboard", args=[commune.pk])
    # session, the user with their access (the commune, one of their units, comes with it); the units below and
    # above; each cell with its roll, its members' year, its sums and its tasks overdue this month; the trend;
    # flagged members; the latest reports; what the messages cost.
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("extra_meetings", [0, 6])
@time_machine.travel(TODAY, tick=False)
def test_a_cells_dashboard_costs_the_same_queries_whatever_its_history(
    client, secretary, cell, meetings, extra_meetings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for month in range(1, extra_meetings + 1):
            hold(cell, local(2026, month, 3, 19, 30))
    client.force_login(secretary)
    # session, the user with their access (their cell comes with it); the units above; the cell with its roll, its
    # sums and its tasks overdue this month; the members' year; the trend; the meetings with their counts;
    # reports; what the messages cost.
    with django_assert_num_queries(9):
        assert client.get(reverse("meetings:dashboard", args=[cell.pk])).status_code == 200


@time_machine.travel(TODAY, tick=False)
def test_the_cells_list_costs_the_same_queries_whatever_its_size(
    client, commune_viewer, sized_commune, django_assert_num_queries
):
    commune = sized_commune
    client.force_login(commune_viewer)
    # session, the user with their access (the commune comes with it); its ancestors; the units below; each cell
    # with its roll, its members' year, its sums and its overdue tasks.
    with django_assert_num_queries(5):
        assert page(client, "meetings:dashboard_cells", commune, sort="attendance").status_code == 200


# --- the monthly report ------------------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_a_report_for_a_month_to_come_or_no_month_is_refused(client, commune_viewer, commune):
    client.force_login(commune_viewer)
    url = reverse("meetings:report_request", args=[commune.pk])
    for data in ({}, {"month": "2026-12"}, {"month": "garbage"}, {"month": "1999-01"}):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert DashboardReport.objects.count() == 0
    assert (
        "Chỉ lập báo cáo cho tháng đã bắt đầu." in client.post(url, {"month": "2026-12"}, follow=True).content.decode()
    )


def test_a_report_is_built_by_the_worker_with_its_progress(celery_worker, client, commune_viewer, commune, cell,
                                                          secretary, member):  # fmt: skip
    from pypdf import PdfReader

    today = timezone.localdate()
    hold(cell, local(today.year, today.month, 1, 10, 0))  # this month in Vietnam, whatever the hour in UTC
    client.force_login(commune_viewer)
    month = timezone.localdate().strftime("%Y-%m")
    response = client.post(reverse("meetings:report_request", args=[commune.pk]), {"month": month})
    report = DashboardReport.objects.get()
    assert response.status_code == 302 and f"report={report.pk}" in response["Location"]
    status_url = reverse("meetings:report_status", args=[report.pk])
    assert wait_for(lambda: client.get(status_url).json()["status"] == "ready", seconds=90)
    state = client.get(status_url).json()
    assert state["progress"] == 100 and state["url"] == reverse("meetings:report_file", args=[report.pk])
    content = b"".join(client.get(state["url"]).streaming_content)
    text = unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))
    assert "BÁO CÁO" in text and commune.name.upper() in text.upper() and cell.name in text
    assert f"tháng {timezone.localdate():%m} năm {timezone.localdate():%Y}" in text
    html = client.get(reverse("meetings:dashboard", args=[commune.pk])).content.decode()
    assert reverse("meetings:report_file", args=[report.pk]) in html


def test_a_report_task_delivered_twice_builds_once(commune, cell):
    from dashboards.tasks import build_dashboard_report

    report = DashboardReport.objects.create(unit=commune, month=date(2026, 10, 1))
    assert build_dashboard_report.apply(args=[report.pk]).get() == "ready"
    assert build_dashboard_report.apply(args=[report.pk]).get() == "not claimed"
    report.refresh_from_db()
    assert report.status == "ready" and report.file.read().startswith(b"%PDF")


# --- figures kept between requests ---------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_kept_figures_give_way_to_a_change_below_at_once(client, province_viewer, province, commune, cell,
                                                        meetings, django_capture_on_commit_callbacks,
                                                        django_assert_max_num_queries):  # fmt: skip
    client.force_login(province_viewer)

    def figure(unit):
        html = page(client, "meetings:dashboard", unit, period="month", month="2026-11").content.decode()
        return html.split('data-figure="unexcused">')[1].split("<")[0]

    assert (figure(province), figure(commune), figure(cell)) == ("0", "0", "0")
    with django_assert_max_num_queries(9):  # kept: no figure is counted again
        assert figure(commune) == "0"
    with django_capture_on_commit_callbacks(execute=True):
        hold(cell, local(2026, 11, 3, 19, 30), absent=list(Member.objects.filter(full_name="Bùi Văn Vắng")))
    assert (figure(province), figure(commune), figure(cell)) == ("1", "1", "1")


@time_machine.travel(TODAY, tick=False)
def test_kept_figures_give_way_to_a_renamed_cell(client, commune_viewer, commune, cell, meetings,
                                                django_capture_on_commit_callbacks):  # fmt: skip
    client.force_login(commune_viewer)
    assert cell.name in page(client, "meetings:dashboard", commune).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        cell.name = "Chi bộ thôn Đông Mới"
        cell.save()
    assert "Chi bộ thôn Đông Mới" in page(client, "meetings:dashboard", commune).content.decode()


@time_machine.travel(TODAY, tick=False)
def test_kept_figures_are_never_another_periods(client, commune_viewer, commune, meetings):
    client.force_login(commune_viewer)
    october = page(client, "meetings:dashboard", commune, period="month", month="2026-10").content.decode()
    september = page(client, "meetings:dashboard", commune, period="month", month="2026-09").content.decode()
    assert 'data-figure="attendance_rate">75,0 %' in october
    assert 'data-figure="attendance_rate">66,7 %' in september  # the cell alone: 2 of 3


def test_on_the_first_of_january_the_dashboard_still_shows_a_december_missed(
    client, commune_viewer, commune, cell, secretary, member, django_capture_on_commit_callbacks
):
    """Regular meetings every month of 2026 but December, thematic ones in Q1–Q3: the default period on
    1 January is the year just ended, with its December and fourth quarter missed."""
    with django_capture_on_commit_callbacks(execute=True):
        for month in range(1, 12):
            hold(cell, local(2026, month, 3, 19, 30))
        for month in (2, 5, 8):
            with time_machine.travel(local(2026, month, 1, 9, 0), tick=False):
                thematic = Meeting(cell=cell, kind=Meeting.Kind.THEMATIC, place="Nhà văn hóa",
                                   starts_at=local(2026, month, 20, 19, 30), status=Meeting.Status.HELD)  # fmt: skip
                services.create_meeting(thematic)
    with time_machine.travel("2027-01-01 08:00 +0700", tick=False):
        client.force_login(commune_viewer)
        response = page(client, "meetings:dashboard", commune)
        cells = page(client, "meetings:dashboard_cells", commune, show="overdue")
    assert str(response.context["period"].label) == "Năm 2026"
    total = response.context["data"]["total"]
    assert (total["regular_months"], total["regular_expected"], total["missed_months"]) == (11, 12, 1)
    assert (total["thematic_covered"], total["thematic_expected"]) == (3, 4)
    assert [row["name"] for row in cells.context["page"]] == [cell.name]
