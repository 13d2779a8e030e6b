"""The resolutions' pages read a fixed number of queries, whatever the number of resolutions, tasks, reports,
reviews and members: each pinned with what its queries read (issue 17)."""

from datetime import date

import pytest
from django.urls import reverse

from meetings import services as meeting_services
from members.models import Member
from resolutions import services
from resolutions.models import Task

pytestmark = pytest.mark.django_db


def add_tasks(resolution, responsible, helpers, count):
    for number in range(count):
        task = Task.objects.create(resolution=resolution, title=f"Việc {number}", responsible=responsible,
                                   deadline=date(2026, 11, 20 + number % 5))  # fmt: skip
        task.helpers.set(helpers)
        services.report_progress(task, None, Task.Status.IN_PROGRESS, 10 * (number + 1), on=date(2026, 11, 10))


@pytest.fixture
def issued(make_resolution, member):
    resolution = services.issue(make_resolution(), on=date(2026, 11, 1))
    add_tasks(resolution, Member.objects.get(user=member), [], 1)
    return resolution


def test_the_list_of_a_cell_s_resolutions(client, secretary, cell, issued, make_resolution,
                                          django_assert_num_queries):  # fmt: skip
    client.force_login(secretary)
    url = reverse("resolutions:list", args=[cell.pk])
    # session, the user with their access and their cell (the list's: no query of its own), the resolutions
    # with their meetings
    with django_assert_num_queries(3):
        client.get(url)
    for number in range(4):
        make_resolution(title=f"Nghị quyết {number}")
    with django_assert_num_queries(3):
        assert len(client.get(url).context["resolutions"]) == 5


def test_a_resolution_with_its_tasks(client, secretary, member, make_member, cell, issued,
                                     django_assert_num_queries):  # fmt: skip
    client.force_login(secretary)
    url = reverse("resolutions:detail", args=[issued.pk])
    # session, the user with their access, the resolution with its cell, meeting and vote, the tasks with their
    # people and reports counted, their helpers, the minutes' assignments counted, the reviews
    with django_assert_num_queries(7):
        client.get(url)
    helpers = [make_member(cell, f"Người giúp {number}") for number in range(3)]
    add_tasks(issued, Member.objects.get(user=member), helpers, 6)
    services.add_review(issued, "interim", date(2026, 11, 15), "Sơ kết")
    with django_assert_num_queries(7):
        assert len(client.get(url).context["tasks"]) == 7


def test_a_member_s_tasks(client, member, issued, django_assert_num_queries):
    client.force_login(member)
    url = reverse("resolutions:mine")
    # session, the user with their access, their tasks with their resolutions, the reports on them
    with django_assert_num_queries(4):
        client.get(url)
    add_tasks(issued, Member.objects.get(user=member), [], 6)
    with django_assert_num_queries(4):
        assert len(client.get(url).context["tasks"]) == 7


def test_a_cell_s_evidence(client, secretary, cell, issued, make_member, django_assert_num_queries):
    client.force_login(secretary)
    url = reverse("resolutions:evidence", args=[cell.pk]) + "?year=2026"
    # session, the user with their access and their cell (the page's: no query of its own), its members; then for
    # them (SQL written out): the year's attendance by month with the minutes each spoke in and the essays each
    # handed in, their tasks
    with django_assert_num_queries(5):
        client.get(url)
    newcomers = [make_member(cell, f"Đảng viên mới {number}") for number in range(5)]
    meeting_services.record_attendance(issued.meeting, {m.pk: ("unexcused", "") for m in newcomers})
    add_tasks(issued, newcomers[0], [], 3)
    on_roll = Member.objects.filter(cell=cell).on_roll().count()
    with django_assert_num_queries(5):
        assert len(client.get(url).context["rows"]) == on_roll
