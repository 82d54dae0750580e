"""GET /api/v1/orgs/{org}/cycles/{id}/alignment and …/dashboard."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from luodi.accounts.models import User
from luodi.api.routers.insights import AlignmentOut, DashboardOut
from luodi.checkins.services import checkin_submit
from luodi.orgs.choices import UnitKind
from luodi.orgs.models import Cycle, Organization
from luodi.orgs.services import unit_create
from tests.conftest import make_metric, make_objective, token_for

BASE = "/api/v1/orgs"
KINDS = ("alignment", "dashboard")


def get(path: str, user: User | None = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"} if user else {}
    return Client().get(BASE + path, **headers)


@pytest.fixture
def okrs(org: Organization, owner: User, member: User, cycle: Cycle) -> dict[str, Any]:
    company = make_objective(org, owner, cycle, title="Lead the market")
    mine = make_objective(
        org,
        member,
        cycle,
        title="Close more deals",
        level="individual",
        alignments=[{"parent_objective_id": company.pk}],
    )
    kr = make_metric(mine, member, title="Deals", target="20")
    checkin_submit(key_result=kr, actor=member, value="5", confidence=7)
    secret = make_objective(
        org, owner, cycle, title="Secret reorganization", level="individual", visibility="private"
    )
    return {"company": company, "mine": mine, "kr": kr, "secret": secret}


@pytest.mark.django_db
def test_alignment_answers_the_visible_map(
    org: Organization, cycle: Cycle, member: User, okrs: dict[str, Any]
) -> None:
    response = get(f"/{org.slug}/cycles/{cycle.pk}/alignment", member)
    assert response.status_code == 200, response.content
    body = response.json()
    AlignmentOut.model_validate(body)
    [root] = body["roots"]
    assert root["objective_id"] == okrs["company"].pk
    assert [c["objective_id"] for c in root["children"]] == [okrs["mine"].pk]
    assert root["children"][0]["progress"] == pytest.approx(0.25)
    assert body["unaligned"] == []
    assert "Secret" not in response.content.decode()


@pytest.mark.django_db
def test_dashboard_answers_the_numbers(
    org: Organization, cycle: Cycle, member: User, okrs: dict[str, Any]
) -> None:
    response = get(f"/{org.slug}/cycles/{cycle.pk}/dashboard", member)
    assert response.status_code == 200, response.content
    body = response.json()
    DashboardOut.model_validate(body)
    # Company: (0.25 from the child) / 1; mine: 0.25. The owner's private one is hidden.
    assert body["progress"] == pytest.approx(0.25)
    assert body["alignment_coverage"] == 1.0
    assert (
        body["status_counts"]["not_started"]
        + body["status_counts"]["on_track"]
        + body["status_counts"]["at_risk"]
        + body["status_counts"]["off_track"]
        == 1
    )
    assert body["trend"][-1]["progress"] == pytest.approx(0.25)
    assert body["trend"][0]["date"] == cycle.start_date.isoformat()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_unit_filter(org: Organization, owner: User, cycle: Cycle, kind: str) -> None:
    unit = unit_create(organization=org, actor=owner, name="Sales", kind=UnitKind.DEPARTMENT)
    make_objective(org, owner, cycle, title="Sales goal", level="unit", unit_id=unit.pk)
    response = get(f"/{org.slug}/cycles/{cycle.pk}/{kind}?unit_id={unit.pk}", owner)
    assert response.status_code == 200, response.content
    if kind == "dashboard":
        assert [u["name"] for u in response.json()["units"]] == ["Sales"]
    else:
        assert [n["title"] for n in response.json()["unaligned"]] == ["Sales goal"]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_other_organizations_cycle_and_unit_are_404(
    org: Organization,
    cycle: Cycle,
    member: User,
    other_org: Organization,
    other_owner: User,
    other_cycle: Cycle,
    kind: str,
) -> None:
    other_unit = unit_create(
        organization=other_org, actor=other_owner, name="Theirs", kind=UnitKind.TEAM
    )
    for path, user in (
        (f"/{org.slug}/cycles/{other_cycle.pk}/{kind}", member),  # their cycle, our slug
        (f"/{other_org.slug}/cycles/{other_cycle.pk}/{kind}", member),  # not a member
        (f"/{org.slug}/cycles/{cycle.pk}/{kind}", other_owner),  # not a member
        (f"/{org.slug}/cycles/{cycle.pk}/{kind}?unit_id={other_unit.pk}", member),
        (f"/{org.slug}/cycles/999999/{kind}", member),
        (f"/nowhere/cycles/{cycle.pk}/{kind}", member),
    ):
        response = get(path, user)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_without_credentials_401(org: Organization, cycle: Cycle, kind: str) -> None:
    response = get(f"/{org.slug}/cycles/{cycle.pk}/{kind}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    bad = Client().get(
        f"{BASE}/{org.slug}/cycles/{cycle.pk}/{kind}", HTTP_AUTHORIZATION="Bearer nope"
    )
    assert bad.status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("unit_id", ["0", "abc", "99999999999999999999"])
def test_a_malformed_unit_id_is_422(
    org: Organization, cycle: Cycle, member: User, kind: str, unit_id: str
) -> None:
    response = get(f"/{org.slug}/cycles/{cycle.pk}/{kind}?unit_id={unit_id}", member)
    assert response.status_code == 422
    assert "unit_id" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_viewer_may_read_insights(
    org: Organization, cycle: Cycle, viewer: User, okrs: dict[str, Any]
) -> None:
    for kind in KINDS:
        assert get(f"/{org.slug}/cycles/{cycle.pk}/{kind}", viewer).status_code == 200


@pytest.mark.django_db
def test_openapi_documents_both_endpoints(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    alignment = spec["paths"]["/api/v1/orgs/{org}/cycles/{cycle_id}/alignment"]["get"]
    dashboard = spec["paths"]["/api/v1/orgs/{org}/cycles/{cycle_id}/dashboard"]["get"]
    assert alignment["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AlignmentOut"
    }
    assert "DashboardOut" in str(dashboard["responses"]["200"])
    assert {p["name"] for p in alignment["parameters"]} == {"org", "cycle_id", "unit_id"}
    assert "AlignmentNodeOut" in spec["components"]["schemas"]
