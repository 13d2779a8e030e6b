"""Through a real PgBouncer in transaction mode (two server connections): run by test_pgbouncer.py in a pytest
of its own, with DATABASE_URL on PgBouncer and DATABASE_POOLER=true. Not collected by the suite itself.

Several browsers at once, each with its own client connection to PgBouncer, take turns on two server
connections: between two transactions of one browser, another's may run on the same server connection. What
keeps state on a server connection across transactions (a server-side cursor outside a transaction, a
session lock, a prepared statement) breaks here.
"""

import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboards import summaries
from meetings import services
from meetings.models import Meeting
from members.models import Member

pytestmark = pytest.mark.django_db(transaction=True)
BROWSERS = 6
ROUNDS = 5


def hold(cell, starts_at, absent):
    with time_machine.travel(starts_at - timedelta(days=10), tick=False):
        meeting = services.create_meeting(Meeting(cell=cell, starts_at=starts_at, place="Nhà văn hóa"))
    marks = {m.pk: ("unexcused" if m in absent else "present", "") for m in Member.objects.filter(cell=cell)}
    with time_machine.travel(starts_at + timedelta(hours=3), tick=False):
        services.record_attendance(meeting, marks)
    return meeting


LAST_YEAR = {"period": "year", "month": f"{timezone.localdate().year - 1}-01"}


@pytest.fixture
def year(cell, secretary, member, make_member):
    """Three regular meetings last year, two members absent without a reason at each: flagged for removal."""
    absent = [make_member(cell, "Bùi Văn Vắng"), make_member(cell, "Cao Thị Vắng")]
    for number in range(BROWSERS * ROUNDS):
        make_member(cell, f"Nguyễn Văn Có {number}")
    last_year = timezone.localdate().year - 1
    meetings = [hold(cell, timezone.make_aware(datetime(last_year, month, 3, 19, 30)), absent) for month in (1, 2, 3)]
    return meetings, absent


def test_browsers_at_once_read_dashboards_stream_exports_and_record_attendance(
    year, cell, commune, secretary, commune_viewer
):
    meetings, absent = year
    export = reverse("meetings:dashboard_export", args=[commune.pk, "members", "csv"])
    members = [m for m in Member.objects.filter(cell=cell).order_by("pk") if m not in absent]
    problems = []

    def browse(number):
        try:
            viewer, writer = Client(), Client()
            viewer.force_login(commune_viewer)
            writer.force_login(secretary)
            for turn in range(ROUNDS):
                page = viewer.get(reverse("meetings:dashboard", args=[commune.pk]), LAST_YEAR)
                assert page.status_code == 200, page.status_code
                rows = viewer.get(export, {**LAST_YEAR, "show": "flagged"}).content.decode()
                assert all(m.full_name in rows for m in absent), rows
                # The two still absent, and one member late, another each time: a write through the pool.
                meeting = meetings[(number + turn) % len(meetings)]
                marks = {f"status-{m.pk}": "present" for m in members} | {f"status-{m.pk}": "unexcused" for m in absent}
                marks[f"status-{members[number * ROUNDS + turn].pk}"] = "late"
                response = writer.post(reverse("meetings:attendance", args=[meeting.pk]), marks)
                assert response.status_code == 302, response.content.decode()[:2000]
        except Exception as error:  # reported below, with the browser's number
            problems.append((number, repr(error)))
        finally:
            connection.close()

    threads = [threading.Thread(target=browse, args=[n]) for n in range(BROWSERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
    # The dashboards' summary rows, refreshed by every write through the pool, equal a fresh count.
    assert summaries.check() == []
    # Six browsers, each with its client connection, served by PgBouncer's two server connections.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        assert cursor.fetchone()[0] <= 2
