"""Party dues on the dashboards (issue 16): the collection rate, the members in arrears and the months whose
dues report was not sent, per cell and rolled up to the commune, kept up to date by the summary rows."""

import io
import re
from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from dashboards import figures, summaries
from dashboards.models import CellMonth, CellStatus
from dashboards.period import Period
from dues.models import DuesEntry, DuesReport
from tests.dues.helpers import book_lines

pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 7, 10, 9)


@pytest.fixture(autouse=True)
def _july_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def dues_cell(cell, sibling_cell, make_member, secretary, django_capture_on_commit_callbacks):
    """Four members owing 10.000 a month from January to June; Lan paid January–March only (three months in
    arrears). Reports sent for January–May; June's is missing. The sibling cell keeps no dues book."""
    members = [make_member(cell, name) for name in ("Nguyễn Văn An", "Phạm Thị Lan", "Lê Văn Cường")]
    with django_capture_on_commit_callbacks(execute=True):
        for member in [*members, cell.members.get(full_name="Trần Văn Bí")]:
            paid = {1: 10_000, 2: 10_000, 3: 10_000} if member.full_name == "Phạm Thị Lan" else 10_000
            book_lines(cell, member, 2026, range(1, 7), due=10_000, paid=paid)
        for month in range(1, 6):
            DuesReport.objects.create(
                cell=cell, month=date(2026, month, 1), due=40_000, collected=40_000, status="sent",
                sent_at=datetime(2026, month, 28, 9).astimezone(),
            )  # fmt: skip
    return cell


def year_figures(unit):
    return figures.build(unit, Period.of("year", date(2026, 1, 1)), date(2026, 7, 10))


def test_a_cell_with_one_member_three_months_in_arrears(dues_cell, commune):
    cell_row = year_figures(dues_cell)["total"]
    assert cell_row["dues_due"] == 240_000
    assert cell_row["dues_collected"] == 210_000
    assert cell_row["dues_rate"] == 87.5
    assert (cell_row["dues_in_arrears"], cell_row["dues_arrears"]) == (1, 30_000)
    assert cell_row["dues_unreported"] == 1  # June, over, without its report
    # Rolled up: the commune's figures are the cell's (the sibling has no dues book: nothing due, no rate).
    data = year_figures(commune)
    assert (data["total"]["dues_rate"], data["total"]["dues_in_arrears"], data["total"]["dues_unreported"]) == (
        87.5,
        1,
        1,
    )
    sibling = next(row for row in data["cells"].values() if row["pk"] != dues_cell.pk)
    assert sibling["dues_rate"] is None and sibling["dues_in_arrears"] == 0
    # The summary rows equal a fresh count.
    assert summaries.check() == []


def test_a_draft_report_is_not_sent_and_the_current_month_is_not_yet_late(dues_cell):
    DuesReport.objects.create(cell=dues_cell, month=date(2026, 6, 1), status="draft")
    book_lines(dues_cell, dues_cell.members.get(full_name="Nguyễn Văn An"), 2026, [7], due=10_000)
    summaries.rebuild()
    row = year_figures(dues_cell)["total"]
    assert row["dues_unreported"] == 1  # June's report is a draft; July has not ended
    assert row["dues_in_arrears"] == 1  # An owes July, which has not ended: not in arrears


def test_a_payment_changes_the_figures_on_the_commune_dashboard(
    client, commune, commune_viewer, dues_cell, django_capture_on_commit_callbacks
):
    client.force_login(commune_viewer)
    page = client.get(reverse("meetings:dashboard", args=[commune.pk])).content.decode()
    assert re.search(r'data-figure="dues_rate">87,5 %<', page)
    assert "210.000 trên 240.000 đồng phải nộp" in page
    assert "1 đảng viên nợ đảng phí" in page and "(30.000 đ)" in page
    assert "1 tháng chưa gửi báo cáo đảng phí" in page
    # Lan pays April, May and June: the summary rows follow, and the kept figures are forgotten.
    with django_capture_on_commit_callbacks(execute=True):
        for entry in DuesEntry.objects.filter(member__full_name="Phạm Thị Lan", paid=0):
            entry.paid = 10_000
            entry.save(update_fields=["paid"])
    assert CellStatus.objects.get(cell=dues_cell).dues_in_arrears == 0
    assert CellMonth.objects.get(cell=dues_cell, month=date(2026, 6, 1)).dues_owed == 0
    page = client.get(reverse("meetings:dashboard", args=[commune.pk])).content.decode()
    assert re.search(r'data-figure="dues_rate">100,0 %<', page)
    assert "0 đảng viên nợ đảng phí" in page


def test_the_cells_list_and_its_export_show_the_dues(client, commune, commune_viewer, dues_cell):
    client.force_login(commune_viewer)
    page = client.get(reverse("meetings:dashboard_cells", args=[commune.pk]), {"sort": "dues"}).content.decode()
    rows = re.findall(r"<tr>(.*?)</tr>", page.split('id="cells"')[1], re.S)
    first = rows[1]
    assert dues_cell.name in first  # the only cell with a rate comes first; the sibling has none
    assert re.search(r'data-figure="dues_rate">87,5 % <span class="badge[^>]*>1</span>', first)
    assert re.search(r'data-figure="dues_in_arrears">1<', first)
    response = client.get(reverse("meetings:dashboard_export", args=[commune.pk, "cells", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, sheet[2 if sheet["A2"].value == dues_cell.name else 3], strict=True))
    assert row["Tỷ lệ thu đảng phí (%)"].value == pytest.approx(0.875)
    assert row["Đảng phí phải nộp (đồng)"].value == 240_000
    assert row["Đảng phí phải nộp (đồng)"].number_format == "#,##0"
    assert row["Đảng viên nợ đảng phí"].value == 1
    assert row["Số tiền nợ đảng phí (đồng)"].value == 30_000
    assert row["Tháng chưa gửi báo cáo đảng phí"].value == 1


def test_a_payment_through_the_dues_services_and_the_nightly_recount_reach_the_summary_rows(
    dues_cell, secretary, django_capture_on_commit_callbacks
):
    from dashboards.tasks import refresh_cell_rolls
    from dues import services

    lan = dues_cell.members.get(full_name="Phạm Thị Lan")
    # The services raise a line's paid amount by an update: the payment's parts tell the summary rows.
    with django_capture_on_commit_callbacks(execute=True):
        services.record_payment(dues_cell, lan, 20_000, date(2026, 7, 10), by=secretary)
    assert CellStatus.objects.get(cell=dues_cell).dues_arrears == 10_000
    assert CellMonth.objects.get(cell=dues_cell, month=date(2026, 5, 1)).dues_owed == 0
    # Reading the book opens July for the four members, in bulk: no signal, the nightly recount counts it.
    with django_capture_on_commit_callbacks(execute=True):
        services.book(dues_cell, 2026, date(2026, 7, 10))
    assert not CellMonth.objects.filter(cell=dues_cell, month=date(2026, 7, 1), dues_opened=1).exists()
    with django_capture_on_commit_callbacks(execute=True):
        refresh_cell_rolls()
    july = CellMonth.objects.get(cell=dues_cell, month=date(2026, 7, 1))
    assert (july.dues_opened, july.dues_members, july.dues_due, july.dues_unpaid) == (1, 4, 40_000, 4)
    assert summaries.check() == []


def test_three_months_without_dues_flag_a_member_for_removal_on_the_dashboards_saying_why(
    client, commune, commune_viewer, dues_cell
):
    """Domain §3, §11: Lan's April–June are unpaid without an exemption; she missed no meeting, so the flag is
    the dues one, and the committee sees which."""
    from dashboards.models import MemberYear

    lan = dues_cell.members.get(full_name="Phạm Thị Lan")
    assert MemberYear.objects.get(member=lan, year=2026).dues_unpaid_months == 3
    assert year_figures(commune)["total"]["flagged"] == 1
    client.force_login(commune_viewer)
    page = client.get(reverse("meetings:dashboard", args=[commune.pk]), {"period": "year", "year": 2026})
    flagged = page.content.decode().split('id="flagged"')[1].split("</ul>")[0]
    assert "Phạm Thị Lan" in flagged and "3 tháng không nộp đảng phí" in flagged
    assert "vắng không lý do" not in flagged
    members = client.get(reverse("meetings:dashboard_members", args=[commune.pk]), {"period": "year", "year": 2026})
    assert [item.member.full_name for item in members.context["page"]] == ["Phạm Thị Lan"]
    assert summaries.check() == []  # the stored rows equal a fresh count


def test_a_month_just_over_starts_to_count_at_the_nightly_recount(dues_cell):
    """An comes to owe July; on 1 August July is over, with no write to notice: the nightly task counts it."""
    from dashboards.models import MemberYear
    from dashboards.tasks import refresh_cell_rolls

    an = dues_cell.members.get(full_name="Nguyễn Văn An")
    book_lines(dues_cell, an, 2026, [7], due=10_000)
    assert MemberYear.objects.filter(member=an, year=2026, dues_unpaid_months__gt=0).count() == 0
    with time_machine.travel(datetime(2026, 8, 1, 2), tick=False):
        refresh_cell_rolls.apply()
        assert MemberYear.objects.get(member=an, year=2026).dues_unpaid_months == 1
        assert summaries.check() == []


def test_the_nightly_recount_of_the_dues_takes_the_cells_a_few_at_a_time(
    dues_cell, sibling_cell, make_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = make_member(sibling_cell, "Hà Văn Mới")
    # The sibling's book gets July's line, its summary rows not yet: the recount, chunk after chunk, counts it.
    book_lines(sibling_cell, newcomer, 2026, [7], due=5_000)
    assert year_figures(sibling_cell)["total"]["dues_due"] == 0
    summaries.refresh_dues_months([date(2026, 6, 1), date(2026, 7, 1)], chunk=1)
    assert summaries.check() == []
    assert year_figures(sibling_cell)["total"]["dues_due"] == 5_000
