"""What Chibo's main pages cost on the provincial data set (`manage.py seed_scale`), against the empty page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_scale REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/pages.py

Each page is requested through the whole stack (middleware, view, template) with django.test.Client, logged
in as whoever uses it: the secretary and a member of a middling cell of the 300-cell commune (`bithu300`,
`dangvien300`, made once by `seed_scale.cell_logins` if missing), the commune's viewer (`xa300`) and the
province's (`tinh`). The pages are requested in turns, `--repeat` rounds, so that whatever else the machine
does falls on all of them alike; for each it prints the median and 95th percentile of the server time, the
queries of one request (transaction statements counted: BEGIN and COMMIT are round trips too) and the ratio
of its median to the floor's.

The floor is the empty page (bench/empty_page.py), measured in the same rounds: the session, the user and
their access, the layout, and 20 rows of the user's cell. Targets (issue 17): the floor in at most 4 queries,
every page within 2 × the floor's median. Settings as in production whatever the environment says (DEBUG off,
so no query log; the dashboards' figures kept in the cache, or with `--counted` counted at every request, as
just after a change: bench/dashboard.py measures that case). The last line printed is one JSON object.
"""

import argparse
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")

import django

django.setup()
logging.getLogger("axes").setLevel(logging.WARNING)  # force_login reports every login

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from dashboards.management.commands.seed_scale import bench_cell, cell_logins  # noqa: E402
from meetings.models import Meeting  # noqa: E402
from members.models import OrgUnit, User  # noqa: E402
from resolutions.models import Resolution  # noqa: E402

FLOOR_MAX_QUERIES = 4
RATIO_TARGET = 2.0


def percentile(values, p):
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def pages():
    """(name, login, URL) of the floor and of every main page, in the cell `bench_cell()`."""
    cell = bench_cell()
    held = Meeting.objects.filter(cell=cell, status=Meeting.Status.HELD, minutes__isnull=False)
    meeting = held.exclude(kind=Meeting.Kind.COMMITTEE).order_by("-starts_at").first()
    resolution = Resolution.objects.filter(cell=cell, tasks__isnull=False).order_by("-pk").first()
    if meeting is None or resolution is None:
        sys.exit(f"{cell.name} has no held meeting with minutes or no resolution with tasks: run seed_scale.")
    return [
        ("empty page (floor)", "bithu300", reverse("bench_empty")),
        ("home, secretary", "bithu300", reverse("members:home")),
        ("home, member", "dangvien300", reverse("members:home")),
        ("home, commune", "xa300", reverse("members:home")),
        ("home, province", "tinh", reverse("members:home")),
        ("member list", "bithu300", reverse("members:list", args=[cell.pk])),
        ("calendar", "bithu300", reverse("meetings:calendar", args=[cell.pk])),
        ("meeting", "bithu300", reverse("meetings:detail", args=[meeting.pk])),
        ("attendance", "bithu300", reverse("meetings:attendance", args=[meeting.pk])),
        ("minutes", "bithu300", reverse("meetings:minutes", args=[meeting.pk])),
        ("minutes book", "bithu300", reverse("meetings:minutes_book", args=[cell.pk])),
        ("resolutions", "bithu300", reverse("resolutions:list", args=[cell.pk])),
        ("a resolution", "bithu300", reverse("resolutions:detail", args=[resolution.pk])),
        ("my meetings", "dangvien300", reverse("meetings:mine")),
        ("my tasks", "dangvien300", reverse("resolutions:mine")),
        ("evidence", "bithu300", reverse("resolutions:evidence", args=[cell.pk])),
        ("cell dashboard", "bithu300", reverse("meetings:dashboard", args=[cell.pk])),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="Rounds of requests (default 30).")
    parser.add_argument("--counted", action="store_true", help="Count the dashboards' figures at every request.")
    parser.add_argument("--only", help="Measure only the pages whose name contains this (the floor always).")
    parser.add_argument("--show-queries", action="store_true", help="Print the SQL of each page's request.")
    parser.add_argument("--profile", metavar="PAGE", help="Print a cProfile of 20 requests of this page, and stop.")
    args = parser.parse_args()

    def out(line=""):
        print(line, flush=True)

    if connection.vendor != "postgresql":
        out(f"Warning: measuring on {connection.vendor}, not PostgreSQL; the figures mean little.")
    if not OrgUnit.objects.filter(code="SCALE").exists():
        sys.exit("No provincial scale data here: run `manage.py seed_scale` on this database first.")
    cell_logins()
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():  # production's hashed static files
        call_command("collectstatic", interactive=False, verbosity=0)
    overrides = {
        "ROOT_URLCONF": "bench.empty_page",
        "DEBUG": False,
        "ALLOWED_HOSTS": [*settings.ALLOWED_HOSTS, "testserver"],
        "SECURE_SSL_REDIRECT": False,
    }
    if args.counted:
        overrides["DASHBOARD_CACHE_SECONDS"] = 0
    with override_settings(**overrides):
        if args.profile:
            return profile(pages(), args.profile, out)
        measured = measure(pages(), args, out)
    floor = measured[0]
    out()
    out(f"{'page':<22} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'× floor':>8}")
    summary = {"repeat": args.repeat, "counted": args.counted, "floor_max_queries": FLOOR_MAX_QUERIES,
               "ratio_target": RATIO_TARGET, "pages": {}}  # fmt: skip
    for row in measured:
        ratio = row["median"] / floor["median"]
        ok = row["queries"] <= FLOOR_MAX_QUERIES if row is floor else ratio <= RATIO_TARGET
        out(f"{row['name']:<22} {row['median']:>10.1f} {row['p95']:>8.1f} {row['queries']:>8} {ratio:>8.2f}"
            f"  {'PASS' if ok else 'FAIL'}")  # fmt: skip
        summary["pages"][row["name"]] = {
            "median_ms": round(row["median"], 2), "p95_ms": round(row["p95"], 2), "queries": row["queries"],
            "ratio": round(ratio, 2), "pass": ok,
        }  # fmt: skip
    summary["all_pass"] = all(page["pass"] for page in summary["pages"].values())
    out()
    print(json.dumps(summary, ensure_ascii=False), flush=True)


def profile(page_list, name, out, requests=20):
    import cProfile
    import io
    import pstats

    _name, login, url = next(p for p in page_list if p[0] == name)
    client = Client()
    client.force_login(User.objects.get(username=login))
    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(url)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats(order).print_stats(45)
        out(stream.getvalue())


def measure(page_list, args, out):
    users = {u.username: u for u in User.objects.filter(username__in={login for _n, login, _u in page_list})}
    clients = {}
    for username, user in users.items():
        clients[username] = Client()
        clients[username].force_login(user)
    chosen = [p for i, p in enumerate(page_list) if i == 0 or not args.only or args.only in p[0]]
    rows = []
    for name, login, url in chosen:
        client = clients[login]
        for _ in range(2):  # warm: templates compiled, connections open, caches filled
            response = client.get(url)
            if response.status_code != 200:
                sys.exit(f"GET {url} as {login} answered {response.status_code}")
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        if args.show_queries:
            out(f"-- {name} ({url}):")
            for query in captured.captured_queries:
                out(f"   {query['sql'][:200]}")
        rows.append({"name": name, "login": login, "url": url, "queries": len(captured), "samples": []})
    out(f"{len(rows)} pages, {args.repeat} rounds …")
    for _ in range(args.repeat):
        for row in rows:
            client = clients[row["login"]]
            started = time.perf_counter()
            client.get(row["url"])
            row["samples"].append((time.perf_counter() - started) * 1000)
    for row in rows:
        row["median"], row["p95"] = statistics.median(row["samples"]), percentile(row["samples"], 95)
    return rows


if __name__ == "__main__":
    main()
