"""Query strings with digits Python calls digits but int() refuses (²), other scripts'
decimal digits, and numbers too long for a database id: pages answer, never a 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

ODD = ["²", "٣", "9" * 30, "-1", "1e3", " 1"]


@pytest.mark.parametrize("value", ODD)
@pytest.mark.parametrize(
    "path",
    [
        "/o/acme/?cycle={}",
        "/o/acme/units/?cycle={}",
        "/o/acme/dashboard/?unit={}&cycle={}",
        "/o/acme/map/?cycle={}",
        "/o/acme/objectives/new/?cycle={}",
        "/o/acme/meetings/new/?unit={}",
        "/o/acme/weekly-reports/team/?unit={}",
    ],
)
def test_odd_numbers_in_the_query_never_break_a_page(
    client, owner, org, cycle, unit_tree, path, value
):
    client.force_login(owner)
    response = client.get(path.format(value, value))
    assert response.status_code in (200, 404), (path, value, response.status_code)


@pytest.mark.parametrize("value", ODD)
def test_odd_owner_filter_on_a_unit_page(client, owner, org, cycle, unit_tree, value):
    client.force_login(owner)
    response = client.get(f"/o/acme/units/{unit_tree.company.pk}/?owner={value}")
    assert response.status_code == 200, (value, response.status_code)
