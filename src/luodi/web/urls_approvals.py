"""Pages of draft approval and cross-team alignment requests (included by web/urls.py)."""

from django.urls import path

from luodi.web.views import approvals

ORG = "o/<slug:org>/"

urlpatterns = [
    path(ORG + "approvals/", approvals.approvals_page, name="approvals"),
    path(ORG + "objectives/<int:pk>/submit/", approvals.objective_submit, name="objective-submit"),
    path(
        ORG + "objectives/<int:pk>/approve/", approvals.objective_approve, name="objective-approve"
    ),
    path(ORG + "objectives/<int:pk>/return/", approvals.objective_return, name="objective-return"),
    path(ORG + "alignment-requests/", approvals.requests_page, name="alignment-requests"),
    path(
        ORG + "objectives/<int:pk>/alignment-requests/new/",
        approvals.request_new,
        name="alignment-request-new",
    ),
    path(
        ORG + "alignment-requests/<int:pk>/accept/",
        approvals.request_accept,
        name="alignment-request-accept",
    ),
    path(
        ORG + "alignment-requests/<int:pk>/decline/",
        approvals.request_decline,
        name="alignment-request-decline",
    ),
    path(
        ORG + "alignment-requests/<int:pk>/cancel/",
        approvals.request_cancel,
        name="alignment-request-cancel",
    ),
]
