"""API: submit / approve / return drafts, alignment requests; permissions, cross-organization
and private objectives (404), rejected writes change nothing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from luodi.okrs.models import AlignmentRequest
from luodi.orgs.models import Membership
from luodi.orgs.services import member_add, member_update, organization_update, unit_create
from tests.api.conftest import Api, World, database_state
from tests.conftest import make_metric, make_objective


@pytest.fixture
def setup(world: World) -> Any:
    """Acme requires approval; Team (led by Lena) has the member and Carl; Ops is led by Otis."""
    org, owner = world.org, world.owner
    organization_update(organization=org, actor=owner, requires_approval=True)
    org.refresh_from_db()

    def add(email: str, name: str) -> Any:
        return member_add(organization=org, actor=owner, email=email, name=name).user

    lead, carl, otis = add("lena@acme.example", "Lena"), add("carl@acme.example", "Carl"), None
    otis = add("otis@acme.example", "Otis")
    team = unit_create(organization=org, actor=owner, name="Team", kind="team", leader_id=lead.pk)
    ops = unit_create(organization=org, actor=owner, name="Ops", kind="team", leader_id=otis.pk)
    for user, unit in ((world.member, team), (carl, team), (lead, team), (otis, ops)):
        member_update(
            membership=Membership.objects.get(organization=org, user=user),
            actor=owner,
            unit_id=unit.pk,
        )
    draft = make_objective(org, world.member, world.cycle, title="My draft", level="individual")
    kr = make_metric(draft, world.member, title="Deals")
    assert draft.state == "draft"
    apis = {"lead": Api(lead), "carl": Api(carl), "otis": Api(otis)}
    return SimpleNamespace(
        lead=lead, carl=carl, otis=otis, team=team, ops=ops, draft=draft, kr=kr, apis=apis
    )


def api(world: World, setup: Any, persona: str) -> Api:
    return setup.apis[persona] if persona in setup.apis else world.api(persona)


def path(setup: Any, action: str, org: str = "acme") -> str:
    return f"/orgs/{org}/objectives/{setup.draft.pk}/{action}"


def test_the_whole_flow(world, setup):
    member, lead = world.api("member"), setup.apis["lead"]
    body = member.get(f"/orgs/acme/objectives/{setup.draft.pk}").json()
    assert body["approval"] is None
    answer = member.post(path(setup, "submit"), {"note": "Ready"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["approval"]["status"] == "submitted"
    assert answer.json()["approval"]["note"] == "Ready"
    assert "key_results" in answer.json()

    missing = lead.post(path(setup, "return"), {})
    assert missing.status_code == 422
    assert missing.json()["error"]["fields"] == {"comment": ["This field is required."]}
    blank = lead.post(path(setup, "return"), {"comment": "  "})
    assert blank.status_code == 422 and list(blank.json()["error"]["fields"]) == ["comment"]

    returned = lead.post(path(setup, "return"), {"comment": "Raise the bar"})
    assert returned.status_code == 200
    approval = returned.json()["approval"]
    assert (approval["status"], approval["comment"], approval["decided_by"]) == (
        "returned",
        "Raise the bar",
        setup.lead.pk,
    )
    early = member.post(f"/orgs/acme/key-results/{setup.kr.pk}/check-ins", {"value": 3})
    assert early.status_code == 422

    assert member.post(path(setup, "submit")).status_code == 200
    approved = lead.post(path(setup, "approve"), {"comment": "Go"})
    assert approved.status_code == 200
    assert approved.json()["state"] == "active"
    assert approved.json()["approval"]["status"] == "approved"
    assert approved.json()["approval"]["comment"] == "Go"
    checkin = member.post(
        f"/orgs/acme/key-results/{setup.kr.pk}/check-ins", {"value": 3, "confidence": 7}
    )
    assert checkin.status_code == 201, checkin.content
    history = member.get(f"/orgs/acme/objectives/{setup.draft.pk}/revisions").json()["items"]
    assert [r["new"] for r in history if r["field"] == "approval"] == [
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]


def test_wrong_state_is_a_clear_422(world, setup):
    answer = setup.apis["lead"].post(path(setup, "approve"))
    assert answer.status_code == 422
    assert answer.json()["error"]["fields"] == {
        "state": ["This draft has not been submitted for approval."]
    }
    active = world.api("owner").post(f"/orgs/acme/objectives/{world.company_objective.pk}/submit")
    assert active.status_code == 422


# Who may approve a submitted draft: 200 allowed, 403 seen but not allowed, 404 cannot see it,
# 401 not signed in.
APPROVE = {
    "member": 403,  # their own draft
    "carl": 404,  # a colleague: drafts are not his to see
    "lead": 200,
    "otis": 404,  # leader of another unit
    "owner": 200,
    "admin": 200,
    "viewer": 404,
    "outsider": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize(("persona", "status"), APPROVE.items())
@pytest.mark.parametrize("action", ["approve", "return"])
def test_permission_matrix(world, setup, persona, status, action):
    world.api("member").post(path(setup, "submit"))
    before = database_state()
    answer = api(world, setup, persona).post(path(setup, action), {"comment": "ok"})
    assert answer.status_code == status, answer.content
    if status != 200:
        assert database_state() == before
        assert answer.json()["error"]["code"] in {"forbidden", "not_found", "unauthenticated"}


@pytest.mark.parametrize(("persona", "status"), [*APPROVE.items()])
def test_only_the_owner_submits(world, setup, persona, status):
    expected = {"member": 200, "lead": 403, "owner": 403, "admin": 403}.get(persona, status)
    if persona in ("carl", "otis", "viewer", "outsider"):
        expected = 404
    before = database_state()
    answer = api(world, setup, persona).post(path(setup, "submit"))
    assert answer.status_code == expected, answer.content
    if expected != 200:
        assert database_state() == before


def test_other_organizations_objectives_are_404(world, setup):
    owner = world.api("owner")
    assert owner.post(f"/orgs/acme/objectives/{world.other_objective.pk}/approve").status_code == (
        404
    )
    assert owner.post(path(setup, "approve", org="other")).status_code == 404
    outsider = world.api("outsider")
    assert outsider.post(path(setup, "approve", org="other")).status_code == 404


# --- alignment requests ------------------------------------------------------------------------


@pytest.fixture
def asking(world, setup) -> Any:
    """An active Team objective of Lena's, visible to everyone."""
    return make_objective(
        world.org,
        setup.lead,
        world.cycle,
        title="Team goal",
        level="unit",
        unit_id=setup.team.pk,
        owner_id=setup.lead.pk,
        state="active",
    )


def test_alignment_request_flow(world, setup, asking):
    # Lena is no admin: her unit objective starts as a draft; the owner approves it first.
    world.api("owner").patch(f"/orgs/acme/objectives/{asking.pk}", {"state": "active"})
    lead, otis = setup.apis["lead"], setup.apis["otis"]
    body = {"objective_id": asking.pk, "to_unit_id": setup.ops.pk, "message": "Help?"}
    created = lead.post("/orgs/acme/alignment-requests", body)
    assert created.status_code == 201, created.content
    request = created.json()
    assert (request["state"], request["from_unit_id"], request["requested_by"]) == (
        "pending",
        setup.team.pk,
        setup.lead.pk,
    )
    incoming = otis.get("/orgs/acme/alignment-requests?box=incoming").json()["items"]
    assert [r["id"] for r in incoming] == [request["id"]]
    assert otis.get("/orgs/acme/alignment-requests?box=outgoing").json()["items"] == []
    outgoing = lead.get("/orgs/acme/alignment-requests?box=outgoing").json()["items"]
    assert [r["id"] for r in outgoing] == [request["id"]]
    assert world.api("member").get("/orgs/acme/alignment-requests").json()["items"] == []

    refused = lead.post(f"/orgs/acme/alignment-requests/{request['id']}/accept", {"create": True})
    assert refused.status_code == 403
    neither = otis.post(f"/orgs/acme/alignment-requests/{request['id']}/accept", {})
    assert neither.status_code == 422
    assert list(neither.json()["error"]["fields"]) == ["objective_id"]

    accepted = otis.post(
        f"/orgs/acme/alignment-requests/{request['id']}/accept", {"create": True, "title": "Ops"}
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"] == "accepted"
    child_id = accepted.json()["child_objective_id"]
    child = otis.get(f"/orgs/acme/objectives/{child_id}").json()
    assert child["title"] == "Ops" and child["unit_id"] == setup.ops.pk
    assert child["alignments"][0]["parent_objective_id"] == asking.pk
    # Otis's new objective is a draft in this organization: Lena may not see it, nor its id.
    seen_by_lead = lead.get(f"/orgs/acme/alignment-requests/{request['id']}").json()
    assert seen_by_lead["child_objective_id"] is None


def test_decline_and_cancel(world, setup, asking):
    world.api("owner").patch(f"/orgs/acme/objectives/{asking.pk}", {"state": "active"})
    lead, otis = setup.apis["lead"], setup.apis["otis"]
    body = {"objective_id": asking.pk, "to_unit_id": setup.ops.pk}
    first = lead.post("/orgs/acme/alignment-requests", body).json()
    assert otis.post(f"/orgs/acme/alignment-requests/{first['id']}/decline", {}).status_code == 422
    declined = otis.post(
        f"/orgs/acme/alignment-requests/{first['id']}/decline", {"comment": "Busy"}
    )
    assert declined.json()["state"] == "declined"
    assert declined.json()["answer_comment"] == "Busy"
    second = lead.post("/orgs/acme/alignment-requests", body).json()
    assert otis.post(f"/orgs/acme/alignment-requests/{second['id']}/cancel").status_code == 403
    cancelled = lead.post(f"/orgs/acme/alignment-requests/{second['id']}/cancel")
    assert cancelled.json()["state"] == "cancelled"
    again = lead.post(f"/orgs/acme/alignment-requests/{second['id']}/cancel")
    assert again.status_code == 422


def test_requests_refuse_private_drafts_and_other_organizations(world, setup, asking):
    lead, owner = setup.apis["lead"], world.api("owner")
    # The objective is still a draft: refused with a clear error.
    draft = lead.post(
        "/orgs/acme/alignment-requests", {"objective_id": asking.pk, "to_unit_id": setup.ops.pk}
    )
    assert draft.status_code == 422
    assert list(draft.json()["error"]["fields"]) == ["objective"]
    # Someone else's private objective: it does not exist for them.
    private = make_objective(
        world.org, world.owner, world.cycle, title="Secret", visibility="private"
    )
    hidden = lead.post(
        "/orgs/acme/alignment-requests", {"objective_id": private.pk, "to_unit_id": setup.ops.pk}
    )
    assert hidden.status_code == 404
    foreign = owner.post(
        "/orgs/acme/alignment-requests",
        {"objective_id": world.other_objective.pk, "to_unit_id": setup.ops.pk},
    )
    assert foreign.status_code == 404
    foreign_unit = owner.post(
        "/orgs/acme/alignment-requests",
        {"objective_id": world.company_objective.pk, "to_unit_id": world.other_unit.pk},
    )
    assert foreign_unit.status_code == 422
    assert list(foreign_unit.json()["error"]["fields"]) == ["to_unit_id"]
    assert not AlignmentRequest.objects.exists()


def test_outsiders_and_anonymous_see_no_requests(world, setup, asking):
    owner = world.api("owner")
    created = owner.post(
        "/orgs/acme/alignment-requests",
        {"objective_id": world.company_objective.pk, "to_unit_id": setup.ops.pk},
    )
    assert created.status_code == 201
    request_id = created.json()["id"]
    outsider = world.api("outsider")
    assert outsider.get("/orgs/acme/alignment-requests").status_code == 404
    assert outsider.get(f"/orgs/other/alignment-requests/{request_id}").status_code == 404
    assert (
        outsider.post(
            f"/orgs/other/alignment-requests/{request_id}/decline", {"comment": "x"}
        ).status_code
        == 404
    )
    assert world.api("anonymous").get("/orgs/acme/alignment-requests").status_code == 401
    # A member sees the request of an objective they may see, by objective.
    listed = world.api("member").get(
        f"/orgs/acme/alignment-requests?objective_id={world.company_objective.pk}"
    )
    assert listed.status_code == 200, listed.content
    assert [r["id"] for r in listed.json()["items"]] == [request_id]
    # Unknown filters are refused, not ignored.
    assert owner.get("/orgs/acme/alignment-requests?box=mine").status_code == 422
