"""The month's dues report: its figures, sent by the cell, received by the committee above."""

import sys
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from dues import services
from dues.models import DuesReport
from members.models import Member
from tests.test_settings import clean_env, run

pytestmark = pytest.mark.django_db

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


@pytest.fixture
def january(cell, make_member, secretary):
    members = [make_member(cell) for _ in range(4)]
    services.open_months(cell, [JAN, FEB])
    for m in members[:3]:
        services.record_payment(cell, m, 10_000, date(2026, 1, 9), secretary, months=[JAN])
    services.record_payment(cell, members[0], 10_000, date(2026, 2, 2), secretary, months=[FEB])
    return members


def test_the_report_counts_what_was_collected_and_the_shares(cell, january, settings):
    settings.DUES_CELL_SHARE_PERCENT = 30
    totals = services.report_totals(cell, JAN)
    # 4 members and the secretary owe January; 3 paid it during January.
    assert (totals["due"], totals["collected"], totals["kept"], totals["passed_up"]) == (50_000, 30_000, 9_000, 21_000)
    assert (totals["members_due"], totals["members_paid"]) == (5, 3)
    assert services.report_totals(cell, FEB)["members_in_arrears"] == 2
    settings.DUES_CELL_SHARE_BY_PARENT_KIND = {"commune": 90.0}
    assert services.report_totals(cell, JAN)["kept"] == 27_000


@time_machine.travel("2026-02-05 09:00 +0700")
def test_sent_then_received_with_who_and_when(client, cell, january, secretary, commune_admin, commune_viewer):
    url = reverse("dues:report", args=[cell.pk, 2026, 1])
    client.force_login(commune_viewer)
    assert "Bản nháp" in client.get(url).content.decode()
    assert client.post(url, {"action": "send"}).status_code == 403
    client.force_login(secretary)
    client.post(url, {"action": "send"})
    report = DuesReport.objects.get(cell=cell, month=JAN)
    assert (report.status, report.sent_by, report.collected) == ("sent", secretary, 30_000)
    # Money recorded after sending does not change the report sent: it is dated the day it is handed over, in
    # a month whose report is still to come; a date back in the month reported is refused.
    with pytest.raises(services.ValidationError):
        services.record_payment(cell, january[3], 10_000, date(2026, 1, 20), secretary, months=[JAN])
    services.record_payment(cell, january[3], 10_000, date(2026, 2, 5), secretary, months=[JAN])
    assert DuesReport.objects.get(pk=report.pk).collected == 30_000
    assert client.post(url, {"action": "receive"}).status_code == 403  # the cell cannot receive its own
    client.force_login(commune_viewer)
    assert client.post(url, {"action": "receive"}).status_code == 403
    client.force_login(commune_admin)
    client.post(url, {"action": "receive"})
    report.refresh_from_db()
    assert (report.status, report.received_by) == ("received", commune_admin)
    page = client.get(url).content.decode()
    assert "Đã nhận" in page and "05/02/2026" in page


@time_machine.travel("2026-04-10 09:00 +0700")
def test_reports_not_sent_are_listed_for_the_committee(client, cell, sibling_cell, january, secretary,
                                                       commune_viewer, member):  # fmt: skip
    services.send_report(cell, JAN, secretary)
    services.send_report(cell, date(2026, 3, 1), secretary)
    with pytest.raises(services.ValidationError):
        services.send_report(cell, JAN, secretary)
    with pytest.raises(services.ValidationError):
        services.send_report(cell, date(2026, 4, 1), secretary)  # April is not over: its money is not all in
    missing = services.unsent_reports([cell, sibling_cell], date(2026, 4, 10))
    # The sibling cell keeps no dues book yet: nothing is expected from it.
    assert missing == [(cell, [FEB])]
    client.force_login(commune_viewer)
    page = client.get(reverse("dues:unsent", args=[cell.parent.pk])).content.decode()
    assert "02/2026" in page
    client.force_login(member)
    assert client.get(reverse("dues:unsent", args=[cell.parent.pk])).status_code == 404
    assert Member.objects.filter(cell=cell).count() == 6


def test_the_shares_by_kind_of_unit_are_read_from_the_environment(tmp_path):
    env = clean_env(tmp_path, DJANGO_SETTINGS_MODULE="chibo.settings",
                    DUES_CELL_SHARE_BY_PARENT_KIND="commune=90,grassroots=30.5")  # fmt: skip
    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.DUES_CELL_SHARE_BY_PARENT_KIND)"
    )
    assert run([sys.executable, "-c", code], env).strip() == "{'commune': 90.0, 'grassroots': 30.5}"
