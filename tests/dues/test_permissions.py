"""Every dues URL × every role (the roles of tests/test_permissions.py): anonymous → login, outsiders → 404,
insiders without the right → 403. The book is kept by the cell committee and read by the committees above."""

from datetime import date

import pytest
from django.urls import reverse

from dues import services
from members.models import Member
from tests.test_permissions import LOGIN, ROLES

pytestmark = pytest.mark.django_db

SEES = [LOGIN, 403, 404, 200, 404, 200, 200]
KEEPS = [LOGIN, 403, 404, 200, 404, 403, 403]
TABLE = [
    ("dues:book", "cell", "get", SEES),
    ("dues:pay", "cell", "get", KEEPS),
    ("dues:pay", "cell", "post", KEEPS),  # the secretary's empty form comes back with its errors
    ("dues:report", "cell:2026:11", "get", SEES),
    ("dues:report", "cell:2026:11", "post", [LOGIN, 403, 404, 302, 404, 302, 302]),
    ("dues:report", "cell:2026:13", "get", [LOGIN, 403, 404, 404, 404, 404, 404]),
    ("dues:entry", "line", "get", SEES),
    ("dues:entry", "line", "post", KEEPS),
    ("dues:entry", "own_line", "get", [LOGIN, 200, 404, 200, 404, 200, 200]),
    ("dues:member", "target", "get", SEES),
    ("dues:member", "own", "get", [LOGIN, 200, 404, 200, 404, 200, 200]),
    ("dues:profile", "target", "post", KEEPS),
    ("dues:exemption", "target", "post", KEEPS),
    ("dues:unsent", "commune", "get", [LOGIN, 404, 404, 404, 404, 200, 200]),
    ("dues:unsent", "cell", "get", [LOGIN, 403, 404, 403, 404, 200, 200]),
]
CASES = [
    pytest.param(name, arg, method, role, expected[i], id=f"{name}[{arg}]-{method}-{role}")
    for name, arg, method, expected in TABLE
    for i, role in enumerate(ROLES)
]


@pytest.fixture
def objects(cell, commune, make_member, secretary, member, outsider):
    target = make_member(cell, "Hoàng Thị Mục Tiêu")
    own = Member.objects.get(user=member)
    services.open_months(cell, [date(2026, 11, 1)])
    return {
        "cell": cell,
        "commune": commune,
        "target": target,
        "own": own,
        "line": target.dues_entries.get(),
        "own_line": own.dues_entries.get(),
    }


@pytest.mark.parametrize(("name", "arg", "method", "role", "expected"), CASES)
def test_access_table(client, request, objects, name, arg, method, role, expected):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    key, *more = arg.split(":")
    response = getattr(client, method)(reverse(name, args=[objects[key].pk, *more]))
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected


RATES = [
    ("dues:rates", "commune", "get", [LOGIN, 404, 404, 404, 404, 200, 200]),
    ("dues:rates", "commune", "post", [LOGIN, 404, 404, 404, 404, 403, 200]),  # the admin's empty form: errors
    ("dues:rates", "cell", "get", [LOGIN, 404, 404, 404, 404, 404, 404]),
]


@pytest.mark.parametrize(
    ("name", "arg", "method", "role", "expected"),
    [pytest.param(n, a, m, r, e[i], id=f"{n}[{a}]-{m}-{r}") for n, a, m, e in RATES for i, r in enumerate(ROLES)],
)
def test_rates_access_table(client, request, objects, name, arg, method, role, expected):
    test_access_table(client, request, objects, name, arg, method, role, expected)
