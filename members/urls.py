from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.home, name="home"),
    path("text-size/", views.text_size, name="text_size"),
    path("units/", views.tree, name="tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/add/", views.unit_create, name="unit_create"),
    path("cells/<int:pk>/members/", views.member_list, name="list"),
    path("cells/<int:pk>/members/new/", views.member_create, name="create"),
    path("cells/<int:pk>/members/import/", views.member_import, name="import"),
    path("cells/<int:pk>/members/import/template.xlsx", views.import_template, name="import_template"),
    path("members/<int:pk>/", views.member_detail, name="detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="edit"),
    path("members/<int:pk>/status/", views.member_status, name="status"),
    path("members/<int:pk>/transfer/", views.member_transfer, name="transfer"),
    path("members/<int:pk>/transfers/new/", views.transfer_start, name="transfer_start"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("members/<int:pk>/invite/", views.member_invite, name="invite"),
    path("login-email/", views.login_email, name="login_email"),
    path("login-email/<str:token>/", views.login_email_confirm, name="login_email_confirm"),
]
