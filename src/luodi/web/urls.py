from django.contrib.auth import views as auth_views
from django.urls import path

from luodi.web.views import accounts, home, pending

app_name = "web"

org_patterns = [
    path("o/<slug:org>/", home.home, name="home"),
    path("o/<slug:org>/checkin/", pending.checkin, name="checkin"),
    path("o/<slug:org>/units/", pending.units, name="units"),
    path("o/<slug:org>/map/", pending.alignment_map, name="map"),
    path("o/<slug:org>/dashboard/", pending.dashboard, name="dashboard"),
    path("o/<slug:org>/settings/", pending.settings_page, name="settings"),
    path("o/<slug:org>/objectives/new/", pending.objective_new, name="objective-new"),
    path("o/<slug:org>/objectives/<int:pk>/", pending.objective_detail, name="objective"),
]

urlpatterns = [
    path("", accounts.front_door, name="front-door"),
    path("language/", accounts.set_language, name="language"),
    path("guide/", pending.guide, name="guide"),
    path("orgs/new/", pending.org_create, name="org-create"),
    *org_patterns,
]

auth_patterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
