"""The objective page's discussion (comments, likes, follow, feedback), mention
autocomplete, and marking received feedback as read. Every form works without JavaScript
(post, then back to the objective page); with htmx the part that changed is swapped."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from luodi.checkins.models import CheckIn
from luodi.collab import selectors, services
from luodi.collab.models import Comment, Feedback, FeedbackKind
from luodi.core.validation import errors_of
from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.permissions import can_see_objective, viewer_for
from luodi.okrs.selectors import Clock, objective_get
from luodi.web.decorators import org_page
from luodi.web.queries_objective import KeyResultView, ObjectivePage, objective_page

# Check-ins offered for a new comment or feedback, per key result (older ones with
# comments are always shown).
RECENT_CHECKINS = 3


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@dataclass
class CheckinThread:
    checkin: CheckIn
    comments: list[Comment]


@dataclass
class KeyResultThread:
    kr: KeyResult
    number: int
    comments: list[Comment]
    checkins: list[CheckinThread]
    count: int


@dataclass
class Discussion:
    objective: Objective
    comments: list[Comment]
    key_results: list[KeyResultThread]
    count: int
    following: bool
    can_write: bool
    can_moderate: bool
    feedback_kinds: list[tuple[str, str]] = field(default_factory=list)


def discussion_context(request: HttpRequest, objective: Objective, page: ObjectivePage) -> dict:
    """What web/collab/_discussion.html needs: two queries (comments, followers) whatever
    the number of comments, likes, key results and check-ins."""
    org, user = request.org, request.user  # type: ignore[attr-defined]
    viewer = viewer_for(org, user)  # type: ignore[arg-type]
    found = selectors.discussion(objective=objective, user=user)  # type: ignore[arg-type]
    threads = [
        _kr_thread(number, view, found) for number, view in enumerate(page.key_results, start=1)
    ]
    return {
        "discussion": Discussion(
            objective=objective,
            comments=found.on_objective,
            key_results=threads,
            count=found.count,
            following=selectors.is_following(objective, user),  # type: ignore[arg-type]
            can_write=viewer.can_write,
            can_moderate=viewer.is_admin,
            feedback_kinds=list(FeedbackKind.choices),
        )
    }


def _kr_thread(number: int, view: KeyResultView, found: selectors.Discussion) -> KeyResultThread:
    recent = {c.pk for c in view.checkins[-RECENT_CHECKINS:]}
    checkins = [
        CheckinThread(c, found.by_checkin.get(c.pk, []))
        for c in reversed(view.checkins)  # newest first
        if c.pk in recent or c.pk in found.by_checkin
    ]
    comments = found.by_key_result.get(view.kr.pk, [])
    count = len(comments) + sum(len(t.comments) for t in checkins)
    return KeyResultThread(view.kr, number, comments, checkins, count)


def _objective_or_404(request: HttpRequest, pk: int) -> Objective:
    objective = objective_get(
        organization=request.org,  # type: ignore[attr-defined]
        user=request.user,  # type: ignore[arg-type]
        objective_id=pk,
    )
    if objective is None:
        raise Http404
    return objective


def _objective_url(objective: Objective, anchor: str = "discussion") -> str:
    return services.objective_url(objective, anchor)


def _discussion_response(
    request: HttpRequest, objective: Objective, *, flash: str = "", error: str = ""
) -> HttpResponse:
    """htmx: the discussion again, with a message."""
    org = request.org  # type: ignore[attr-defined]
    viewer = viewer_for(org, request.user)  # type: ignore[arg-type]
    page = objective_page(
        organization=org, viewer=viewer, objective=objective, clock=Clock.for_org(org)
    )
    context = discussion_context(request, objective, page)
    context.update(page=page, objective=objective, collab_flash=flash, collab_error=error)
    context["zone"] = Clock.for_org(org).zone
    response = render(request, "web/collab/_discussion.html", context)
    # Forms inside a comment (editing) target the comment; the answer is the discussion.
    response["HX-Retarget"] = "#discussion"
    response["HX-Reswap"] = "outerHTML"
    return response


def _done(
    request: HttpRequest, objective: Objective, message: str, anchor: str = "discussion"
) -> HttpResponse:
    if _is_htmx(request):
        return _discussion_response(request, objective, flash=message)
    messages.success(request, message)
    return HttpResponseRedirect(_objective_url(objective, anchor))


def _failed(request: HttpRequest, objective: Objective, error: ValidationError) -> HttpResponse:
    reasons = [reason for values in errors_of(error).values() for reason in values]
    text = " ".join(reasons) or gettext("Some values are invalid.")
    if _is_htmx(request):
        return _discussion_response(request, objective, error=text)
    messages.error(request, text)
    return HttpResponseRedirect(_objective_url(objective))


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdecimal() and len(value) < 19 else None


def _target(request: HttpRequest, objective: Objective) -> tuple[KeyResult | None, CheckIn | None]:
    """The key result or check-in of the objective a form names (404 if not of it)."""
    kr_id, checkin_id = _int(request.POST.get("key_result")), _int(request.POST.get("checkin"))
    checkin = None
    if checkin_id is not None:
        checkin = CheckIn.objects.filter(
            organization=objective.organization_id, pk=checkin_id, key_result__objective=objective
        ).first()
        if checkin is None:
            raise Http404
    kr = None
    if kr_id is not None or checkin is not None:
        kr = KeyResult.objects.filter(
            objective=objective,
            pk=kr_id if kr_id is not None else checkin.key_result_id,  # type: ignore[union-attr]
        ).first()
        if kr is None:
            raise Http404
    return kr, checkin


@org_page
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _objective_or_404(request, pk)
    kr, checkin = _target(request, objective)
    try:
        comment = services.comment_create(
            actor=request.user,  # type: ignore[arg-type]
            objective=objective,
            key_result=kr,
            checkin=checkin,
            body=request.POST.get("body", ""),
        )
    except ValidationError as error:
        return _failed(request, objective, error)
    return _done(request, objective, gettext("Comment posted."), f"comment-{comment.pk}")


def _comment_or_404(request: HttpRequest, pk: int) -> Comment:
    comment = selectors.comment_get(
        organization=request.org,  # type: ignore[attr-defined]
        user=request.user,  # type: ignore[arg-type]
        comment_id=pk,
    )
    if comment is None:
        raise Http404
    return comment


@org_page
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the edit form (in place with htmx, a page without). POST: save it."""
    comment = _comment_or_404(request, pk)
    if comment.author_id != request.user.pk:
        raise PermissionDenied
    error = ""
    body = comment.body
    if request.method == "POST":
        body = request.POST.get("body", "")
        try:
            services.comment_edit(actor=request.user, comment=comment, body=body)  # type: ignore[arg-type]
        except ValidationError as exc:
            error = " ".join(r for values in errors_of(exc).values() for r in values)
        else:
            return _done(
                request, comment.objective, gettext("Comment saved."), f"comment-{comment.pk}"
            )
    context = {"nav": "home", "comment": comment, "body": body, "error": error}
    if _is_htmx(request):
        return render(request, "web/collab/_comment_edit.html", context)
    context["objective"] = comment.objective
    return render(request, "web/collab/comment_edit.html", context, status=422 if error else 200)


@org_page
@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_or_404(request, pk)
    objective = comment.objective
    services.comment_delete(actor=request.user, comment=comment)  # type: ignore[arg-type]
    return _done(request, objective, gettext("Comment deleted."))


@org_page
@require_POST
def comment_like(request: HttpRequest, pk: int) -> HttpResponse:
    """Like, or with action=unlike take the like back. htmx: the button again."""
    comment = _comment_or_404(request, pk)
    user = request.user
    if request.POST.get("action") == "unlike":
        services.comment_unlike(actor=user, comment=comment)  # type: ignore[arg-type]
    else:
        services.comment_like(actor=user, comment=comment)  # type: ignore[arg-type]
    if not _is_htmx(request):
        return HttpResponseRedirect(_objective_url(comment.objective, f"comment-{comment.pk}"))
    comment.like_count = comment.likes.count()  # type: ignore[attr-defined]
    comment.liked = comment.likes.filter(user=user).exists()  # type: ignore[attr-defined]
    context = {"comment": comment, "discussion": {"can_write": True}}
    return render(request, "web/collab/_like.html", context)


@org_page
@require_POST
def objective_follow(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow, or with action=unfollow stop. htmx: the button again."""
    objective = _objective_or_404(request, pk)
    user = request.user
    following = request.POST.get("action") != "unfollow"
    if following:
        services.follow(actor=user, objective=objective)  # type: ignore[arg-type]
    else:
        services.unfollow(actor=user, objective=objective)  # type: ignore[arg-type]
    if not _is_htmx(request):
        message = (
            gettext("You follow this objective.")
            if following
            else gettext("You no longer follow this objective.")
        )
        messages.success(request, message)
        return HttpResponseRedirect(_objective_url(objective))
    context = {"discussion": {"objective": objective, "following": following}}
    return render(request, "web/collab/_follow.html", context)


@org_page
@require_POST
def feedback_give(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _objective_or_404(request, pk)
    _kr, checkin = _target(request, objective)
    try:
        services.feedback_give(
            actor=request.user,  # type: ignore[arg-type]
            objective=objective,
            kind=request.POST.get("kind", ""),
            body=request.POST.get("body", ""),
            checkin=checkin,
        )
    except ValidationError as error:
        return _failed(request, objective, error)
    return _done(request, objective, gettext("Feedback sent."))


@org_page
@require_POST
def feedback_read(request: HttpRequest, pk: int) -> HttpResponse:
    """The receiver marks feedback as read (it stays on the home page, dimmed)."""
    feedback = Feedback.objects.filter(
        organization=request.org,  # type: ignore[attr-defined]
        pk=pk,
        receiver=request.user,
    ).first()
    if feedback is None:
        raise Http404
    services.feedback_acknowledge(actor=request.user, feedback=feedback)  # type: ignore[arg-type]
    if _is_htmx(request):
        return render(request, "web/collab/_feedback_item.html", {"item": feedback})
    home = reverse("web:home", kwargs={"org": request.org.slug})  # type: ignore[attr-defined]
    return HttpResponseRedirect(f"{home}#feedback")


@org_page
@require_GET
def mention_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The people who may be mentioned on this objective, as listbox options."""
    objective = _objective_or_404(request, pk)
    viewer = viewer_for(request.org, request.user)  # type: ignore[attr-defined,arg-type]
    if not can_see_objective(viewer, objective):  # objective_get checked it; belt and braces
        raise Http404
    query = request.GET.get("q", "")[:100]
    people = selectors.mentionable(objective=objective, prefix=query)
    return render(
        request, "web/collab/_mention_options.html", {"people": people, "objective": objective}
    )
