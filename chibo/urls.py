from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import include, path, re_path

from dashboards import urls as dashboard_urls
from meetings import urls as meeting_urls
from members import views as member_views
from minutes import urls as minutes_urls

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
    path("phone/", member_views.phone_login, name="phone_login"),
    path("phone/reset/", member_views.phone_reset, name="phone_reset"),
    path("phone/code/", member_views.phone_code, name="phone_code"),
    path("phone/password/", member_views.phone_new_password, name="phone_new_password"),
]

# The admin pages of the models the layout change moved to another app (issue 12): their old addresses lead
# to the new ones, so that bookmarks keep working.
MOVED_IN_ADMIN = {
    ("meetings", "message"): "notifications",
    **{
        ("meetings", model): "dashboards"
        for model in ["cellmonth", "cellstatus", "memberyear", "cellyear", "dashboardreport"]
    },
    **{
        ("meetings", model): "minutes"
        for model in [
            "minutes",
            "minutessection",
            "contribution",
            "minutestask",
            "minutesrevision",
            "addendum",
            "qualitypolicy",
        ]
    },
    ("resolutions", "vote"): "minutes",
}


def moved_admin_page(request, app, model, rest):
    new_app = MOVED_IN_ADMIN.get((app, model))
    if new_app is None:
        raise Http404
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"/admin/{new_app}/{model}/{rest}" + (f"?{query}" if query else ""))


urlpatterns = [
    path("healthz", member_views.healthz, name="healthz"),
    re_path(
        r"^admin/(?P<app>%s)/(?P<model>%s)/(?P<rest>.*)$"
        % ("|".join({app for app, _model in MOVED_IN_ADMIN}), "|".join(model for _app, model in MOVED_IN_ADMIN)),
        moved_admin_page,
    ),
    path("admin/", admin.site.urls),
    path("accounts/", include(accounts)),
    path("i18n/", include("django.conf.urls.i18n")),
    # The minutes and the dashboards moved out of meetings/ with their URL names: one "meetings" namespace.
    path("", include((meeting_urls.urlpatterns + minutes_urls.urlpatterns + dashboard_urls.urlpatterns, "meetings"))),
    path("", include("resolutions.urls")),
    path("", include("dues.urls")),
    path("", include("notifications.urls")),
    path("", include("members.urls")),
    path("", include("dues.file_urls")),
]
