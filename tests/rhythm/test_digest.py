"""The weekly digest to each unit leader: their team's week, only what that leader may see,
never another organization's data."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from luodi.notify.events import EventKind
from luodi.rhythm.reminders import run_reminders
from tests.conftest import make_metric, make_objective
from tests.rhythm.conftest import check_in, of_kind

SATURDAY_0900 = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # the day after Friday's check-in
DIGEST = EventKind.DIGEST_WEEKLY


def _digest_for(sent: list, user: Any) -> dict:
    (event,) = [e for e in of_kind(sent, DIGEST) if e["recipients"] == [user.pk]]
    return event


def _everything(event: dict) -> str:
    body = event["body"].render("en") if event["body"] else ""
    return json.dumps(event["data"], default=str) + event["title"].render("en") + body


def test_digest_on_the_day_after_check_in_day_from_nine(team: Any, sent: list, frozen: Any):
    check_in(team.deals, team.mia, "8", datetime(2026, 11, 26, 2, tzinfo=UTC))
    frozen.move_to(datetime(2026, 11, 28, 0, 59, tzinfo=UTC), tick=False)
    run_reminders()
    assert of_kind(sent, DIGEST) == []
    frozen.move_to(SATURDAY_0900, tick=False)
    run_reminders()
    # Leaders: the owner (company), Lena (Engineering), Tom (Platform).
    assert sorted(r for e in of_kind(sent, DIGEST) for r in e["recipients"]) == sorted(
        [team.owner.pk, team.lena.pk, team.tom.pk]
    )
    tom = _digest_for(sent, team.tom)
    assert tom["data"]["week"] == "2026-W48"
    assert tom["data"]["checked_in"] == [team.mia.pk]
    assert set(tom["data"]["missing"]) == {team.tom.pk, team.carl.pk}
    titles = [o["title"] for o in tom["data"]["objectives"]]
    assert "Close more deals" in titles and "Platform is reliable" in titles
    change = tom["data"]["changes"][0]
    assert change["title"] == "Deals closed" and change["to"] == 0.4
    assert "Deals closed 0% → 40%" in tom["body"].render("en")
    run_reminders()  # the next hourly run sends nothing again
    assert len(of_kind(sent, DIGEST)) == 3


def test_private_objectives_never_in_a_leaders_digest(team: Any, sent: list, frozen: Any):
    check_in(team.secret, team.mia, "9", datetime(2026, 11, 26, 2, tzinfo=UTC))
    frozen.move_to(SATURDAY_0900, tick=False)
    run_reminders()
    for leader in (team.tom, team.lena):
        text = _everything(_digest_for(sent, leader))
        assert "Secret" not in text
        assert str(team.secret.pk) not in [
            str(c["key_result_id"]) for c in _digest_for(sent, leader)["data"]["changes"]
        ]
    # The owner is an admin and sees everything, private objectives included.
    assert "Secret side project" in _everything(_digest_for(sent, team.owner))


def test_no_other_organizations_data_in_a_digest(
    team: Any, other_org: Any, other_owner: Any, other_cycle: Any, sent: list, frozen: Any
):
    other_org.timezone = "Asia/Shanghai"
    other_org.save()
    objective = make_objective(other_org, other_owner, other_cycle, title="Rival plan")
    kr = make_metric(objective, other_owner, title="Rival number")
    check_in(kr, other_owner, "50", datetime(2026, 11, 26, 2, tzinfo=UTC))
    frozen.move_to(SATURDAY_0900, tick=False)
    run_reminders()
    for event in of_kind(sent, DIGEST):
        assert event["organization"].slug == "acme"
        assert "Rival" not in _everything(event)
