"""Private objectives: seen by their owner, the owner's managers up the chain and admins;
for everyone else they do not exist (404, absent from lists)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from luodi.accounts.models import User
from luodi.okrs.models import KeyResult, Objective
from luodi.orgs.services import member_add
from tests.api.conftest import Api, World
from tests.conftest import make_metric, make_objective


@dataclass
class Chain:
    boss: User  # member role, manages lead
    lead: User  # member role, manages report
    report: User  # owns the private objective
    peer: User  # member role, nobody's manager
    objective: Objective
    kr: KeyResult


@pytest.fixture
def chain(world: World) -> Chain:
    def add(email: str, manager: User | None) -> User:
        return member_add(
            organization=world.org, actor=world.owner, email=email, manager=manager
        ).user

    boss = add("boss@acme.example", None)
    lead = add("lead@acme.example", boss)
    report = add("report@acme.example", lead)
    peer = add("peer@acme.example", None)
    objective = make_objective(
        world.org,
        report,
        world.cycle,
        title="Secret plan",
        level="individual",
        visibility="private",
    )
    kr = make_metric(objective, report, title="Secret number")
    return Chain(boss, lead, report, peer, objective, kr)


def paths(chain: Chain) -> list[str]:
    return [
        f"/orgs/acme/objectives/{chain.objective.pk}",
        f"/orgs/acme/objectives/{chain.objective.pk}/revisions",
        f"/orgs/acme/key-results/{chain.kr.pk}",
        f"/orgs/acme/key-results/{chain.kr.pk}/check-ins",
        f"/orgs/acme/key-results/{chain.kr.pk}/revisions",
    ]


def listed(api: Api, objective: Objective) -> bool:
    items = api.get("/orgs/acme/objectives?limit=200").json()["items"]
    return objective.pk in {item["id"] for item in items}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["report", "lead", "boss", "owner", "admin"])
def test_owner_managers_and_admins_see_it(world: World, chain: Chain, who: str) -> None:
    user = getattr(chain, who, None) or getattr(world, who)
    api = Api(user)
    for path in paths(chain):
        assert api.get(path).status_code == 200, path
    assert listed(api, chain.objective)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["peer", "member", "viewer"])
def test_everyone_else_gets_404_and_an_absent_row(world: World, chain: Chain, who: str) -> None:
    user = getattr(chain, who, None) or getattr(world, who)
    api = Api(user)
    for path in paths(chain):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert not listed(api, chain.objective)
    assert api.get(f"/orgs/acme/objectives?owner_id={chain.report.pk}").json()["items"] == []
    assert api.get("/orgs/acme/objectives?q=secret").json()["items"] == []
    writes = [
        ("PATCH", f"/orgs/acme/objectives/{chain.objective.pk}", {"title": "Seen"}),
        ("DELETE", f"/orgs/acme/objectives/{chain.objective.pk}", None),
        (
            "POST",
            f"/orgs/acme/objectives/{chain.objective.pk}/key-results",
            {"title": "x", "kind": "boolean"},
        ),
        ("PATCH", f"/orgs/acme/key-results/{chain.kr.pk}", {"title": "Seen"}),
        ("DELETE", f"/orgs/acme/key-results/{chain.kr.pk}", None),
        ("POST", f"/orgs/acme/key-results/{chain.kr.pk}/check-ins", {"value": 1}),
    ]
    for method, path, body in writes:
        assert api.call(method, path, body).status_code == 404, (method, path)
    assert Objective.objects.get(pk=chain.objective.pk).title == "Secret plan"


@pytest.mark.django_db
def test_a_hidden_parent_cannot_be_aligned_to(world: World, chain: Chain) -> None:
    api = Api(chain.peer)
    response = api.post(
        "/orgs/acme/objectives",
        {
            "cycle_id": world.cycle.pk,
            "title": "Piggyback",
            "level": "individual",
            "alignments": [{"parent_objective_id": chain.objective.pk}],
        },
    )
    assert response.status_code == 422
    assert "alignments[0]" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_alignment_to_a_private_parent_does_not_leak_through_the_child(
    world: World, chain: Chain
) -> None:
    """A public child aligned to a private parent shows the link's ids, nothing more."""
    child = make_objective(
        world.org,
        chain.report,
        world.cycle,
        title="Public child",
        level="individual",
        alignments=[{"parent_objective_id": chain.objective.pk}],
    )
    body = Api(chain.peer).get(f"/orgs/acme/objectives/{child.pk}").json()
    assert body["alignments"][0]["parent_objective_id"] == chain.objective.pk
    assert "Secret" not in str(body)
