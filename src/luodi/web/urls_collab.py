"""Pages of luodi.collab (included by web/urls.py)."""

from django.urls import path

from luodi.web.views import collab

ORG = "o/<slug:org>/"

urlpatterns = [
    path(ORG + "objectives/<int:pk>/comments/", collab.comment_create, name="comment-create"),
    path(ORG + "objectives/<int:pk>/follow/", collab.objective_follow, name="objective-follow"),
    path(ORG + "objectives/<int:pk>/feedback/", collab.feedback_give, name="feedback-give"),
    path(ORG + "objectives/<int:pk>/mentions/", collab.mention_search, name="mention-search"),
    path(ORG + "comments/<int:pk>/edit/", collab.comment_edit, name="comment-edit"),
    path(ORG + "comments/<int:pk>/delete/", collab.comment_delete, name="comment-delete"),
    path(ORG + "comments/<int:pk>/like/", collab.comment_like, name="comment-like"),
    path(ORG + "feedback/<int:pk>/read/", collab.feedback_read, name="feedback-read"),
]
