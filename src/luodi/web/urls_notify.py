"""Pages of luodi.notify (included by web/urls.py)."""

from django.urls import path

from luodi.web.views import notify

ORG = "o/<slug:org>/"

urlpatterns: list = [
    path(ORG + "inbox/", notify.inbox, name="notify-inbox"),
    path(ORG + "inbox/read-all/", notify.inbox_read_all, name="notify-inbox-read-all"),
    path(ORG + "inbox/<int:pk>/read/", notify.inbox_read, name="notify-inbox-read"),
    path(ORG + "inbox/<int:pk>/open/", notify.inbox_open, name="notify-inbox-open"),
    path(ORG + "notifications/settings/", notify.notify_settings, name="notify-settings"),
    path(ORG + "settings/channels/", notify.channels_admin, name="settings-channels"),
    path(ORG + "settings/channels/<int:pk>/", notify.channel_edit, name="settings-channel"),
    path(
        ORG + "settings/channels/<int:pk>/toggle/",
        notify.channel_toggle,
        name="settings-channel-toggle",
    ),
    path(
        ORG + "settings/channels/<int:pk>/delete/",
        notify.channel_delete,
        name="settings-channel-delete",
    ),
    path(
        ORG + "settings/channels/<int:pk>/test/", notify.channel_test, name="settings-channel-test"
    ),
]
