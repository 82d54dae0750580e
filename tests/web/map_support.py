"""Shared by the alignment map's tests: a small strategy and the page's chart data."""

import json
import re

from django.urls import reverse

from luodi.checkins.services import checkin_submit
from luodi.orgs.services import theme_create
from tests.conftest import make_metric, make_objective, merged_map_data


def map_url(org):
    return reverse("web:map", kwargs={"org": org.slug})


def objective_url(org, objective):
    return reverse("web:objective", kwargs={"org": org.slug, "pk": objective.pk})


def checked_in(objective, actor, value):
    kr = make_metric(objective, actor, start="0", target="10", title=f"KR of {objective.title}")
    checkin_submit(key_result=kr, actor=actor, value=str(value), confidence=8)


def build_strategy(org, owner, member, cycle, unit_tree):
    """A theme, a chain company → department → person, a private objective under the
    department, and an objective aligned to nothing."""
    theme = theme_create(organization=org, actor=owner, title="Grow revenue", kind="mid_term")
    theme_create(organization=org, actor=owner, title="Unused theme", kind="vision")
    company = make_objective(
        org,
        owner,
        cycle,
        title="Double revenue",
        level="company",
        theme_ids=[theme.pk],
        unit_id=unit_tree.company.pk,
    )
    dept = make_objective(
        org,
        owner,
        cycle,
        title="Engineering ships faster",
        level="unit",
        unit_id=unit_tree.dept.pk,
        alignments=[{"parent_objective_id": company.pk}],
    )
    checked_in(dept, owner, 10)  # its own key result is done
    mine = make_objective(
        org,
        member,
        cycle,
        title="Automate the release",
        level="individual",
        alignments=[{"parent_objective_id": dept.pk}],
    )
    checked_in(mine, member, 1)  # 10% at a third of the cycle: off track
    secret = make_objective(
        org,
        unit_tree.colleague,
        cycle,
        title="Secret plan",
        level="individual",
        visibility="private",
        alignments=[{"parent_objective_id": dept.pk}],
    )
    lonely = make_objective(org, member, cycle, title="Lonely goal", level="individual")
    return {
        "theme": theme,
        "company": company,
        "dept": dept,
        "mine": mine,
        "secret": secret,
        "lonely": lonely,
    }


def _script(body: str, element_id: str) -> dict:
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', body, re.S
    )
    assert match, f"the page carries #{element_id}"
    return json.loads(match.group(1))


def payload_of(response):
    """The chart data as map.js puts it together: the stored frame's titles and links
    (#map-frame) with the live numbers (#map-data)."""
    body = response.content.decode()
    return merged_map_data(_script(body, "map-data"), _script(body, "map-frame"))


def grow_the_map(org, owner, member, cycle, count):
    """A theme with `count` company objectives, each with a checked-in child, and `count`
    objectives aligned to nothing: more of everything the map reads."""
    theme = theme_create(organization=org, actor=owner, title="More themes")
    for index in range(count):
        parent = make_objective(
            org, owner, cycle, title=f"Company {index}", level="company", theme_ids=[theme.pk]
        )
        child = make_objective(
            org,
            member,
            cycle,
            title=f"Mine {index}",
            level="individual",
            alignments=[{"parent_objective_id": parent.pk}],
        )
        checked_in(child, member, index)
        make_objective(org, member, cycle, title=f"Alone {index}", level="individual")
