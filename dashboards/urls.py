"""The dashboards' addresses. They keep the names they had when they lived in meetings/ ("meetings:dashboard",
…): chibo/urls.py serves both apps' patterns under the one "meetings" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("units/<int:pk>/dashboard/", views.dashboard_view, name="dashboard"),
    path("units/<int:pk>/dashboard/cells/", views.dashboard_cells, name="dashboard_cells"),
    path("units/<int:pk>/dashboard/members/", views.dashboard_members, name="dashboard_members"),
    path(
        "units/<int:pk>/dashboard/<str:what>.<str:fmt>",
        views.dashboard_export,
        name="dashboard_export",
    ),
    path("units/<int:pk>/dashboard/report/", views.report_request, name="report_request"),
    path("reports/<int:pk>/status/", views.report_status, name="report_status"),
    path("reports/<int:pk>/file/", views.report_file, name="report_file"),
]
