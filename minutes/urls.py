"""The minutes' addresses. They keep the names they had when they lived in meetings/ ("meetings:minutes",
…): chibo/urls.py serves them under the one "meetings" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("meetings/<int:pk>/minutes/", views.minutes_detail, name="minutes"),
    path("meetings/<int:pk>/minutes/start/", views.minutes_start, name="minutes_start"),
    path("meetings/<int:pk>/minutes/edit/", views.minutes_edit, name="minutes_edit"),
    path("meetings/<int:pk>/minutes/approve/", views.minutes_transition, {"action": "approve"}, name="minutes_approve"),
    path("meetings/<int:pk>/minutes/reopen/", views.minutes_transition, {"action": "reopen"}, name="minutes_reopen"),
    path("meetings/<int:pk>/minutes/sign/", views.minutes_transition, {"action": "sign"}, name="minutes_sign"),
    path("meetings/<int:pk>/minutes/addendum/", views.minutes_addendum, name="minutes_addendum"),
    path("meetings/<int:pk>/minutes/render/", views.minutes_render, name="minutes_render"),
    path("meetings/<int:pk>/minutes/status/", views.minutes_status, name="minutes_status"),
    path("meetings/<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("meetings/<int:pk>/minutes.docx", views.minutes_docx, name="minutes_docx"),
    path("cells/<int:pk>/minutes/", views.minutes_book, name="minutes_book"),
    path("cells/<int:pk>/minutes/book.pdf", views.minutes_book_pdf, name="minutes_book_pdf"),
]
