"""Strategic themes."""

from __future__ import annotations

import pytest

from luodi.okrs.models import ObjectiveTheme
from tests.api.conftest import World


@pytest.mark.django_db
def test_create_change_and_delete(world: World) -> None:
    api = world.api("admin")
    response = api.post(
        "/orgs/acme/themes",
        {"title": "Be the default", "description": "Ten-year vision", "kind": "vision"},
    )
    assert response.status_code == 201, response.content
    theme = response.json()
    assert (theme["title"], theme["kind"], theme["description"]) == (
        "Be the default",
        "vision",
        "Ten-year vision",
    )
    response = api.patch(f"/orgs/acme/themes/{theme['id']}", {"title": "Be everyone's default"})
    assert response.json()["title"] == "Be everyone's default"
    assert response.json()["kind"] == "vision"
    assert api.delete(f"/orgs/acme/themes/{theme['id']}").status_code == 204
    assert api.get("/orgs/acme/themes").json()["items"] == [
        {
            "id": world.theme.pk,
            "title": "Win the market",
            "description": "",
            "kind": "mid_term",
            "position": world.theme.position,
        }
    ]


@pytest.mark.django_db
def test_deleting_a_theme_unlinks_its_objectives(world: World) -> None:
    api = world.api("owner")
    path = f"/orgs/acme/objectives/{world.company_objective.pk}"
    assert api.patch(path, {"theme_ids": [world.theme.pk]}).json()["theme_ids"] == [world.theme.pk]
    assert api.delete(f"/orgs/acme/themes/{world.theme.pk}").status_code == 204
    assert api.get(path).json()["theme_ids"] == []
    assert not ObjectiveTheme.objects.exists()
