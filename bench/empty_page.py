"""The empty page: the floor every page of Chibo is measured against (bench/pages.py) and whose queries a test
pins (tests/test_request_cost.py).

It does what every page does before its own work — the session, the user and their access, the layout with
its menus — and one piece of work: 20 members of the user's cell, read through the access module, in a table.
Served only where this module is the URLconf (`override_settings(ROOT_URLCONF="bench.empty_page")`): Chibo's
own URLs plus `/_bench/empty/`.
"""

import functools

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from chibo.urls import urlpatterns as chibo_urlpatterns
from members import access
from members.models import Member

ROWS = 20
TEMPLATE = """{% extends "base.html" %}
{% block title %}Empty page{% endblock %}
{% block content %}
<table class="table">
  <thead><tr><th>#</th><th>Họ và tên</th><th>Chức vụ</th><th>Vào Đảng</th></tr></thead>
  <tbody>
  {% for member in members %}
    <tr><td>{{ forloop.counter }}</td><td>{{ member.full_name }}</td><td>{{ member.get_position_display }}</td>
        <td>{{ member.admitted_on|date:"d/m/Y" }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endblock %}"""


@functools.cache
def _template():
    """Compiled once, as the template loader keeps a page's template in production."""
    return engines["django"].from_string(TEMPLATE)


@login_required
def empty_page(request):
    members = access.for_user(request.user).members(Member.objects.on_roll()).order_by("sort_key", "pk")[:ROWS]
    return HttpResponse(_template().render({"members": members}, request))


urlpatterns = [*chibo_urlpatterns, path("_bench/empty/", empty_page, name="bench_empty")]
