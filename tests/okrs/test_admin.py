"""The operator admin: every page loads for a superuser, and writes there keep progress
right (they end with a rebuild of the organization)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from luodi.accounts.models import ApiToken, User, hash_token
from luodi.checkins.models import CheckIn
from luodi.okrs.models import Alignment, KeyResult, Milestone, Objective
from luodi.okrs.rebuild import rebuild
from tests.okrs.factories import check_in, contributes, key_result, objective, progress_of

pytestmark = pytest.mark.django_db

OUR_APPS = {"accounts", "orgs", "okrs", "checkins"}
EXPECTED_MODELS = {
    "accounts.user",
    "accounts.apitoken",
    "orgs.organization",
    "orgs.membership",
    "orgs.unit",
    "orgs.theme",
    "orgs.cycle",
    "okrs.objective",
    "okrs.keyresult",
    "okrs.alignment",
    "okrs.revision",
    "checkins.checkin",
    "checkins.idempotencyrecord",
}


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="root@example.com", password="pw-12345678")


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def data(org, owner, member, cycle):
    """One of everything, so that change pages have an object to show."""
    parent = objective(org, owner, cycle, "Parent")
    rollup = key_result(parent, owner, "rollup")
    child = objective(org, owner, cycle, "Child", alignments=[contributes(rollup)])
    metric = key_result(child, owner, contributor_ids=[member.pk])
    key_result(child, owner, "milestone")
    check_in(metric, owner, "4", idempotency_key="once")
    ApiToken.issue(user=owner, name="ci")
    return parent, child, metric


def registered() -> list[type]:
    return [m for m in admin.site._registry if m._meta.app_label in OUR_APPS]


def test_every_model_of_our_apps_is_registered():
    labels = {m._meta.label_lower for m in registered()}
    assert labels >= EXPECTED_MODELS


def test_every_changelist_add_and_change_page_loads(staff_client, superuser, rf, data):
    request = rf.get("/admin/")
    request.user = superuser
    for model in registered():
        opts = model._meta
        model_admin = admin.site._registry[model]
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert staff_client.get(changelist).status_code == 200, opts.label
        assert staff_client.get(changelist, {"q": "a"}).status_code == 200, opts.label
        add = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        can_add = model_admin.has_add_permission(request)
        assert add.status_code == (200 if can_add else 403), opts.label
        first = model.objects.order_by("pk").first()
        if first is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            assert staff_client.get(change).status_code == 200, opts.label


def test_read_only_models_cannot_be_added(staff_client):
    for name in ("okrs_revision", "checkins_checkin", "checkins_idempotencyrecord"):
        assert staff_client.get(reverse(f"admin:{name}_add")).status_code == 403


def test_adding_a_user_with_email_login(staff_client):
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.com",
            "name": "New Person",
            "usable_password": "true",
            "password1": "a-long-passphrase-1",
            "password2": "a-long-passphrase-1",
        },
    )
    assert response.status_code == 302, response.content
    assert User.objects.get(email="new@example.com").check_password("a-long-passphrase-1")


def test_adding_an_api_token_shows_it_once_and_stores_its_hash(staff_client, owner):
    response = staff_client.post(
        reverse("admin:accounts_apitoken_add"), {"user": owner.pk, "name": "ops"}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="ops")
    words = [w for m in response.context["messages"] for w in str(m).split()]
    [raw] = [w for w in words if w.startswith(ApiToken.PREFIX)]
    assert token.token_hash == hash_token(raw)
    assert (
        raw
        not in staff_client.get(
            reverse("admin:accounts_apitoken_change", args=[token.pk])
        ).content.decode()
    )


def test_deleting_a_check_in_in_the_admin_rebuilds_progress(staff_client, org, owner, data):
    parent, _child, metric = data
    newer = check_in(metric, owner, "8")
    assert progress_of(parent) == pytest.approx(0.4)

    response = staff_client.post(
        reverse("admin:checkins_checkin_delete", args=[newer.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert progress_of(metric) == 0.4
    assert progress_of(parent) == pytest.approx(0.2)
    assert rebuild(organization=org, write=False).differences == []


def test_editing_a_key_result_weight_in_the_admin_rebuilds_progress(staff_client, org, data):
    _parent, child, metric = data
    url = reverse("admin:okrs_keyresult_change", args=[metric.pk])
    form = staff_client.get(url).context["adminform"].form
    payload = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    payload.update({"weight": "3", "objective": metric.objective_id, "owner": ""})
    for prefix in ("milestones", "phases", "keyresultcontributor_set"):
        payload.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    payload["keyresultcontributor_set-TOTAL_FORMS"] = 0

    response = staff_client.post(url, payload)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert KeyResult.objects.get(pk=metric.pk).weight == Decimal(3)
    assert progress_of(child) == pytest.approx(0.4 * 3 / 4)
    assert rebuild(organization=org, write=False).differences == []


def test_the_alignment_admin_refuses_cycles(staff_client, org, owner, cycle, data):
    parent, child, _metric = data
    response = staff_client.post(
        reverse("admin:okrs_alignment_add"),
        {"child": parent.pk, "parent_objective": child.pk, "type": "contributes", "weight": "1"},
    )
    assert response.status_code == 200
    assert "cycle" in str(response.context["adminform"].form.non_field_errors())
    assert not Alignment.objects.filter(child=parent).exists()


def test_an_alignment_added_in_the_admin_counts(staff_client, org, owner, cycle, data):
    parent, _child, _metric = data
    extra = objective(org, owner, cycle, "Extra")
    check_in(key_result(extra, owner), owner, "10")

    response = staff_client.post(
        reverse("admin:okrs_alignment_add"),
        {"child": extra.pk, "parent_objective": parent.pk, "type": "contributes", "weight": "1"},
    )

    assert response.status_code == 302
    assert Alignment.objects.get(child=extra).organization == org
    assert progress_of(parent) == pytest.approx((0.2 + 1.0) / 2)
    assert rebuild(organization=org, write=False).differences == []


def test_milestone_done_flags_are_read_only_in_the_admin(data):
    inline = next(i for i in admin.site._registry[KeyResult].inlines if i.model is Milestone)
    assert "done" in inline.readonly_fields
    assert {"progress", "raw_progress", "checkin_count"} <= set(
        admin.site._registry[KeyResult].readonly_fields
    )
    assert "progress" in admin.site._registry[Objective].readonly_fields
    assert CheckIn.objects.exists()
