"""Checks shared by every upload: a clear message for an empty or oversized file, and a cap on what is kept
of an upload while it is still arriving."""

from io import BytesIO

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _


def size_problem(upload, limit):
    """The message for an empty or too large upload, or None when its size is acceptable."""
    # No file above UPLOAD_MAX_BYTES arrives whole, whatever the field allows.
    limit = min(limit, settings.UPLOAD_MAX_BYTES)
    if upload.size == 0:
        return _("The file is empty.")
    if upload.size > limit:
        return _("The file is too large (%(size)s MB); the limit is %(limit)s MB.") % {
            "size": round(upload.size / 1048576, 1),
            "limit": round(limit / 1048576, 1),
        }
    return None


def _cut_off(*args):
    raise RequestDataTooBig("An upload past UPLOAD_MAX_BYTES was about to be read or stored.")


class _CutOff(BytesIO):
    read = _cut_off


class RefusedUpload(UploadedFile):
    """A file cut off at UPLOAD_MAX_BYTES: its name and full size, no content. Every upload field checks
    `size_problem`, which refuses it, so it reaches the form as a "too large" error and is never stored.

    A form without that check (the admin's) must not store an empty file in its place: reading it, or the
    storage asking for its temporary file (which it does before creating anything), is a 400.
    """

    refused = True

    def __init__(self, name, content_type, size, charset=None, content_type_extra=None):
        super().__init__(_CutOff(), name, content_type, size, charset, content_type_extra)

    temporary_file_path = _cut_off


class SizeCappedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: passes each file's chunks on to Django's memory or temporary-file
    handler until the file passes UPLOAD_MAX_BYTES, then drops the rest.

    A 300 MB essay used to be written to a temporary file and only then refused by the form. Now at most
    UPLOAD_MAX_BYTES of it is written, that partial copy is closed (a temporary file is deleted) as soon as
    the limit is passed, and the form gets a RefusedUpload. The rest of the body is still read, without
    being kept, so the other fields of the form arrive and the browser gets the page with the error rather
    than a reset connection (a proxy's body size limit is what spares the reading).
    """

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        # A file announcing its size (few clients do) can be refused before any of it is written.
        self.refused = self.content_length is not None and self.content_length > settings.UPLOAD_MAX_BYTES
        # The handlers after this one make their file for this upload once this method returns; whatever
        # file they hold now belongs to an earlier upload and must not be touched.
        self.earlier_files = {id(handler): getattr(handler, "file", None) for handler in self._next_handlers()}

    def receive_data_chunk(self, raw_data, start):
        if not self.refused and start + len(raw_data) > settings.UPLOAD_MAX_BYTES:
            self.refused = True
            self._drop_partial_copies()
        return None if self.refused else raw_data

    def file_complete(self, file_size):
        if not self.refused:
            return None  # the next handler returns the file it kept
        self._drop_partial_copies()  # when refused in new_file, before any chunk
        return RefusedUpload(self.file_name, self.content_type, file_size, self.charset, self.content_type_extra)

    def _next_handlers(self):
        handlers = list(self.request.upload_handlers) if self.request is not None else []
        return handlers[handlers.index(self) + 1 :] if self in handlers else []

    def _drop_partial_copies(self):
        # Django's own parser closes the handlers' `file` the same way when an upload is cut short.
        for handler in self._next_handlers():
            partial = getattr(handler, "file", None)
            if partial is not None and partial is not self.earlier_files.get(id(handler)):
                partial.close()
