"""Who may see an objective, as a filter on the organization's memberships.

The mirror image of `okrs.permissions.can_see_objective` (which answers for one viewer):
mention autocomplete and mention resolution ask it for many people at once, in one query,
instead of building a Viewer per candidate. tests/collab/test_audience.py checks both
rules agree person by person.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.expressions import RawSQL

from luodi.okrs.choices import ObjectiveState, Visibility
from luodi.okrs.models import Objective
from luodi.orgs.choices import MANAGER_ROLES
from luodi.orgs.models import Membership, Unit


def _units(objective: Objective) -> tuple[set[int], set[int]]:
    """The objective's unit with its ancestors, and with its descendants (one query)."""
    if objective.unit_id is None:
        return set(), set()
    rows = list(
        Unit.objects.filter(organization_id=objective.organization_id).values_list(
            "pk", "parent_id"
        )
    )
    parent_of = dict(rows)
    above: set[int] = set()
    current: int | None = objective.unit_id
    while current is not None and current not in above:
        above.add(current)
        current = parent_of.get(current)
    children: dict[int, list[int]] = {}
    for pk, parent in rows:
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    below: set[int] = set()
    stack = [objective.unit_id]
    while stack:
        pk = stack.pop()
        if pk not in below:
            below.add(pk)
            stack.extend(children.get(pk, []))
    return above, below


def _managers_of_sql(organization_id: int, user_id: int) -> RawSQL:
    """Everyone up the management chain of user_id (UNION stops at cycles)."""
    table = Membership._meta.db_table
    return RawSQL(
        f"WITH RECURSIVE up(user_id) AS ("
        f"SELECT manager_id FROM {table} WHERE organization_id = %s AND user_id = %s "
        f"AND manager_id IS NOT NULL "
        f"UNION SELECT m.manager_id FROM {table} m JOIN up ON m.user_id = up.user_id "
        f"WHERE m.organization_id = %s AND m.manager_id IS NOT NULL) SELECT user_id FROM up",
        [organization_id, user_id, organization_id],
    )


def audience_q(objective: Objective) -> Q:
    """Memberships (of the objective's organization) whose person may see the objective."""
    q = Q(role__in=MANAGER_ROLES)
    if objective.owner_id is not None:
        q |= Q(user_id=objective.owner_id)
    above, below = _units(objective)
    if objective.visibility != Visibility.PRIVATE and above:
        q |= Q(user_id__in=Unit.objects.filter(pk__in=above, leader__isnull=False).values("leader"))
    if objective.state == ObjectiveState.DRAFT:
        return q
    if objective.visibility == Visibility.ORGANIZATION:
        return Q()
    if objective.owner_id is not None:
        q |= Q(user_id__in=_managers_of_sql(objective.organization_id, objective.owner_id))
    if objective.visibility == Visibility.UNIT and below:
        q |= Q(unit_id__in=sorted(below))
    return q


def audience(objective: Objective):  # type: ignore[no-untyped-def]
    """The memberships of people who may see the objective."""
    return Membership.objects.filter(organization_id=objective.organization_id).filter(
        audience_q(objective)
    )
