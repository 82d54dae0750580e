"""API test support: a client that speaks JSON with a token, and a small world with two
organizations built through the real services."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from luodi.accounts.models import User
from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.services import key_result_create
from luodi.orgs.choices import UnitKind
from luodi.orgs.models import Cycle, Membership, Organization, Theme, Unit
from luodi.orgs.services import theme_create, unit_create
from tests.conftest import make_metric, make_objective, token_for

BASE = "/api/v1"
# Tables whose rows a rejected write must leave exactly as they were.
WATCHED_APPS = ("accounts", "orgs", "okrs", "checkins")
NOT_WATCHED = {"ApiToken"}  # last_used_at moves on every first request of a minute


class Api:
    """A JSON client for one caller (a user with a token, or anonymous)."""

    def __init__(self, user: User | None = None) -> None:
        self.user = user
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token_for(user)}"

    def call(
        self, method: str, path: str, body: Any = None, *, raw: str | None = None, **extra: Any
    ) -> Any:
        url = path if path.startswith(BASE) else BASE + path
        kwargs: dict[str, Any] = {**self.headers, **extra}
        if raw is not None or body is not None:
            kwargs.setdefault("content_type", "application/json")
            kwargs["data"] = raw if raw is not None else json.dumps(body)
        return getattr(self.client, method.lower())(url, **kwargs)

    def get(self, path: str, **extra: Any) -> Any:
        return self.call("GET", path, **extra)

    def post(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self.call("POST", path, body if body is not None else {}, **extra)

    def patch(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self.call("PATCH", path, body if body is not None else {}, **extra)

    def delete(self, path: str, **extra: Any) -> Any:
        return self.call("DELETE", path, **extra)


def database_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of the domain tables, to prove a rejected request changed nothing."""
    state = {}
    for label in WATCHED_APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__ in NOT_WATCHED:
                continue
            state[model.__name__] = list(model.objects.order_by("pk").values())
    return state


@dataclass
class World:
    org: Organization
    cycle: Cycle
    owner: User
    admin: User
    member: User
    viewer: User
    outsider: User
    other_org: Organization
    other_cycle: Cycle
    unit: Unit
    theme: Theme
    company_objective: Objective
    company_kr: KeyResult
    member_objective: Objective
    member_kr: KeyResult
    other_unit: Unit
    other_theme: Theme
    other_objective: Objective
    other_kr: KeyResult
    apis: dict[str, Api] = field(default_factory=dict)

    def api(self, persona: str) -> Api:
        if persona not in self.apis:
            user = None if persona == "anonymous" else getattr(self, persona)
            self.apis[persona] = Api(user)
        return self.apis[persona]

    def membership(self, user: User, org: Organization | None = None) -> Membership:
        return Membership.objects.get(organization=org or self.org, user=user)

    def ids(self) -> dict[str, Any]:
        """Names usable in URL templates and bodies: {company_objective} → its id, …"""
        return {
            "org": self.org.slug,
            "other": self.other_org.slug,
            "cycle": self.cycle.pk,
            "unit": self.unit.pk,
            "theme": self.theme.pk,
            "company_objective": self.company_objective.pk,
            "company_kr": self.company_kr.pk,
            "member_objective": self.member_objective.pk,
            "member_kr": self.member_kr.pk,
            "member_membership": self.membership(self.member).pk,
            "owner_membership": self.membership(self.owner).pk,
            "other_cycle": self.other_cycle.pk,
            "other_unit": self.other_unit.pk,
            "other_theme": self.other_theme.pk,
            "other_objective": self.other_objective.pk,
            "other_kr": self.other_kr.pk,
            "other_membership": self.membership(self.outsider, self.other_org).pk,
            "owner_id": self.owner.pk,
            "member_id": self.member.pk,
            "outsider_id": self.outsider.pk,
        }


@pytest.fixture
def world(
    org: Organization,
    cycle: Cycle,
    owner: User,
    admin: User,
    member: User,
    viewer: User,
    other_owner: User,
    other_org: Organization,
    other_cycle: Cycle,
) -> World:
    unit = unit_create(organization=org, actor=owner, name="Sales", kind=UnitKind.DEPARTMENT)
    theme = theme_create(organization=org, actor=owner, title="Win the market")
    company_objective = make_objective(org, owner, cycle, title="Lead the market")
    company_kr = make_metric(company_objective, owner, title="Revenue")
    member_objective = make_objective(
        org, member, cycle, title="Close more deals", level="individual"
    )
    member_kr = make_metric(member_objective, member, title="Deals closed", target="20")
    other_unit = unit_create(
        organization=other_org, actor=other_owner, name="Theirs", kind=UnitKind.TEAM
    )
    other_theme = theme_create(organization=other_org, actor=other_owner, title="Their theme")
    other_objective = make_objective(other_org, other_owner, other_cycle, title="Their goal")
    other_kr, _ = key_result_create(
        objective=other_objective,
        actor=other_owner,
        title="Their number",
        kind="metric",
        start=Decimal(0),
        target=Decimal(5),
    )
    return World(
        org=org,
        cycle=cycle,
        owner=owner,
        admin=admin,
        member=member,
        viewer=viewer,
        outsider=other_owner,
        other_org=other_org,
        other_cycle=other_cycle,
        unit=unit,
        theme=theme,
        company_objective=company_objective,
        company_kr=company_kr,
        member_objective=member_objective,
        member_kr=member_kr,
        other_unit=other_unit,
        other_theme=other_theme,
        other_objective=other_objective,
        other_kr=other_kr,
    )


def fill(template: Any, ids: dict[str, Any]) -> Any:
    """Substitute {names} in a URL template, or in the string values of a body."""
    if isinstance(template, str):
        if template.startswith("{") and template.endswith("}") and template[1:-1] in ids:
            return ids[template[1:-1]]  # a whole value: keep its type (ids are numbers)
        return template.format(**ids)
    if isinstance(template, list):
        return [fill(item, ids) for item in template]
    if isinstance(template, dict):
        return {key: fill(value, ids) for key, value in template.items()}
    return template
