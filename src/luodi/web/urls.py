from django.contrib.auth import views as auth_views
from django.urls import path

from luodi.web import urls_approvals, urls_collab, urls_notify, urls_rhythm
from luodi.web.forms_accounts import LuodiPasswordResetForm
from luodi.web.views import (
    accounts,
    admin_members,
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
    path("orgs/switch/", accounts.org_switch, name="org-switch"),
    path("accounts/invite/<str:token>/", accounts.invite_accept, name="invitation-accept"),
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
    path(ORG + "settings/units/<int:pk>/", admin_pages.unit_edit, name="settings-unit"),
    path(
        ORG + "settings/units/<int:pk>/delete/",
        admin_pages.unit_delete,
        name="settings-unit-delete",
    ),
    path(ORG + "settings/members/<int:pk>/", admin_members.member_edit, name="settings-member"),
    path(
        ORG + "settings/members/<int:pk>/remove/",
        admin_members.member_remove,
        name="settings-member-remove",
    ),
    path(
        ORG + "settings/invitations/<int:pk>/resend/",
        admin_members.invitation_resend,
        name="settings-invitation-resend",
    ),
    path(
        ORG + "settings/invitations/<int:pk>/revoke/",
        admin_members.invitation_revoke,
        name="settings-invitation-revoke",
    ),
    path(ORG + "settings/cycles/<int:pk>/", admin_pages.cycle_edit, name="settings-cycle"),
    path(ORG + "settings/themes/<int:pk>/", admin_pages.theme_edit, name="settings-theme"),
    path(
        ORG + "settings/themes/<int:pk>/delete/",
        admin_pages.theme_delete,
        name="settings-theme-delete",
    ),
    path(
        ORG + "settings/themes/<int:pk>/move/", admin_pages.theme_move, name="settings-theme-move"
    ),
    *urls_approvals.urlpatterns,
    *urls_collab.urlpatterns,
    *urls_notify.urlpatterns,
    *urls_rhythm.urlpatterns,
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
    # The templates live in web/templates/registration/ (luodi.web comes before the admin).
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(form_class=LuodiPasswordResetForm),
        name="password_reset",
    ),
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
