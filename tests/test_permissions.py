"""Every URL × every role, in one table: anonymous → login, outsiders → 404, insiders without the right → 403."""

import pytest
from django.urls import reverse

from members.models import Member

LOGIN = "login"
ROLES = ["anonymous", "member", "outsider", "secretary", "viewer_other_branch", "commune_viewer", "commune_admin"]

# url name, how to build its arguments, method, then the expected answer per role (in ROLES order).
TABLE = [
    ("members:home", None, "get", [LOGIN, 200, 200, 200, 200, 200, 200]),
    ("members:tree", None, "get", [LOGIN, 403, 403, 403, 200, 200, 200]),
    ("members:unit", "commune", "get", [LOGIN, 404, 404, 404, 404, 200, 200]),
    ("members:unit", "cell", "get", [LOGIN, 302, 404, 302, 404, 302, 302]),
    ("members:unit_create", "commune", "get", [LOGIN, 404, 404, 404, 404, 403, 200]),
    ("members:list", "cell", "get", [LOGIN, 200, 404, 200, 404, 200, 200]),
    ("members:list", "commune", "get", [LOGIN, 404, 404, 404, 404, 404, 404]),
    ("members:create", "cell", "get", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:import", "cell", "get", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:import_template", "cell", "get", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:detail", "target", "get", [LOGIN, 200, 404, 200, 404, 200, 200]),
    ("members:edit", "target", "get", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:status", "target", "get", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:transfer", "target", "get", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:invite", "target", "post", [LOGIN, 403, 404, 302, 404, 403, 302]),
    # Writes by POST: nothing is saved by those refused (the responses of the others are form pages).
    ("members:create", "cell", "post", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:edit", "target", "post", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:status", "target", "post", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:transfer", "target", "post", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:import", "cell", "post", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:unit_create", "commune", "post", [LOGIN, 404, 404, 404, 404, 403, 200]),
    ("members:detail", "outsider_record", "get", [LOGIN, 404, 200, 404, 200, 404, 404]),
    ("members:edit", "outsider_record", "get", [LOGIN, 404, 200, 404, 403, 404, 404]),
]

CASES = [
    pytest.param(name, arg, method, role, expected[i], id=f"{name}[{arg}]-{method}-{role}")
    for name, arg, method, expected in TABLE
    for i, role in enumerate(ROLES)
]


@pytest.fixture
def objects(cell, commune, outsider, make_member, other_cell):
    target = make_member(cell, "Hoàng Thị Mục Tiêu", email="muctieu@example.vn")
    return {
        "cell": cell,
        "commune": commune,
        "target": target,
        "outsider_record": Member.objects.get(user=outsider),
    }


@pytest.mark.parametrize(("name", "arg", "method", "role", "expected"), CASES)
def test_access_table(client, request, objects, name, arg, method, role, expected):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    url = reverse(name, args=[objects[arg].pk] if arg else [])
    response = getattr(client, method)(url)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
