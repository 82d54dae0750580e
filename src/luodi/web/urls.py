from django.contrib.auth import views as auth_views
from django.urls import path

from luodi.web.views import (
    accounts,
    admin_pages,
    checkin,
    guide,
    home,
    insights,
    objective_forms,
    objectives,
    units,
)

app_name = "web"

ORG = "o/<slug:org>/"

urlpatterns = [
    path("", accounts.front_door, name="front-door"),
    path("language/", accounts.set_language, name="language"),
    path("guide/", guide.guide, name="guide"),
    path("orgs/new/", accounts.org_create, name="org-create"),
    # My OKRs and the weekly check-in
    path(ORG, home.home, name="home"),
    path(ORG + "checkin/", checkin.checkin, name="checkin"),
    # objectives and key results
    path(ORG + "objectives/new/", objective_forms.objective_new, name="objective-new"),
    path(ORG + "objectives/<int:pk>/", objectives.objective_detail, name="objective"),
    path(ORG + "objectives/<int:pk>/edit/", objective_forms.objective_edit, name="objective-edit"),
    path(ORG + "objectives/<int:pk>/copy/", objective_forms.objective_copy, name="objective-copy"),
    path(
        ORG + "objectives/<int:pk>/key-results/new/",
        objective_forms.key_result_new,
        name="key-result-new",
    ),
    path(
        ORG + "key-results/<int:pk>/edit/", objective_forms.key_result_edit, name="key-result-edit"
    ),
    path(
        ORG + "key-results/<int:pk>/check-in/",
        objectives.key_result_checkin,
        name="key-result-checkin",
    ),
    path(ORG + "alignment-search/", objective_forms.alignment_search, name="alignment-search"),
    # teams, map, dashboard
    path(ORG + "units/", units.units, name="units"),
    path(ORG + "units/<int:pk>/", units.unit_detail, name="unit"),
    path(ORG + "map/", insights.alignment_map, name="map"),
    path(ORG + "dashboard/", insights.dashboard, name="dashboard"),
    # administration
    path(ORG + "settings/", admin_pages.settings_page, name="settings"),
    path(ORG + "settings/units/", admin_pages.units_admin, name="settings-units"),
    path(ORG + "settings/members/", admin_pages.members_admin, name="settings-members"),
    path(ORG + "settings/cycles/", admin_pages.cycles_admin, name="settings-cycles"),
    path(ORG + "settings/themes/", admin_pages.themes_admin, name="settings-themes"),
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
