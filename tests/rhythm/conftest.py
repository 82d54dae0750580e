"""Rhythm test support: a frozen clock (Monday 23 Nov 2026, 09:00 in Shanghai), a team with
OKRs in an active quarter, and a spy on notification dispatch."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from luodi.checkins.services import checkin_submit
from luodi.okrs.models import KeyResult
from luodi.orgs.choices import CycleState
from luodi.orgs.services import cycle_create
from tests.conftest import make_metric, make_objective

MONDAY = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 Asia/Shanghai


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> Any:
    time_machine.move_to(MONDAY, tick=False)
    return time_machine


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every event emitted, as the keyword arguments dispatch received."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("luodi.notify.services.dispatch", lambda **event: calls.append(event))
    return calls


def of_kind(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["kind"] == kind]


def recipients(events: list[dict[str, Any]], kind: str) -> list[int]:
    return sorted(r for e in of_kind(events, kind) for r in e["recipients"])


def check_in(kr: KeyResult, user: Any, value: str, at: datetime, **extra: Any) -> Any:
    kr.refresh_from_db()
    return checkin_submit(key_result=kr, actor=user, value=Decimal(value), at=at, **extra)[0]


@pytest.fixture
def team(org: Any, owner: Any, member: Any, unit_tree: Any) -> SimpleNamespace:
    """Platform team (Tom leads; Mia the member and Carl in it) inside Engineering (Lena)."""
    quarter = cycle_create(
        organization=org,
        actor=owner,
        name="Q4 2026",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        state=CycleState.ACTIVE,
    )
    tom, carl = unit_tree.tom, unit_tree.colleague
    team_objective = make_objective(
        org,
        tom,
        quarter,
        title="Platform is reliable",
        level="unit",
        unit_id=unit_tree.team.pk,
        owner_id=tom.pk,
    )
    uptime = make_metric(team_objective, tom, title="Uptime", start="90", target="100")
    mia_objective = make_objective(
        org, member, quarter, title="Close more deals", level="individual"
    )
    deals = make_metric(mia_objective, member, title="Deals closed", target="20")
    secret_objective = make_objective(
        org,
        member,
        quarter,
        title="Secret side project",
        level="individual",
        visibility="private",
    )
    secret = make_metric(secret_objective, member, title="Secret milestone count", target="10")
    carl_objective = make_objective(org, carl, quarter, title="Ship the API", level="individual")
    endpoints = make_metric(carl_objective, carl, title="Endpoints shipped", target="10")
    for user in (owner, member, tom, carl, unit_tree.lead):
        user.__dict__.pop("_luodi_viewers", None)
    return SimpleNamespace(
        quarter=quarter,
        tom=tom,
        carl=carl,
        lena=unit_tree.lead,
        mia=member,
        owner=owner,
        unit=unit_tree.team,
        dept=unit_tree.dept,
        company=unit_tree.company,
        uptime=uptime,
        deals=deals,
        secret=secret,
        endpoints=endpoints,
        secret_objective=secret_objective,
        mia_objective=mia_objective,
        team_objective=team_objective,
    )
