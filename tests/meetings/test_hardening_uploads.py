"""Issue 11: an upload past UPLOAD_MAX_BYTES is cut off while it arrives, never stored, and the form says why."""

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import reverse
from django.utils import timezone

from meetings.models import Document
from members.models import Member

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
PDF = b"%PDF-1.7\n"
# What the temporary-file handler (the one that writes to disk) saw of each file, most recent last.
SEEN = []


class RecordingTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file handler, noting what it was given and whether it handed a file over."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        SEEN.append({"bytes": 0, "completed": False, "path": self.file.temporary_file_path()})

    def receive_data_chunk(self, raw_data, start):
        SEEN[-1]["bytes"] += len(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        SEEN[-1]["completed"] = True
        return super().file_complete(file_size)


@pytest.fixture
def capped(settings):
    """A 1 MB cap, small files kept in memory, and the disk-writing handler recorded."""
    SEEN.clear()
    settings.UPLOAD_MAX_BYTES = 1 * MB
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    recorder = f"{__name__}.RecordingTemporaryFileUploadHandler"
    settings.FILE_UPLOAD_HANDLERS = [
        recorder if path.endswith(".TemporaryFileUploadHandler") else path for path in settings.FILE_UPLOAD_HANDLERS
    ]
    return settings


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def meeting(cell, make_meeting):
    return make_meeting(cell, timezone.now() + timedelta(days=3))


def post_document(client, meeting, content, name="tieu-luan.pdf"):
    return client.post(
        reverse("meetings:document_upload", args=[meeting.pk]),
        {"title": "Tài liệu", "file": SimpleUploadedFile(name, content, "application/pdf")},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_a_document_past_the_cap_is_cut_off_unwritten_and_refused_with_a_message(client, secretary, meeting, capped):
    client.force_login(secretary)
    response = post_document(client, meeting, PDF + b"0" * (3 * MB))
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["The file is too large (3.0 MB); the limit is 1.0 MB."]
    assert response.context["form"]["title"].value() == "Tài liệu"  # the rest of the form arrived
    assert not Document.objects.exists()
    assert stored_files(capped) == []
    # The handler that writes to disk got no more than the cap, never handed a file over, and its partial
    # temporary file is gone.
    (seen,) = SEEN
    assert seen["bytes"] <= 1 * MB
    assert not seen["completed"]
    assert not os.path.exists(seen["path"])


def test_a_document_under_the_cap_still_goes_through(client, secretary, meeting, capped):
    client.force_login(secretary)
    content = PDF + b"0" * (900 * 1024)
    assert post_document(client, meeting, content).status_code == 302
    assert Document.objects.get().size == len(content)
    assert SEEN[0]["completed"] and SEEN[0]["bytes"] == len(content)


def test_the_field_limit_still_applies_under_the_cap(client, secretary, meeting, capped):
    capped.DOCUMENT_MAX_BYTES = 100 * 1024
    client.force_login(secretary)
    response = post_document(client, meeting, PDF + b"0" * (200 * 1024))
    assert response.context["form"].errors["file"] == ["The file is too large (0.2 MB); the limit is 0.1 MB."]
    assert not Document.objects.exists()


def test_a_file_announcing_its_size_past_the_cap_is_refused_before_any_byte_is_written(
    client, secretary, meeting, capped
):
    client.force_login(secretary)
    body = (
        b"--XYZ\r\n"
        b'Content-Disposition: form-data; name="title"\r\n\r\n'
        b"T\xc3\xa0i li\xe1\xbb\x87u\r\n"
        b"--XYZ\r\n"
        b'Content-Disposition: form-data; name="file"; filename="tieu-luan.pdf"\r\n'
        b"Content-Type: application/pdf\r\n"
        b"Content-Length: 3145737\r\n\r\n" + PDF + b"0" * (3 * MB) + b"\r\n"
        b"--XYZ--\r\n"
    )
    response = client.generic(
        "POST",
        reverse("meetings:document_upload", args=[meeting.pk]),
        body,
        content_type="multipart/form-data; boundary=XYZ",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.context["form"].errors["file"] == ["The file is too large (3.0 MB); the limit is 1.0 MB."]
    assert SEEN[0]["bytes"] == 0 and not SEEN[0]["completed"] and not os.path.exists(SEEN[0]["path"])
    assert not Document.objects.exists() and stored_files(capped) == []


def test_an_essay_past_the_cap_is_refused_and_not_stored(client, commune_admin, secretary, member, cell, capped):
    from resolutions.models import Directive, StudyEssay, StudySession

    directive = Directive.objects.create(unit=cell.parent, title="Nghị quyết", study_by=date(2026, 12, 31))
    session = StudySession.objects.create(cell=cell, directive=directive, held_on=date(2026, 12, 5))
    client.force_login(member)
    response = client.post(
        reverse("resolutions:essay", args=[session.pk]),
        {"file": SimpleUploadedFile("tieu-luan.pdf", PDF + b"0" * (3 * MB), "application/pdf")},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert response.status_code == 200
    assert "The file is too large (3.0 MB); the limit is 1.0 MB." in [str(m) for m in response.context["messages"]]
    assert not StudyEssay.objects.filter(member=Member.objects.get(user=member)).exists()
    assert stored_files(capped) == []
    assert SEEN[0]["bytes"] <= 1 * MB and not SEEN[0]["completed"]


def test_the_request_limits_stay_on():
    # None would turn a limit off; these bound what a request may make the server hold.
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * MB
    assert django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000
    assert django_settings.DATA_UPLOAD_MAX_NUMBER_FILES == 100
    # The cap leaves room for the largest per-field limit, so each field's own message shows.
    largest_field_limit = max(django_settings.DOCUMENT_MAX_BYTES, django_settings.MEMBER_IMPORT_MAX_BYTES)
    assert largest_field_limit <= django_settings.UPLOAD_MAX_BYTES
    assert django_settings.FILE_UPLOAD_HANDLERS[0] == "chibo.uploads.SizeCappedUploadHandler"


def test_a_form_without_the_size_check_cannot_store_a_cut_off_file(client, meeting, capped, django_user_model):
    # The admin's document form checks no size: the cut-off upload is a 400 there, never an empty file.
    admin = django_user_model.objects.create_superuser("root", "root@example.vn", "a-Strong-password-42")
    client.force_login(admin)
    response = client.post(
        reverse("admin:meetings_document_add"),
        {"meeting": meeting.pk, "title": "Tài liệu", "size": 0,
         "file": SimpleUploadedFile("tieu-luan.pdf", PDF + b"0" * (3 * MB), "application/pdf")},
    )  # fmt: skip
    assert response.status_code == 400
    assert not Document.objects.exists()
    assert stored_files(capped) == []
