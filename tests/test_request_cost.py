"""What every request pays before its own work (issue 17): the session, the user with their access in one
query, and no transaction for a request that only reads. The empty page (bench/empty_page.py, the floor of
bench/pages.py) is pinned at three queries: session, user and access, its 20 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from bench.empty_page import urlpatterns as bench_urlpatterns
from members import access
from members.models import Grant, Member, User

# A URLconf of Chibo's pages, the empty page and a view that writes on a GET (below).
urlpatterns = list(bench_urlpatterns)


def write_two_then_fail(request):
    """A GET that writes two rows and then fails: neither row may stay."""
    Member.objects.filter(full_name="Lê Thị Hoa").update(full_name="Lê Thị Hoa (1)")
    Member.objects.filter(full_name="Trần Văn Bí").update(full_name="Trần Văn Bí (2)")
    raise RuntimeError("after two writes")


urlpatterns += [path("_test/fail/", write_two_then_fail)]
pytestmark = pytest.mark.urls(__name__)


def statements(client, method, url, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, **kwargs)
    return response, [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("login", ["secretary", "member", "commune_viewer"])
def test_the_empty_page_takes_three_queries_whoever_asks(client, login, request, make_member, cell):
    user = request.getfixturevalue(login)
    for _number in range(25):
        make_member(cell)
    client.force_login(user)
    response, sql = statements(client, "get", reverse("bench_empty"))
    assert response.status_code == 200
    # The session; the user with their member, cell and grants; the 20 rows (a viewer of the commune sees the
    # cell's members too).
    assert len(sql) == 3, sql
    assert sql[0].startswith('SELECT "django_session"') and sql[1].startswith('SELECT "members_user"')
    assert response.content.decode().count("<tr><td>") == 20


def test_the_access_from_one_query_is_the_access_from_the_tables(secretary, commune, other_commune, province, cell):
    user = User.objects.create_user("two_grants", password="a-Strong-password-42")
    Grant.objects.create(user=user, unit=other_commune, role=Grant.Role.ADMIN)
    Grant.objects.create(user=user, unit=commune, role=Grant.Role.VIEWER)
    transferred = User.objects.create_user("gone", password="a-Strong-password-42")
    moved = Member.objects.create(cell=cell, full_name="Đã chuyển", gender="male", admitted_on="2010-01-01",
                                  status=Member.Status.TRANSFERRED, user=transferred)  # fmt: skip
    assert moved.pk
    for login in (secretary, user, transferred):
        plain = access.Access(User.objects.get(pk=login.pk))
        with CaptureQueriesContext(connection) as captured:
            loaded = access.Access(access.users_with_access().get(pk=login.pk))
        assert len(captured) == 1  # the user's own row brought everything
        assert [(g.pk, g.role, g.unit.pk, g.unit.path, g.unit.name) for g in loaded.grants] == [
            (g.pk, g.role, g.unit.pk, g.unit.path, g.unit.name) for g in plain.grants
        ]
        assert (loaded.member and loaded.member.pk) == (plain.member and plain.member.pk)
        assert (loaded.member and loaded.member.cell.path) == (plain.member and plain.member.cell.path)
    assert access.Access(access.users_with_access().get(pk=user.pk)).grant_over(cell) == Grant.Role.VIEWER
    assert access.Access(access.users_with_access().get(pk=transferred.pk)).member is None


@pytest.mark.django_db(transaction=True)
def test_a_read_runs_no_transaction_and_a_change_runs_in_one(client, secretary, cell):
    client.force_login(secretary)
    _response, sql = statements(client, "get", reverse("members:list", args=[cell.pk]))
    assert not any(s.startswith(("BEGIN", "COMMIT", "SAVEPOINT")) for s in sql), sql
    _response, sql = statements(client, "post", reverse("members:text_size"), data={"large": "1"})
    assert "BEGIN" in sql and sql.index("BEGIN") < sql.index("COMMIT"), sql


@pytest.mark.django_db(transaction=True)
def test_a_get_that_writes_keeps_all_or_nothing(client, secretary, member):
    client.raise_request_exception = False
    client.force_login(secretary)
    response = client.get("/_test/fail/")
    assert response.status_code == 500
    assert set(Member.objects.values_list("full_name", flat=True)) == {"Lê Thị Hoa", "Trần Văn Bí"}
