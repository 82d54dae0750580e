"""audience_q (everyone who may see one objective) agrees with can_see_objective (what
one person may see), person by person, across visibilities, states and units."""

from __future__ import annotations

from typing import Any

import pytest

from luodi.accounts.models import User
from luodi.okrs.audience import audience
from luodi.okrs.models import Objective
from luodi.okrs.permissions import can_see_objective, viewer_for
from luodi.orgs.models import Membership
from luodi.orgs.services import member_add
from tests.conftest import make_objective

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("visibility", ["organization", "unit", "private"])
@pytest.mark.parametrize("state", ["active", "draft"])
@pytest.mark.parametrize("where", ["team", "dept", "none"])
def test_audience_matches_can_see(
    org: Any,
    owner: User,
    cycle: Any,
    member: User,
    unit_tree: Any,
    viewer: User,
    visibility: str,
    state: str,
    where: str,
) -> None:
    unit = {"team": unit_tree.team, "dept": unit_tree.dept, "none": None}[where]
    objective = make_objective(
        org,
        member,
        cycle,
        title="O",
        level="individual",
        visibility=visibility,
        unit_id=unit.pk if unit else None,
    )
    Objective.objects.filter(pk=objective.pk).update(state=state)
    objective.refresh_from_db()
    outsider_in_dept = member_add(
        organization=org, actor=owner, email="d@acme.example", name="Dee"
    ).user
    Membership.objects.filter(organization=org, user=outsider_in_dept).update(unit=unit_tree.dept)
    expected = set()
    for m in Membership.objects.filter(organization=org).select_related("user"):
        m.user.__dict__.pop("_luodi_viewers", None)
        m.user.__dict__.pop("_luodi_memberships", None)
        if can_see_objective(viewer_for(org, m.user), objective):
            expected.add(m.user_id)
    assert set(audience(objective).values_list("user_id", flat=True)) == expected
