import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from meetings.models import Document

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office(folder):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<x/>")
    return buffer.getvalue()


@pytest.fixture
def meeting(cell, make_meeting):
    return make_meeting(cell, timezone.now() + timedelta(days=3))


def upload(client, meeting, name, content, **extra):
    return client.post(
        reverse("meetings:document_upload", args=[meeting.pk]),
        {"title": "Tài liệu", "file": SimpleUploadedFile(name, content), **extra},
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bao-cao.pdf", b"%PDF-1.7\n..."),
        ("du-thao.docx", office("word")),
        ("danh-sach.xlsx", office("xl")),
        ("anh.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 16),
        ("so-do.png", PNG),
    ],
)
def test_accepted_documents_are_stored_and_served_to_the_cell(client, secretary, member, meeting, name, content):
    client.force_login(secretary)
    assert upload(client, meeting, name, content).status_code == 302
    document = Document.objects.get(meeting=meeting)
    assert (document.size, document.uploaded_by) == (len(content), secretary)
    client.force_login(member)
    response = client.get(reverse("meetings:document", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert name in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "Only PDF, Word"),
        ("bao-cao.pdf", b"MZ\x90\x00 not a pdf", "does not match"),
        ("du-thao.docx", office("xl"), "does not match"),  # a spreadsheet renamed
        ("du-thao.docx", b"PK\x03\x04 broken", "does not match"),
        ("anh.png", b"GIF89a", "does not match"),
        ("trong.pdf", b"", "empty"),
    ],
)
def test_bad_uploads_are_refused_with_a_message(client, secretary, meeting, name, content, message):
    client.force_login(secretary)
    response = upload(client, meeting, name, content)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["file"])
    assert not Document.objects.exists()


def test_a_document_over_the_limit_is_refused(client, secretary, meeting, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    client.force_login(secretary)
    response = upload(client, meeting, "lon.pdf", b"%PDF-" + b"x" * 2000)
    assert "too large" in response.context["form"].errors["file"][0]


def test_a_document_can_go_with_an_agenda_item_of_this_meeting_only(client, secretary, meeting, cell, make_meeting):
    other = make_meeting(cell)
    client.force_login(secretary)
    item = meeting.agenda_items.first()
    upload(client, meeting, "a.pdf", b"%PDF-1.4", agenda_item=item.pk)
    assert Document.objects.get().agenda_item == item
    response = upload(client, meeting, "b.pdf", b"%PDF-1.4", agenda_item=other.agenda_items.first().pk)
    assert "agenda_item" in response.context["form"].errors
    assert Document.objects.count() == 1


def test_outsiders_cannot_fetch_a_document_by_its_number(client, secretary, outsider, meeting):
    client.force_login(secretary)
    upload(client, meeting, "a.pdf", b"%PDF-1.4")
    client.force_login(outsider)
    assert client.get(reverse("meetings:document", args=[Document.objects.get().pk])).status_code == 404


def test_the_meeting_page_shows_documents_put_up_after_the_deadline(client, secretary, meeting, settings):
    settings.DOCUMENTS_DAYS_BEFORE = 2
    client.force_login(secretary)
    assert upload(client, meeting, "bao-cao.pdf", b"%PDF-1.7\n...").status_code == 302
    assert upload(client, meeting, "du-thao.pdf", b"%PDF-1.7\n...", title="Dự thảo").status_code == 302
    # Three days ahead, both are in time; the draft put up a day before the meeting is late for two days.
    Document.objects.filter(title="Dự thảo").update(uploaded_at=meeting.starts_at - timedelta(days=1))
    page = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert [d.title for d in page.context["documents_due"]["late"]] == ["Dự thảo"]
    due = timezone.localtime(meeting.starts_at - timedelta(days=2)).strftime("%H:%M %d/%m/%Y")
    text = " ".join(page.content.decode().split())
    assert f"Tài liệu phải có trước buổi sinh hoạt 2 ngày: trước {due}. 1 tài liệu đưa lên muộn." in text
    settings.DOCUMENTS_DAYS_BEFORE = 1  # the default: the draft is in time
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).context["documents_due"]["late"] == []
