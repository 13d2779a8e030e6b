from django.urls import path

from . import views

app_name = "dues"

urlpatterns = [
    path("cells/<int:pk>/dues/", views.book, name="book"),
    path("cells/<int:pk>/dues/pay/", views.pay, name="pay"),
    path("cells/<int:pk>/dues/report/<int:year>/<int:month>/", views.report, name="report"),
    path("dues/lines/<int:pk>/", views.entry_detail, name="entry"),
    path("members/<int:pk>/dues/", views.member_dues, name="member"),
    path("members/<int:pk>/dues/basis/", views.member_profile, name="profile"),
    path("members/<int:pk>/dues/exemption/", views.member_exemption, name="exemption"),
    path("units/<int:pk>/dues/reports/", views.unsent, name="unsent"),
]
