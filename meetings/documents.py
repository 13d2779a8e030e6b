"""Documents: only the kinds cells use are uploaded, checked by their content as well as their name; a stored
file is served as a download (`serve`, also used by the resolutions and the dashboards). May import: chibo."""

import io
import zipfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from chibo.uploads import size_problem

CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


def _office_part(head, upload, folder):
    if not head.startswith(b"PK\x03\x04"):
        return False
    upload.seek(0)
    try:
        with zipfile.ZipFile(io.BytesIO(upload.read())) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and any(name.startswith(folder) for name in names)


def validate_document(upload):
    """Raise ValidationError with a clear message unless `upload` is an accepted, intact document."""
    extension = Path(upload.name).suffix.lower()
    if extension not in CONTENT_TYPES:
        raise ValidationError(_("Only PDF, Word (.docx), Excel (.xlsx), JPEG and PNG files are accepted."))
    problem = size_problem(upload, settings.DOCUMENT_MAX_BYTES)
    if problem:
        raise ValidationError(problem)
    upload.seek(0)
    head = upload.read(8)
    matches = {
        ".pdf": lambda: head.startswith(b"%PDF-"),
        ".jpg": lambda: head.startswith(b"\xff\xd8\xff"),
        ".jpeg": lambda: head.startswith(b"\xff\xd8\xff"),
        ".png": lambda: head.startswith(b"\x89PNG\r\n\x1a\n"),
        ".docx": lambda: _office_part(head, upload, "word/"),
        ".xlsx": lambda: _office_part(head, upload, "xl/"),
    }[extension]()
    upload.seek(0)
    if not matches:
        raise ValidationError(_("The file's content does not match its name (%(ext)s).") % {"ext": extension})


def content_type(name):
    return CONTENT_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


class DocumentField(forms.FileField):
    """A file field that accepts only the document kinds above, checked by content."""

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            validate_document(value)
        return value


def serve(field_file, filename=None, as_attachment=False):
    """A stored file as a download; a file missing from storage is a 404, not an error."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = filename or field_file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=as_attachment, filename=name, content_type=content_type(field_file.name))
