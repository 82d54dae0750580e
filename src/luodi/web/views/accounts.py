"""Sign-in, language, invitations, creating and switching organizations, the front door."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luodi.accounts.models import User
from luodi.accounts.services import (
    InvitationState,
    invitation_accept,
    invitation_for_token,
    invitation_needs_password,
    invitation_state,
)
from luodi.orgs.models import Membership
from luodi.orgs.services import organization_create
from luodi.web.decorators import SESSION_ORG_KEY
from luodi.web.forms_accounts import InvitationAcceptForm, OrganizationCreateForm, apply_errors
from luodi.web.signin import remember_organization


@login_required
def front_door(request: HttpRequest) -> HttpResponse:
    """`/`: the organization last used (this session, else last time), else the first one,
    else the page that creates one."""
    memberships = list(
        Membership.objects.filter(user=request.user).select_related("organization").order_by("id")
    )
    remembered = request.session.get(SESSION_ORG_KEY)
    chosen = next((m for m in memberships if m.organization.slug == remembered), None)
    last_id = request.user.last_organization_id  # type: ignore[union-attr]
    chosen = chosen or next((m for m in memberships if m.organization_id == last_id), None)
    chosen = chosen or (memberships[0] if memberships else None)
    if chosen is None:
        return redirect("web:org-create")
    return redirect("web:home", org=chosen.organization.slug)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language; remembered on the user (and in a cookie for the sign-in page)."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    activate(language)
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
    )
    return response


def healthy_redirect(request: HttpRequest) -> HttpResponse:
    return redirect(reverse("web:front-door"))


@login_required
@require_POST
def org_switch(request: HttpRequest) -> HttpResponse:
    """Open another of the user's organizations and remember it for next time."""
    slug = request.POST.get("org", "")
    membership = (
        Membership.objects.filter(user=request.user, organization__slug=slug)
        .select_related("organization")
        .first()
    )
    if membership is None:
        raise Http404
    request.session[SESSION_ORG_KEY] = membership.organization.slug
    remember_organization(request.user, membership.organization.slug)  # type: ignore[arg-type]
    return redirect("web:home", org=membership.organization.slug)


@login_required
def org_create(request: HttpRequest) -> HttpResponse:
    """Any signed-in person may start an organization; they become its owner."""
    form = OrganizationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = organization_create(
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
                owner=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            request.session[SESSION_ORG_KEY] = org.slug
            remember_organization(request.user, org.slug)  # type: ignore[arg-type]
            messages.success(
                request, _("%(name)s is ready. Set it up in five short steps.") % {"name": org.name}
            )
            return redirect("web:home", org=org.slug)
    has_orgs = Membership.objects.filter(user=request.user).exists()
    return render(request, "web/org_create.html", {"form": form, "nav": "", "has_orgs": has_orgs})


def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: set a name and password (new people) or just join."""
    invitation = invitation_for_token(raw_token=token)
    if invitation is None:
        return render(request, "registration/invitation.html", {"state": "invalid"}, status=404)
    state = invitation_state(invitation)
    context: dict = {"invitation": invitation, "state": state, "nav": ""}
    if state != InvitationState.VALID:
        return render(request, "registration/invitation.html", context, status=410)
    signed_in: User | None = request.user if request.user.is_authenticated else None  # type: ignore[assignment]
    if signed_in is not None and signed_in.email != invitation.email:
        context["state"] = "other_user"
        return render(request, "registration/invitation.html", context, status=403)
    needs_password = invitation_needs_password(invitation)
    form = InvitationAcceptForm(request.POST or None, initial={"name": invitation.name})
    context.update(form=form, needs_password=needs_password)
    if request.method != "POST" or (needs_password and not form.is_valid()):
        return render(request, "registration/invitation.html", context)
    try:
        membership = invitation_accept(
            raw_token=token,
            name=form.cleaned_data.get("name", "") if needs_password else "",
            password=form.cleaned_data.get("password", "") if needs_password else "",
            signed_in=signed_in,
        )
    except PermissionDenied:
        context["state"] = "other_user"
        return render(request, "registration/invitation.html", context, status=403)
    except ValidationError as exc:
        apply_errors(form, exc)
        return render(request, "registration/invitation.html", context)
    return _after_joining(request, membership, needs_password, signed_in)


def _after_joining(
    request: HttpRequest, membership: Membership, new_account: bool, signed_in: User | None
) -> HttpResponse:
    org = membership.organization
    home = reverse("web:home", kwargs={"org": org.slug})
    if signed_in is None and not new_account:
        # An existing account joins; its owner proves who they are with their password.
        messages.success(
            request, _("You joined %(name)s. Sign in to continue.") % {"name": org.name}
        )
        return redirect(f"{settings.LOGIN_URL}?next={home}")
    if signed_in is None:
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_ORG_KEY] = org.slug
    messages.success(request, _("Welcome to %(name)s.") % {"name": org.name})
    return redirect(home)
