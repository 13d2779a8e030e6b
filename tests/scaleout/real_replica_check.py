"""Against a real primary and its streaming replica: run by test_replica.py in a pytest of its own, with
DATABASE_URL on the primary and DATABASE_REPLICA_URL on the replica (the test database is created on the
primary; the replica receives it). Not collected by the suite itself (not named test_*.py).

Transactional tests: the replica only ever sees committed rows. Replay is paused on the replica to make it
stale on purpose, and always resumed.
"""

import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chibo import replica
from dashboards.models import CellMonth, DashboardReport, MemberYear
from meetings import services
from meetings.models import Meeting
from members.models import Member

from ..conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])
SUMS = CellMonth._meta.db_table  # the dashboards' sums: read only to count figures


def one(alias, sql):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def caught_up():
    """The replica has replayed everything the primary has written so far."""
    written = one("default", "SELECT pg_current_wal_lsn()")
    return wait_for(lambda: one("replica", f"SELECT pg_wal_lsn_diff('{written}', pg_last_wal_replay_lsn()) <= 0"))


@contextmanager
def replica_paused():
    """Replay paused on the replica inside the block, resumed whatever happens."""
    one("replica", "SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        one("replica", "SELECT pg_wal_replay_resume()")


@pytest.fixture
def held(cell, secretary, member, make_member):
    """A regular meeting held two days ago, everyone present, as the replica has it."""
    make_member(cell, "Bùi Văn Vắng")
    starts_at = timezone.now() - timedelta(days=2)
    with time_machine.travel(starts_at - timedelta(days=10), tick=False):
        meeting = services.create_meeting(Meeting(cell=cell, starts_at=starts_at, place="Nhà văn hóa"))
    services.record_attendance(meeting, {m.pk: ("present", "") for m in Member.objects.filter(cell=cell)})
    assert caught_up()
    return meeting


@pytest.fixture
def viewer(client, commune_viewer):
    client.force_login(commune_viewer)
    return client


@pytest.fixture
def writer(secretary):
    """The secretary, in a browser of their own."""
    browser = Client()
    browser.force_login(secretary)
    return browser


def dashboard(browser, meeting):
    month = timezone.localtime(meeting.starts_at).strftime("%Y-%m")
    url = reverse("meetings:dashboard", args=[meeting.cell_id])
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = browser.get(url, {"period": "month", "month": month})
    assert replica.COOKIE not in response.cookies  # reading pins nothing
    html = response.content.decode()
    unexcused = html.split('data-figure="unexcused">')[1].split("<")[0]
    return unexcused, " ".join(q["sql"] for q in on_replica)


def mark_absent(browser, meeting, name, pin_seconds):
    """The secretary records, through the attendance page, that `name` was absent without a reason."""
    data = {}
    for m in Member.objects.filter(cell=meeting.cell):
        data[f"status-{m.pk}"] = "unexcused" if m.full_name == name else "present"
    response = browser.post(reverse("meetings:attendance", args=[meeting.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert replica.COOKIE in response.cookies
    assert response.cookies[replica.COOKIE]["max-age"] == pin_seconds


def test_a_dashboard_and_an_export_read_their_figures_from_the_replica(viewer, held, commune, settings):
    assert one("replica", "SELECT pg_is_in_recovery()") is True
    assert one("default", "SELECT pg_is_in_recovery()") is False
    with CaptureQueriesContext(connections["default"]) as on_primary:
        figure, on_replica = dashboard(viewer, held)
    assert figure == "0"
    assert SUMS in on_replica and "meetings_meeting" in on_replica
    primary = " ".join(q["sql"] for q in on_primary)
    # The session and the user from the primary, before the view; none of the view's figures.
    assert "django_session" in primary and SUMS not in primary
    url = reverse("meetings:dashboard_export", args=[commune.pk, "members", "csv"])
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = viewer.get(url, {"show": "flagged"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert MemberYear._meta.db_table in " ".join(q["sql"] for q in on_replica)


def test_who_wrote_sees_their_change_at_once_and_others_once_the_replica_has_it(viewer, writer, held, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 0  # the replica is stale on purpose: no guard taking it aside
    settings.DASHBOARD_CACHE_SECONDS = 0
    with replica_paused():
        mark_absent(writer, held, "Bùi Văn Vắng", settings.REPLICA_PIN_SECONDS)
        figure, on_replica = dashboard(writer, held)
        assert figure == "1" and not on_replica  # pinned to the primary by the cookie
        figure, on_replica = dashboard(viewer, held)
        assert figure == "0" and SUMS in on_replica  # the replica, not there yet
    assert caught_up()
    figure, on_replica = dashboard(viewer, held)
    assert figure == "1" and SUMS in on_replica


def test_a_page_has_its_own_figures_once_the_replica_has_the_change_even_when_figures_are_kept(
    viewer, writer, held, settings
):
    settings.REPLICA_MAX_LAG_SECONDS = 0
    settings.DASHBOARD_CACHE_SECONDS = 600
    settings.REPLICA_PIN_SECONDS = 4
    assert dashboard(viewer, held)[0] == "0"
    with replica_paused():
        mark_absent(writer, held, "Bùi Văn Vắng", settings.REPLICA_PIN_SECONDS)
        # Counted on the replica before it has the change: shown, but not kept under the new generation.
        assert dashboard(viewer, held)[0] == "0"
    assert caught_up()
    figure, on_replica = dashboard(viewer, held)
    assert figure == "1" and SUMS in on_replica
    # Once the replica has had its time, what it counts is kept: the next page counts nothing.
    time.sleep(settings.REPLICA_PIN_SECONDS)
    dashboard(viewer, held)
    figure, on_replica = dashboard(viewer, held)
    assert figure == "1" and SUMS not in on_replica


def test_a_replica_too_far_behind_is_left_aside(viewer, writer, held, settings, monkeypatch):
    settings.DASHBOARD_CACHE_SECONDS = 0
    settings.REPLICA_MAX_LAG_SECONDS = 1
    monkeypatch.setattr(replica, "LAG_CHECK_SECONDS", 0)  # asked at every read, not every 2 s
    assert SUMS in dashboard(viewer, held)[1]
    with replica_paused():
        mark_absent(writer, held, "Bùi Văn Vắng", settings.REPLICA_PIN_SECONDS)
        time.sleep(1.5)
        figure, on_replica = dashboard(viewer, held)
        # Read from the primary: the only question the replica was asked is how far behind it is.
        assert figure == "1" and SUMS not in on_replica and "pg_last_xact_replay_timestamp" in on_replica
    assert caught_up()
    assert SUMS in dashboard(viewer, held)[1]


def test_the_monthly_report_counts_on_the_replica_and_keeps_its_state_on_the_primary(viewer, held, commune):
    month = timezone.localtime(held.starts_at).strftime("%Y-%m")
    with replica_paused(), CaptureQueriesContext(connections["replica"]) as on_replica:
        # The task runs in this process once the request has committed (as a worker would, unpinned).
        response = viewer.post(reverse("meetings:report_request", args=[commune.pk]), {"month": month})
        assert response.status_code == 302
        # The report's row is not on the paused replica, yet the task found and claimed it on the primary.
        report = DashboardReport.objects.get()
        assert not DashboardReport.objects.using("replica").exists()
    assert report.status == DashboardReport.Status.READY and report.file.read().startswith(b"%PDF")
    assert SUMS in " ".join(q["sql"] for q in on_replica)
