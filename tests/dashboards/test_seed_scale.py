import re
from io import StringIO

import pytest
from django.core.management import call_command

from dashboards import summaries
from meetings.models import Attendance, Meeting
from members.models import Grant, Member, OrgUnit


@pytest.mark.django_db
def test_it_builds_a_small_province_whose_summary_tables_agree_with_the_source():
    out = StringIO()
    call_command("seed_scale", cells=6, members_per_cell=8, years=1, stdout=out)

    # The row counts it prints at the end: "  cells      6".
    lines = re.findall(r"^  ([a-z][a-z ]*[a-z]) +([\d,]+)$", out.getvalue(), re.MULTILINE)
    reported = {label: int(n.replace(",", "")) for label, n in lines}
    assert reported["cells"] == OrgUnit.objects.cells().count() == 6
    assert reported["members"] == Member.objects.count() == 6 * 8
    assert reported["meetings"] == Meeting.objects.count()
    # Twelve months held (a few missed or called off) and this month's planned, in each cell.
    assert Meeting.objects.regular().filter(status=Meeting.Status.HELD).count() > 6 * 10
    assert Meeting.objects.regular().filter(status=Meeting.Status.PLANNED).count() == 6
    assert reported["attendance"] == Attendance.objects.count() > 0
    assert Grant.objects.filter(user__username__in=["tinh", "xa300"], role=Grant.Role.VIEWER).count() == 2
    assert summaries.check() == []


@pytest.mark.django_db(transaction=True)
def test_flush_replaces_an_earlier_run_in_every_app():
    """`--flush` empties what an earlier run made, minutes, votes and summary rows included, then builds anew."""
    from dashboards.models import CellMonth
    from minutes.models import Minutes, Vote

    call_command("seed_scale", cells=6, members_per_cell=8, years=1, stdout=StringIO())
    assert Minutes.objects.exists() and Vote.objects.exists() and CellMonth.objects.exists()
    call_command("seed_scale", cells=4, members_per_cell=8, years=1, flush=True, stdout=StringIO())
    assert OrgUnit.objects.cells().count() == 4
    assert Member.objects.count() == 4 * 8
    assert set(Minutes.objects.values_list("meeting__cell__code", flat=True)) <= set(
        OrgUnit.objects.cells().values_list("code", flat=True)
    )
    assert summaries.check() == []


@pytest.mark.django_db(transaction=True)
def test_more_provinces_leave_the_first_as_a_one_province_run_makes_it():
    """The 10 × data set (docs/scaling.md) adds provinces beside the first; the benchmarks compare the first."""

    def first_province():
        province = OrgUnit.objects.get(code="SCALE")
        below = {"cell__path__startswith": province.path}
        return (
            list(OrgUnit.objects.filter(path__startswith=province.path).values_list("code", "name").order_by("path")),
            list(Member.objects.filter(**below).values_list("full_name", "birth_date", "status").order_by("pk")),
            list(
                Meeting.objects.filter(**below).values_list("kind", "starts_at", "status").order_by("starts_at", "pk")
            ),
            Attendance.objects.filter(meeting__cell__path__startswith=province.path).count(),
        )

    call_command("seed_scale", cells=4, members_per_cell=6, years=1, stdout=StringIO())
    alone = first_province()
    call_command("seed_scale", cells=4, members_per_cell=6, years=1, provinces=3, flush=True, stdout=StringIO())

    assert list(OrgUnit.objects.filter(kind=OrgUnit.Kind.PROVINCIAL).values_list("code", flat=True).order_by("pk")) == [
        "SCALE", "SCALE02", "SCALE03"
    ]  # fmt: skip
    assert OrgUnit.objects.cells().count() == 12
    assert Member.objects.count() == 3 * 4 * 6
    assert first_province() == alone
    assert summaries.check() == []
