"""Collab test support: a spy on notification dispatch and a small world."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from luodi.accounts.models import User
from luodi.okrs.models import KeyResult, Objective
from luodi.orgs.models import Cycle, Organization
from luodi.orgs.services import member_add
from tests.conftest import make_metric, make_objective


class Spy:
    """Records every dispatched event: kind → recipients (as emit passed them)."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, **event: Any) -> None:
        event["recipients"] = set(event["recipients"])
        self.events.append(event)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["kind"] == kind]

    def recipients(self, kind: str) -> set[int]:
        """Who would hear of `kind`, after emit's own rules (members who may see the
        objective, never the actor) — what the inbox will hold."""
        from luodi.okrs.models import Objective
        from luodi.okrs.permissions import can_see_objective, viewer_for

        people: set[int] = set()
        for event in self.of(kind):
            objective = Objective.objects.get(pk=event["objective_id"])
            for user in User.objects.filter(pk__in=event["recipients"]):
                user.__dict__.pop("_luodi_viewers", None)
                user.__dict__.pop("_luodi_memberships", None)
                viewer = viewer_for(event["organization"], user)
                if user.pk != event["actor_id"] and can_see_objective(viewer, objective):
                    people.add(user.pk)
        return people

    def clear(self) -> None:
        self.events.clear()


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    from luodi.notify import services

    recorder = Spy()
    monkeypatch.setattr(services, "dispatch", recorder)
    return recorder


@dataclass
class Team:
    org: Organization
    cycle: Cycle
    owner: User
    member: User
    colleague: User
    viewer: User
    outsider: User
    objective: Objective  # the member's, visible to the organization
    kr: KeyResult
    private: Objective  # the member's private objective
    other: Objective  # in the other organization


@pytest.fixture
def team(
    org: Organization,
    cycle: Cycle,
    owner: User,
    member: User,
    viewer: User,
    other_owner: User,
    other_org: Organization,
    other_cycle: Cycle,
) -> Team:
    colleague = member_add(
        organization=org, actor=owner, email="carl@acme.example", name="Carl Colleague"
    ).user
    objective = make_objective(org, member, cycle, title="Ship the app", level="individual")
    kr = make_metric(objective, member, title="Downloads")
    private = make_objective(
        org, member, cycle, title="Secret plan", level="individual", visibility="private"
    )
    other = make_objective(other_org, other_owner, other_cycle, title="Their goal")
    return Team(
        org=org,
        cycle=cycle,
        owner=owner,
        member=member,
        colleague=colleague,
        viewer=viewer,
        outsider=other_owner,
        objective=objective,
        kr=kr,
        private=private,
        other=other,
    )
