"""The minutes book and its PDF say which signed minutes the PDF book lacks, and render them (issues 11 and 15)."""

import io
import re
import unicodedata
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from meetings import services
from meetings.models import Meeting
from members.models import Member
from minutes import workflow
from minutes.models import Minutes
from minutes.tasks import render_minutes_pdf

from .conftest import local
from .test_minutes import NOW, lock, make_held

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(cell, make_member, make_meeting, secretary, member):
    return make_held(cell, make_member, make_meeting, secretary, member)


@pytest.fixture
def book(held, secretary, cell, make_meeting, django_capture_on_commit_callbacks):
    """October's minutes signed with their PDF; July, August and September signed with none, in three
    states: never rendered, rendering failed, being rendered; and a draft of June."""
    with django_capture_on_commit_callbacks(execute=True):
        rendered = lock(held, secretary)
    chair = Member.objects.get(user=secretary)
    signed = {}
    for month, state in [(7, ""), (8, "failed"), (9, "pending")]:
        meeting = make_meeting(cell, local(2026, month, 4, 19, 30), chair=chair)
        with time_machine.travel(NOW):
            services.record_attendance(meeting, {chair.pk: ("present", "")})
            minutes = workflow.start(meeting)
            workflow.approve(minutes, secretary)
            workflow.sign(minutes, secretary)  # its render never ran (no worker)
        # The one being rendered was queued just now; the failed one a long while ago.
        queued_at = timezone.now() if state == "pending" else None
        Minutes.objects.filter(pk=minutes.pk).update(pdf_status=state, pdf_requested_at=queued_at)
        signed[state] = minutes
    workflow.start(make_meeting(cell, local(2026, 6, 6, 19, 30), chair=chair))
    assert Minutes.objects.get(pk=rendered.pk).pdf_status == "ready"
    return signed


def book_url(cell, name="minutes_book"):
    return reverse(f"meetings:{name}", args=[cell.pk]) + "?year=2026"


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


def test_the_book_page_names_the_signed_minutes_the_pdf_book_lacks(client, book, secretary, cell):
    client.force_login(secretary)
    page = client.get(book_url(cell))
    assert [m.pk for m in page.context["missing"]] == [book[""].pk, book["failed"].pk, book["pending"].pk]
    html = page.content.decode()
    with translation.override("vi"):
        kind = str(Meeting.Kind.REGULAR.label)
    for minutes in book.values():
        day = f"04/{minutes.meeting.starts_at.month:02d}/2026"
        assert reverse("meetings:minutes", args=[minutes.meeting_id]) in html
        assert f"{day} · {kind}" in html
    assert reverse("meetings:minutes_book", args=[cell.pk]) in html and "csrfmiddlewaretoken" in html
    assert page.context["can_render"] is True


def test_the_button_renders_the_missing_pdfs_once(client, book, secretary, cell, django_capture_on_commit_callbacks):
    client.force_login(secretary)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("meetings:minutes_book", args=[cell.pk]), {"year": 2026})
        assert response.status_code == 302 and response["Location"] == book_url(cell)
        client.post(reverse("meetings:minutes_book", args=[cell.pk]), {"year": 2026})  # a second click
    states = dict(Minutes.objects.filter(pk__in=[m.pk for m in book.values()]).values_list("pk", "pdf_status"))
    assert set(states.values()) == {"pending"}
    assert len(callbacks) == 1  # one batch, from the first click: the second found them all being rendered
    for callback in callbacks:
        callback()
    assert Minutes.objects.get(pk=book[""].pk).pdf_status == "ready"
    assert Minutes.objects.get(pk=book["failed"].pk).pdf_status == "ready"
    assert Minutes.objects.get(pk=book["pending"].pk).pdf_status == "pending"  # already queued: not sent again
    page = client.get(book_url(cell))
    assert [m.pk for m in page.context["missing"]] == [book["pending"].pk]
    assert page.context["can_render"] is False  # only one being rendered is left


def test_only_those_who_may_render_the_minutes_queue_them(client, book, cell, member, commune_viewer, outsider,
                                                          commune_admin):  # fmt: skip
    url = reverse("meetings:minutes_book", args=[cell.pk])
    for user, expected in [(member, 403), (commune_viewer, 403), (outsider, 404)]:
        client.force_login(user)
        assert client.post(url, {"year": 2026}).status_code == expected
        if expected == 403:
            assert client.get(book_url(cell)).context["can_render"] is False
    assert Minutes.objects.get(pk=book[""].pk).pdf_status == ""
    client.force_login(commune_admin)
    assert client.post(url, {"year": 2026}).status_code == 302
    assert Minutes.objects.get(pk=book[""].pk).pdf_status != ""


def test_asking_for_the_book_renders_what_it_lacks_shows_how_far_then_delivers_the_whole_year(
    client, book, secretary, cell, django_capture_on_commit_callbacks
):
    client.force_login(secretary)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(book_url(cell, "minutes_book_pdf"))
    assert response.status_code == 302 and response["Location"] == book_url(cell) + "&deliver=1"
    states = dict(Minutes.objects.filter(pk__in=[m.pk for m in book.values()]).values_list("pk", "pdf_status"))
    assert set(states.values()) == {"pending"} and len(callbacks) == 1  # never rendered and failed: queued
    # The book page shows how far the worker is, and will fetch the book once it is done.
    page = client.get(response["Location"])
    assert page.context["rendering"] == 3 and page.context["deliver"] is True
    html = page.content.decode()
    assert 'id="book-progress"' in html and "as_is=1" in html and "js/minutes_book.js" in html
    progress = client.get(book_url(cell) + "&progress=1").json()
    assert (progress["signed"], progress["done"], progress["pending"]) == (4, 1, 3)
    assert progress["label"] == "1/4 biên bản đã ký đã có tệp PDF"
    callbacks[0]()  # the worker renders the two it was sent…
    render_minutes_pdf.apply(args=[book["pending"].pk])  # …and finishes the one it had already
    progress = client.get(book_url(cell) + "&progress=1").json()
    assert (progress["done"], progress["pending"], progress["label"]) == (4, 0, "Sổ biên bản đã sẵn sàng.")
    response = client.get(book_url(cell, "minutes_book_pdf") + "&as_is=1")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="so-bien-ban-p-c1-1-2026.pdf"'
    text = pdf_text(response.content)
    assert "không có trong tệp này" not in text
    for day in ("04/07/2026", "04/08/2026", "04/09/2026", "03/10/2026"):
        assert day in text  # in the contents
    assert text.count("BIÊN BẢN") >= 4  # the minutes follow


def test_the_book_asked_for_as_it_is_names_the_signed_minutes_it_leaves_out(client, book, secretary, cell):
    client.force_login(secretary)
    response = client.get(book_url(cell, "minutes_book_pdf") + "&as_is=1")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "3 biên bản đã ký không có trong tệp này" in text
    for day, why in (("04/07/2026", "Chưa tạo"), ("04/08/2026", "Tạo không thành công"), ("04/09/2026", "Đang tạo")):
        assert re.search(rf"{day}.*{why}", text), (day, text)
    assert "BIÊN BẢN" in text  # the rendered minutes follow
    states = Minutes.objects.filter(pk__in=[m.pk for m in book.values()]).values_list("pdf_status", flat=True)
    assert set(states) == {"", "failed", "pending"}  # nothing was queued


def test_a_member_asking_for_the_book_has_it_completed_too(client, book, member, cell,
                                                           django_capture_on_commit_callbacks):  # fmt: skip
    """Rendering a signed minutes' PDF changes nothing it says: whoever may read the book may have it completed."""
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(book_url(cell, "minutes_book_pdf"))
    assert response.status_code == 302
    assert Minutes.objects.get(pk=book[""].pk).pdf_status == "ready"
    assert Minutes.objects.get(pk=book["failed"].pk).pdf_status == "ready"


def test_outsiders_see_neither_the_book_nor_its_progress(client, book, cell, outsider):
    client.force_login(outsider)
    assert client.get(book_url(cell, "minutes_book_pdf")).status_code == 404
    assert client.get(book_url(cell) + "&progress=1").status_code == 404
    assert Minutes.objects.get(pk=book[""].pk).pdf_status == ""


@time_machine.travel("2026-12-01 09:00 +0700")
def test_the_book_page_query_count_does_not_grow_with_the_missing_minutes(client, secretary, cell, make_meeting,
                                                                         django_assert_num_queries):  # fmt: skip
    chair = Member.objects.get(user=secretary)
    client.force_login(secretary)
    made = 0
    for count in (2, 12):
        for number in range(made, count):
            meeting = make_meeting(cell, local(2026, 1 + number % 11, 4 + number // 11, 19, 30), chair=chair)
            services.record_attendance(meeting, {chair.pk: ("present", "")})
            minutes = workflow.start(meeting)
            workflow.approve(minutes, secretary)
            workflow.sign(minutes, secretary)
            Minutes.objects.filter(pk=minutes.pk).update(pdf_status="")  # never rendered: missing from the book
        made = count
        # session, user with their access and their cell (the book's: no query of its own), the years with
        # minutes, the year's minutes with their meetings (the signed ones missing from the book among them)
        with django_assert_num_queries(4):
            page = client.get(book_url(cell))
        assert (len(page.context["records"]), len(page.context["missing"])) == (count, count)
        assert page.context["can_render"] is True


def test_a_render_that_never_came_back_is_queued_again_and_a_fresh_failure_waits(
    client, book, secretary, cell, settings, django_capture_on_commit_callbacks
):
    """A worker killed in the middle of a render leaves its minutes "being rendered" for ever: after
    PDF_RENDER_RETRY_MINUTES the book queues it again. A render that failed a moment ago is not tried again on
    every visit; the secretary's button tries it at once."""
    settings.PDF_RENDER_RETRY_MINUTES = 10
    client.force_login(secretary)
    Minutes.objects.filter(pk=book["pending"].pk).update(pdf_requested_at=timezone.now() - timedelta(minutes=11))
    Minutes.objects.filter(pk=book["failed"].pk).update(pdf_requested_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks():
        response = client.get(book_url(cell, "minutes_book_pdf"))
    assert response.status_code == 302
    assert Minutes.objects.get(pk=book["failed"].pk).pdf_status == "failed"  # failed a minute ago: left
    assert Minutes.objects.get(pk=book["pending"].pk).pdf_requested_at > timezone.now() - timedelta(minutes=1)
    assert client.get(response["Location"]).context["rendering"] == 2  # the stale one and the never rendered
    client.post(reverse("meetings:minutes_book", args=[cell.pk]), {"year": 2026})
    assert Minutes.objects.get(pk=book["failed"].pk).pdf_status == "pending"  # the button: at once


def test_a_damaged_stored_pdf_is_named_in_the_book_in_vietnamese_whatever_the_readers_language(
    client, book, secretary, cell
):
    rendered = Minutes.objects.filter(meeting__cell=cell, pdf_status="ready").get()
    with rendered.pdf.storage.open(rendered.pdf.name, "wb") as handle:
        handle.write(b"%PDF-1.7 this is not a PDF any more")
    client.force_login(secretary)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(book_url(cell, "minutes_book_pdf") + "&as_is=1")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert re.search(r"03/10/2026.*Tệp lưu trữ bị hỏng", text), text
    assert re.search(r"04/07/2026.*Chưa tạo", text), text
    assert Minutes.objects.get(pk=rendered.pk).pdf_status == "failed"  # rendered again when next asked for


@pytest.fixture
def committee_minutes(cell, secretary, make_meeting, django_capture_on_commit_callbacks):
    """The cell committee's own meeting, its minutes signed with a PDF: a plain member may not read them."""
    chair = Member.objects.get(user=secretary)
    meeting = make_meeting(cell, local(2026, 10, 1, 19, 30), chair=chair, kind=Meeting.Kind.COMMITTEE,
                           title="Họp chi ủy xét kỷ luật")  # fmt: skip
    with time_machine.travel(NOW):
        services.record_attendance(meeting, {chair.pk: ("present", "")})
        minutes = workflow.start(meeting)
        Minutes.objects.filter(pk=minutes.pk).update(conclusion="Đề nghị kỷ luật khiển trách")
        minutes.refresh_from_db()
        workflow.approve(minutes, secretary)
        with django_capture_on_commit_callbacks(execute=True):
            workflow.sign(minutes, secretary)
    assert Minutes.objects.get(pk=minutes.pk).pdf_status == "ready"
    return minutes


def test_a_plain_members_book_list_search_and_progress_leave_out_the_committees_minutes(
    client, book, committee_minutes, member, secretary, cell, django_capture_on_commit_callbacks
):
    client.force_login(member)
    page = client.get(book_url(cell))
    assert committee_minutes not in page.context["records"]
    assert "Họp chi ủy xét kỷ luật" not in page.content.decode()
    search = client.get(reverse("meetings:minutes_book", args=[cell.pk]) + "?q=khiển trách")
    assert list(search.context["records"]) == []
    assert client.get(book_url(cell) + "&progress=1").json()["signed"] == 4  # October's and the three without
    with django_capture_on_commit_callbacks(execute=True):
        client.get(book_url(cell, "minutes_book_pdf"))
    text = pdf_text(client.get(book_url(cell, "minutes_book_pdf") + "&as_is=1").content)
    assert "khiển trách" not in text and "Họp chi ủy" not in text and "01/10/2026" not in text
    # The committee's own book has them.
    client.force_login(secretary)
    assert client.get(book_url(cell) + "&progress=1").json()["signed"] == 5
    text = pdf_text(client.get(book_url(cell, "minutes_book_pdf") + "&as_is=1").content)
    assert "khiển trách" in text and "01/10/2026" in text
