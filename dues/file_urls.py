"""The dues book's files and its import (dues/file_views.py), under the "dues_files" namespace."""

from django.urls import path

from . import file_views

app_name = "dues_files"

urlpatterns = [
    path("cells/<int:pk>/dues/files/book-<int:year>.xlsx", file_views.book_xlsx, name="book_xlsx"),
    path("cells/<int:pk>/dues/files/book-<int:year>.pdf", file_views.book_pdf, name="book_pdf"),
    path("cells/<int:pk>/dues/files/import/", file_views.book_import, name="import"),
]
