from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("hooks/sms/<str:secret>/", views.sms_report, name="sms_report"),
    path("hooks/zalo/<str:secret>/", views.zalo_report, name="zalo_report"),
    path("email/stop/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
