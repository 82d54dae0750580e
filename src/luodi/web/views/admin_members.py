"""Administration: members, their roles, units and managers, and invitations."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luodi.accounts import services as invitations
from luodi.accounts.models import Invitation
from luodi.accounts.services import LinkBuilder
from luodi.orgs import services
from luodi.orgs.models import Membership, Organization
from luodi.orgs.selectors import member_get
from luodi.web.forms_accounts import apply_errors
from luodi.web.forms_admin import InvitationForm, MemberForm
from luodi.web.views.admin_common import (
    admin_page,
    memberships_by_name,
    render_admin,
    units_in_tree,
)

PAGE_SIZE = 50


def _link_builder(request: HttpRequest) -> LinkBuilder:
    def link_for(raw: str) -> str:
        return request.build_absolute_uri(reverse("web:invitation-accept", kwargs={"token": raw}))

    return link_for


@admin_page
def members_admin(request: HttpRequest) -> HttpResponse:
    """The member list (searchable, paged) and the invitation form and pending invitations."""
    org: Organization = request.org  # type: ignore[attr-defined]
    actor_role = request.membership.role  # type: ignore[attr-defined]
    units = units_in_tree(org)
    everyone = memberships_by_name(org)
    form = InvitationForm(
        request.POST or None, actor_role=actor_role, units=units, memberships=everyone
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invitation_create(
                organization=org,
                actor=request.user,  # type: ignore[arg-type]
                link_for=_link_builder(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("web:settings-members", org=org.slug)
    query = request.GET.get("q", "").strip()
    people = (
        Membership.objects.filter(organization=org)
        .select_related("user", "unit", "manager")
        .order_by("user__name", "user__email")
    )
    if query:
        people = people.filter(Q(user__name__icontains=query) | Q(user__email__icontains=query))
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": query,
        "invitations": invitations.pending_invitations(organization=org),
        "member_total": len(everyone),
        "actor_is_owner": actor_role == "owner",
        "invitation_days": settings.INVITATION_DAYS,
        "show_invite": form.is_bound or request.GET.get("invite") is not None,
    }
    return render_admin(request, "web/admin/members.html", "members", context)


@admin_page
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org: Organization = request.org  # type: ignore[attr-defined]
    actor_role = request.membership.role  # type: ignore[attr-defined]
    membership = member_get(organization=org, membership_id=pk)
    if membership is None:
        raise Http404
    everyone = [m for m in memberships_by_name(org) if m.pk != membership.pk]
    form = MemberForm(
        request.POST or None,
        actor_role=actor_role,
        units=units_in_tree(org),
        memberships=everyone,
        initial={
            "role": membership.role,
            "unit_id": membership.unit_id,
            "manager_id": membership.manager_id,
        },
    )
    locked = membership.role == "owner" and actor_role != "owner"
    if locked:
        # Admins see an owner's role but cannot pick it (only owners change owners).
        form.fields["role"].choices = [("owner", membership.get_role_display())]
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        if changes["role"] == membership.role:
            changes.pop("role")  # unchanged: do not trip the owners-only rule
        try:
            services.member_update(membership=membership, actor=request.user, **changes)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("role", str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("web:settings-members", org=org.slug)
        membership = member_get(organization=org, membership_id=pk)  # undo in-memory edits
    context = {"form": form, "member": membership, "locked": locked}
    return render_admin(request, "web/admin/member_edit.html", "members", context)


@admin_page
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    org: Organization = request.org  # type: ignore[attr-defined]
    membership = member_get(organization=org, membership_id=pk)
    if membership is None:
        raise Http404
    try:
        services.member_remove(membership=membership, actor=request.user)  # type: ignore[arg-type]
    except (ValidationError, PermissionDenied) as exc:
        reasons = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        for reason in reasons:
            messages.error(request, reason)
        return redirect("web:settings-member", org=org.slug, pk=pk)
    messages.success(request, _("%(name)s was removed.") % {"name": membership.user.display_name})
    return redirect("web:settings-members", org=org.slug)


def _pending(org: Organization, pk: int) -> Invitation:
    invitation = (
        Invitation.objects.filter(
            organization=org, pk=pk, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("organization", "invited_by")
        .first()
    )
    if invitation is None:
        raise Http404
    return invitation


@admin_page
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    org: Organization = request.org  # type: ignore[attr-defined]
    invitation = _pending(org, pk)
    try:
        invitations.invitation_resend(
            invitation=invitation,
            actor=request.user,  # type: ignore[arg-type]
            link_for=_link_builder(request),
        )
    except ValidationError as exc:
        for reason in exc.messages:
            messages.error(request, reason)
    else:
        messages.success(
            request, _("A new link was sent to %(email)s.") % {"email": invitation.email}
        )
    return redirect("web:settings-members", org=org.slug)


@admin_page
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    org: Organization = request.org  # type: ignore[attr-defined]
    invitation = _pending(org, pk)
    invitations.invitation_revoke(invitation=invitation, actor=request.user)  # type: ignore[arg-type]
    messages.success(
        request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
    )
    return redirect("web:settings-members", org=org.slug)
