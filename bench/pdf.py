"""How much Chibo adds to WeasyPrint when it makes a minutes or resolution PDF, on a provincial data set.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_scale .venv/bin/python bench/pdf.py [--repeat 40]

It reads only (the data set stays as it is). It picks, from `manage.py seed_scale`'s data, the signed minutes
with the most speakers and votes of the largest cell and of a cell of the median size, and the issued
resolution with the most tasks of the same two cells; signed minutes without the record Chibo freezes when it
signs them (seed_scale writes none) are measured twice, from their rows, as Chibo renders minutes until they
are signed, and as Chibo holds minutes it signed itself (`SignedInChibo`). For each it times, `--repeat` times
after two warm-up runs, interleaved so that the machine's noise falls on both alike (the order swaps every run):

- Chibo: what the PDF task (`render_minutes_pdf`, `render_resolution_pdf`) computes before it stores the
  file: the record read by the task's own queryset, the hash of its content (the task's "unchanged?"
  check), the template's context built from the database, the template rendered in Vietnamese, WeasyPrint,
  and the SHA-256 of the bytes. Storing the file and the last check under the row's lock are writes, left
  out (the data set is read-only); they cost the same for any file.
- WeasyPrint's own time for the same document, the floor: `HTML(string=html).write_pdf()` with exactly the
  HTML string Chibo hands to WeasyPrint and with the same everything else: the base URL and the URL fetcher,
  the page stylesheet with the shipped fonts' @font-face rules, the font configuration, and the output
  options (PDF/A-3b, tagged). The stylesheet and the font configuration are built once, before the runs,
  as a worker keeps them; the floor's PDF must have as many pages as Chibo's. So the ratio is Chibo's
  overhead (reading the database, the context, the template, the hashes) over what WeasyPrint costs for
  that very document and output: target ≤ 1.2.

The ratio is the median of the runs' own ratios (each Chibo run over the floor run beside it): on a shared
machine whose load comes and goes over seconds it holds steadier than the ratio of the two medians, which is
printed beside it.

Chibo's own part of each run is printed too: its time less the time it spent in `chibo.pdf.render_html`
(WeasyPrint as Chibo calls it), so where Chibo's time goes beyond WeasyPrint shows without the noise of
subtracting two medians. It also counts the queries of one Chibo run (all of them build the context: the
record and its parts; the count must not grow with the meeting's size), and measures the first PDF of a fresh
process (a child Python started for it): importing WeasyPrint, configuring the fonts, the first document and
the same one again, so the one-time cost of a new worker process shows apart from the steady state. The last
line printed is one JSON object.
"""

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import translation  # noqa: E402

from chibo import pdf  # noqa: E402
from members.models import Member  # noqa: E402
from minutes import workflow  # noqa: E402
from minutes.models import Minutes  # noqa: E402
from resolutions import documents  # noqa: E402
from resolutions.models import Resolution  # noqa: E402

TARGET_RATIO = 1.2


def percentile(values, p):
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def stats(samples):
    return {"median": statistics.median(samples), "p95": percentile(samples, 95), "min": min(samples)}


class Kind:
    """A kind of document as its PDF task makes it (see `chibo.pdf.render_and_store`): the task's queryset, the
    content, the rendering of that content, the template and its context."""

    def __init__(self, name, records, content, render, template, context):
        self.name, self.records, self.content, self.render = name, records, content, render
        self.template, self.context = template, context

    def record(self, pk):
        return self.records().filter(pk=pk).first()

    def chibo(self, pk):
        """The task's work up to the bytes it stores."""
        record = self.record(pk)
        document = self.content(record)
        pdf.digest(document)  # the task's "unchanged?" check
        content = self.render(record, document)
        hashlib.sha256(content).hexdigest()
        return content

    def html(self, pk):
        """The HTML string Chibo hands to WeasyPrint for this record."""
        with translation.override("vi"):
            return render_to_string(self.template, self.context(self.record(pk)))


class SignedInChibo(Kind):
    """Minutes as Chibo holds them once it signed them: the row carries the frozen record (`workflow.sign`),
    made here once from the rows before the runs and decoded from its JSON at each run, as the driver would."""

    def __init__(self, kind, pk):
        super().__init__(f"{kind.name}_frozen", kind.records, kind.content, kind.render, kind.template, kind.context)
        self.frozen = json.dumps(workflow.snapshot(kind.record(pk)), default=str)

    def record(self, pk):
        record = super().record(pk)
        record.frozen = json.loads(self.frozen)
        return record


KINDS = {
    "minutes": Kind("minutes", workflow.pdf_records, workflow.content, workflow.render_pdf,
                    "minutes/pdf/minutes.html", workflow.pdf_context),
    "resolution": Kind("resolution", documents.pdf_records, documents.content, documents.render_pdf,
                       "resolutions/pdf/resolution.html", documents.context),
}  # fmt: skip


class WeasyPrintWithin:
    """Stands in for `chibo.pdf.render_html` during the runs and times it: WeasyPrint, as Chibo calls it."""

    def __init__(self):
        self.real, self.last_ms = pdf.render_html, 0.0
        pdf.render_html = self

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.real(*args, **kwargs)
        finally:
            self.last_ms = (time.perf_counter() - started) * 1000


def weasyprint_floor(html):
    """WeasyPrint alone on this HTML, with what Chibo gives it: base URL, fetcher, stylesheet, fonts, PDF/A."""
    from weasyprint import HTML

    fonts, page_css = pdf._page_style(False)
    fetcher, base_url = pdf.shipped_files_fetcher(), str(settings.BASE_DIR)

    def floor():
        # Parsing the HTML is WeasyPrint's work too: inside the timing.
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
        return document.write_pdf(stylesheets=[page_css], font_config=fonts, pdf_variant=pdf.PDF_VARIANT, pdf_tags=True)

    return floor


def pick_documents():
    """{label: (kind, pk, description)}: the biggest signed minutes and resolution of the largest cell and of
    a cell of the median size. `seed_scale` writes signed minutes without the record Chibo freezes when it
    signs them, so Chibo renders those from their rows, as it renders minutes until they are signed; each is
    measured a second time as if signed in Chibo (`SignedInChibo`)."""
    sizes = sorted(Member.objects.on_roll().values_list("cell_id").annotate(n=Count("pk")).values_list("n", "cell_id"))
    if not sizes:
        sys.exit("No members: run `manage.py seed_scale` on this database first.")
    cells = {"large": sizes[-1], "typical": sizes[len(sizes) // 2]}
    picked = {}
    for size, (members, cell) in cells.items():
        if size == "typical" and cell == cells["large"][1]:
            break  # a data set of one cell
        minutes = (
            Minutes.objects.filter(meeting__cell=cell, status=Minutes.Status.LOCKED)
            .annotate(speakers=Count("contributions", distinct=True), votes_n=Count("votes", distinct=True))
            .order_by("-speakers", "-votes_n", "-meeting__starts_at", "-pk")
            .first()
        )
        if minutes:
            attendees = minutes.meeting.attendances.count()
            description = (f"cell of {members} members, {attendees} on the attendance, {minutes.speakers} speakers, "
                           f"{minutes.votes_n} votes")  # fmt: skip
            if minutes.frozen:
                picked[f"minutes_{size}"] = (KINDS["minutes"], minutes.pk, f"{description}, signed in Chibo")
            else:
                picked[f"minutes_{size}"] = (KINDS["minutes"], minutes.pk, f"{description}, from its rows")
                picked[f"minutes_{size}_frozen"] = (SignedInChibo(KINDS["minutes"], minutes.pk), minutes.pk,
                                                    f"{description}, as signed in Chibo")  # fmt: skip
        resolution = (
            Resolution.objects.filter(cell=cell, status=Resolution.Status.ISSUED)
            .annotate(tasks_n=Count("tasks"))
            .order_by("-tasks_n", "-issued_on", "-pk")
            .first()
        )
        if resolution:
            picked[f"resolution_{size}"] = (KINDS["resolution"], resolution.pk,
                                            f"cell of {members} members, {resolution.tasks_n} tasks")  # fmt: skip
    if not any(kind.name == "minutes" for kind, _pk, _d in picked.values()):
        sys.exit("No signed minutes in the largest or the median cell.")
    return picked


def measure(kind, pk, repeat, within, warmup=2):
    html = kind.html(pk)
    floor = weasyprint_floor(html)
    chibo_pdf, floor_pdf = kind.chibo(pk), floor()
    pages = pdf_pages(chibo_pdf)
    if pdf_pages(floor_pdf) != pages:
        raise RuntimeError(f"{kind.name} {pk}: the floor's PDF is not the same document")
    for _ in range(warmup - 1):
        kind.chibo(pk), floor()
    samples = {"chibo": [], "floor": [], "own": []}
    for run in range(repeat):
        order = [("chibo", lambda: kind.chibo(pk)), ("floor", floor)]
        for name, function in order if run % 2 == 0 else reversed(order):
            started = time.perf_counter()
            function()
            samples[name].append((time.perf_counter() - started) * 1000)
            if name == "chibo":
                samples["own"].append(samples["chibo"][-1] - within.last_ms)
    with CaptureQueriesContext(connection) as captured:
        kind.chibo(pk)
    paired = [chibo / floor for chibo, floor in zip(samples["chibo"], samples["floor"], strict=True)]
    return {
        "chibo": stats(samples["chibo"]),
        "floor": stats(samples["floor"]),
        "own": stats(samples["own"]),
        "ratio": statistics.median(paired),
        "ratio_of_medians": statistics.median(samples["chibo"]) / statistics.median(samples["floor"]),
        "queries": len(captured.captured_queries),
        "pages": pages,
        "bytes": len(chibo_pdf),
        "html_chars": len(html),
    }


def pdf_pages(content):
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def first_render(kind_name, pk):
    """In this (fresh) process: import WeasyPrint, configure the fonts, render the document twice."""
    kind = KINDS[kind_name]
    kind.records().get(pk=pk)  # the database connection is not the fonts' cost
    timings = {}
    started = time.perf_counter()
    import weasyprint  # noqa: F401

    timings["import_ms"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    pdf._page_style(False)
    timings["fonts_ms"] = (time.perf_counter() - started) * 1000
    for key in ("first_ms", "second_ms"):
        started = time.perf_counter()
        kind.chibo(pk)
        timings[key] = (time.perf_counter() - started) * 1000
    return timings


def first_render_in_fresh_process(kind_name, pk):
    run = subprocess.run([sys.executable, __file__, "--first-render", f"{kind_name}:{pk}"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    if run.returncode != 0:
        raise RuntimeError(run.stderr[-3000:])
    return json.loads(run.stdout.strip().splitlines()[-1])


def verdict(ok):
    return "PASS" if ok else "FAIL"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=40, help="Timed runs of each path per document (default 40).")
    parser.add_argument("--first-render", metavar="KIND:PK", help=argparse.SUPPRESS)  # the child process's part
    args = parser.parse_args()
    if args.first_render:
        kind_name, pk = args.first_render.split(":")
        print(json.dumps(first_render(kind_name, int(pk))), flush=True)
        return

    def out(line=""):
        print(line, flush=True)

    if connection.vendor != "postgresql":
        out(f"Warning: measuring on {connection.vendor}, not PostgreSQL; the figures mean little.")
    load_before = os.getloadavg()[0]
    picked = pick_documents()
    first_kind, first_pk, _description = next(v for v in picked.values() if v[0].name == "minutes")
    fresh = first_render_in_fresh_process(first_kind.name, first_pk)
    results, within = {}, WeasyPrintWithin()
    for label, (kind, pk, description) in picked.items():
        results[label] = {**measure(kind, pk, args.repeat, within), "kind": kind.name, "pk": pk,
                          "description": description}  # fmt: skip

    load = (round(load_before, 1), round(os.getloadavg()[0], 1))
    out(f"Chibo: the PDF task's work up to the bytes it stores; floor: WeasyPrint alone on the same HTML with the "
        f"same stylesheet, fonts and PDF/A options. {args.repeat} interleaved runs each after 2 warm-ups. Load "
        f"average {load[0]} at the start, {load[1]} at the end ({os.cpu_count()} CPUs).")  # fmt: skip
    out()
    out(f"{'document':<24} {'pages':>5} {'queries':>7} {'Chibo':>8} {'p95':>8} {'floor':>8} {'p95':>8} {'own':>6} "
        f"{'ratio':>6} {'(of medians)':>12}")  # fmt: skip
    for label, r in results.items():
        out(f"{label:<24} {r['pages']:>5} {r['queries']:>7} {r['chibo']['median']:7.1f}  {r['chibo']['p95']:7.1f}  "
            f"{r['floor']['median']:7.1f}  {r['floor']['p95']:7.1f}  {r['own']['median']:5.1f}  {r['ratio']:6.3f} "
            f"{r['ratio_of_medians']:12.3f}   {r['description']}")  # fmt: skip
    out()
    out(f"First PDF in a fresh process (minutes {first_pk}): import WeasyPrint {fresh['import_ms']:.0f} ms, fonts "
        f"{fresh['fonts_ms']:.0f} ms, first document {fresh['first_ms']:.0f} ms, the same again "
        f"{fresh['second_ms']:.0f} ms.")  # fmt: skip
    checks = {label: r["ratio"] <= TARGET_RATIO for label, r in results.items()}
    for label, r in results.items():
        out(f"{verdict(checks[label])}  {label}: {r['ratio']:.3f} × WeasyPrint's own time (target ≤ {TARGET_RATIO})")
    summary = {
        "repeat": args.repeat,
        "target": TARGET_RATIO,
        "load_average": load,
        "documents": {
            label: {
                "kind": r["kind"],
                "pk": r["pk"],
                "description": r["description"],
                "pages": r["pages"],
                "queries": r["queries"],
                "chibo_median_ms": round(r["chibo"]["median"], 2),
                "chibo_p95_ms": round(r["chibo"]["p95"], 2),
                "floor_median_ms": round(r["floor"]["median"], 2),
                "floor_p95_ms": round(r["floor"]["p95"], 2),
                "own_median_ms": round(r["own"]["median"], 2),
                "ratio": round(r["ratio"], 4),
                "ratio_of_medians": round(r["ratio_of_medians"], 4),
            }
            for label, r in results.items()
        },
        "ratios": {label: round(r["ratio"], 4) for label, r in results.items()},
        "first_render": {key: round(value, 1) for key, value in fresh.items()},
        "pass": checks,
    }
    print(json.dumps(summary, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
