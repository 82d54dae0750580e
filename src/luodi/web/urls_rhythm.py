"""Pages of luodi.rhythm (included by web/urls.py)."""

from django.urls import path

from luodi.web.views import rhythm, rhythm_meetings

ORG = "o/<slug:org>/"

urlpatterns = [
    path(ORG + "weekly-reports/", rhythm.weekly_report, name="weekly-report"),
    path(ORG + "weekly-reports/team/", rhythm.weekly_team, name="weekly-team"),
    path(ORG + "monthly-summaries/", rhythm.monthly_summary, name="monthly-summary"),
    path(ORG + "monthly-summaries/team/", rhythm.monthly_team, name="monthly-team"),
    path(ORG + "meetings/", rhythm_meetings.meeting_list, name="meetings"),
    path(ORG + "meetings/new/", rhythm_meetings.meeting_new, name="meeting-new"),
    path(ORG + "meetings/<int:pk>/", rhythm_meetings.meeting_detail, name="meeting"),
    path(ORG + "meetings/<int:pk>/notes/", rhythm_meetings.meeting_notes, name="meeting-notes"),
    path(ORG + "meetings/<int:pk>/agenda/", rhythm_meetings.meeting_agenda, name="meeting-agenda"),
    path(
        ORG + "meetings/<int:pk>/action-items/",
        rhythm_meetings.action_item_new,
        name="meeting-action-new",
    ),
    path(ORG + "meetings/<int:pk>/invite.ics", rhythm_meetings.meeting_invite, name="meeting-ics"),
    path(ORG + "action-items/<int:pk>/done/", rhythm_meetings.action_item_done, name="action-done"),
]
