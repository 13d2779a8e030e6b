"""A signed minutes whose stored PDF was lost from storage (a disk replaced, a backup restored without the
media) can be rendered again: the file's presence is part of "the PDF is current"."""

import pytest
from django.urls import reverse

from minutes.models import Minutes

from .test_minutes import lock, make_held

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(cell, make_member, make_meeting, secretary, member, django_capture_on_commit_callbacks):
    held = make_held(cell, make_member, make_meeting, secretary, member)
    with django_capture_on_commit_callbacks(execute=True):
        record = lock(held, secretary)
    record.refresh_from_db()
    assert record.pdf_status == "ready" and record.pdf.storage.exists(record.pdf.name)
    record.pdf.storage.delete(record.pdf.name)
    return record


def test_rendering_again_restores_a_pdf_lost_from_storage(
    client, signed, secretary, django_capture_on_commit_callbacks
):
    client.force_login(secretary)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("meetings:minutes_render", args=[signed.meeting_id]))
    assert response.status_code == 302
    assert len(callbacks) == 1  # queued, although the record still said "ready"
    signed.refresh_from_db()
    assert signed.pdf_status == "ready" and signed.pdf.storage.exists(signed.pdf.name)
    assert signed.pdf.read().startswith(b"%PDF")


def test_asking_for_the_book_renders_a_lost_pdf_again(client, signed, secretary, cell,
                                                      django_capture_on_commit_callbacks):  # fmt: skip
    client.force_login(secretary)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("meetings:minutes_book_pdf", args=[cell.pk]) + "?year=2026")
    assert response.status_code == 302 and "deliver=1" in response["Location"]
    signed.refresh_from_db()
    assert signed.pdf_status == "ready" and signed.pdf.storage.exists(signed.pdf.name)


def test_the_book_pdf_as_it_is_marks_a_lost_pdf_so_that_the_book_page_offers_to_render_it(client, signed, secretary,
                                                                                         cell):  # fmt: skip
    client.force_login(secretary)
    url = reverse("meetings:minutes_book", args=[cell.pk]) + "?year=2026"
    assert client.get(url).context["missing"] == []
    response = client.get(reverse("meetings:minutes_book_pdf", args=[cell.pk]) + "?year=2026&as_is=1")
    assert response["Content-Type"] == "application/pdf"
    assert Minutes.objects.get(pk=signed.pk).pdf_status == "failed"
    page = client.get(url)
    assert [m.pk for m in page.context["missing"]] == [signed.pk] and page.context["can_render"] is True
