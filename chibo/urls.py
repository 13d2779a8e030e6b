from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dashboards import urls as dashboard_urls
from meetings import urls as meeting_urls
from members import views as member_views

accounts = [
    path("login/", member_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", member_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("invitation/<uidb64>/<token>/", member_views.AcceptInvitationView.as_view(), name="accept_invitation"),
]

urlpatterns = [
    path("healthz", member_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include(accounts)),
    path("i18n/", include("django.conf.urls.i18n")),
    # The dashboards moved out of meetings/ with their URL names: one "meetings" namespace for both.
    path("", include((meeting_urls.urlpatterns + dashboard_urls.urlpatterns, "meetings"))),
    path("", include("resolutions.urls")),
    path("", include("members.urls")),
]
