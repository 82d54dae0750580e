"""The collaboration API: shapes, pagination, and who gets what (404 for what one may not
see or what lives in another organization; 403 for viewers who may see but not write)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from luodi.checkins.services import checkin_submit
from luodi.collab import services
from luodi.collab.models import Comment, CommentLike, Feedback, Follow
from tests.api.conftest import Api
from tests.collab.conftest import Spy, Team

pytestmark = pytest.mark.django_db


def api(team: Team, who: str) -> Api:
    return Api(None if who == "anonymous" else getattr(team, who))


def test_create_list_and_paginate(team: Team) -> None:
    url = f"/orgs/acme/objectives/{team.objective.pk}/comments"
    owner = api(team, "owner")
    r = owner.post(url, {"body": "Hi @Mia Member <script>x</script>"})
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["author_id"] == team.owner.pk
    assert body["mentions"] == [team.member.pk]
    assert "<script" not in body["body_html"]
    for i in range(3):
        owner.post(url, {"body": f"n{i}"})
    page = owner.get(url + "?limit=2").json()
    assert len(page["items"]) == 2 and page["next"]
    rest = owner.get(url + f"?limit=2&cursor={page['next']}").json()
    assert [c["body"] for c in rest["items"]] == ["n1", "n2"] and rest["next"] is None


def test_key_result_and_checkin_comments(team: Team) -> None:
    checkin, _ = checkin_submit(key_result=team.kr, actor=team.member, value=Decimal(2))
    colleague = api(team, "colleague")
    r = colleague.post(f"/orgs/acme/key-results/{team.kr.pk}/comments", {"body": "kr"})
    assert r.status_code == 201 and r.json()["key_result_id"] == team.kr.pk
    r = colleague.post(f"/orgs/acme/check-ins/{checkin.pk}/comments", {"body": "ci"})
    assert r.status_code == 201 and r.json()["checkin_id"] == checkin.pk
    krs = colleague.get(f"/orgs/acme/key-results/{team.kr.pk}/comments").json()["items"]
    assert [c["body"] for c in krs] == ["kr", "ci"]
    cis = colleague.get(f"/orgs/acme/check-ins/{checkin.pk}/comments").json()["items"]
    assert [c["body"] for c in cis] == ["ci"]
    alls = colleague.get(f"/orgs/acme/objectives/{team.objective.pk}/comments").json()["items"]
    assert len(alls) == 2


@pytest.mark.parametrize(
    ("who", "visible", "private", "other"),
    [
        ("owner", 201, 201, 404),  # an admin sees the private objective
        ("member", 201, 201, 404),  # owns both
        ("colleague", 201, 404, 404),
        ("viewer", 403, 404, 404),
        ("outsider", 404, 404, 201),
        ("anonymous", 401, 401, 401),
    ],
)
def test_comment_permission_matrix(
    team: Team, who: str, visible: int, private: int, other: int
) -> None:
    client = api(team, who)
    for objective, expected in ((team.objective, visible), (team.private, private)):
        r = client.post(f"/orgs/acme/objectives/{objective.pk}/comments", {"body": "x"})
        assert r.status_code == expected, (objective.title, r.content)
        assert set(r.json()) == ({"error"} if expected != 201 else r.json().keys())
        r = client.get(f"/orgs/acme/objectives/{objective.pk}/comments")
        assert r.status_code == (200 if expected in (201, 403) else expected)
    r = client.post(f"/orgs/other/objectives/{team.other.pk}/comments", {"body": "x"})
    assert r.status_code == other
    # Another organization's objective through my organization's URL: 404.
    r = client.get(f"/orgs/acme/objectives/{team.other.pk}/comments")
    assert r.status_code in (404, 401)


def test_edit_delete_own_only(team: Team) -> None:
    c = services.comment_create(actor=team.colleague, objective=team.objective, body="mine")
    url = f"/orgs/acme/comments/{c.pk}"
    assert api(team, "member").patch(url, {"body": "no"}).status_code == 403
    assert api(team, "member").delete(url).status_code == 403
    assert api(team, "outsider").patch(url, {"body": "no"}).status_code == 404
    assert api(team, "outsider").delete(url).status_code == 404
    r = api(team, "colleague").patch(url, {"body": "**edited**"})
    assert r.status_code == 200 and "<strong>edited</strong>" in r.json()["body_html"]
    assert r.json()["edited_at"] is not None
    assert api(team, "colleague").patch(url, {"body": ""}).status_code == 422
    assert api(team, "colleague").patch(url, {"body": 5}).status_code == 422
    assert Comment.objects.get().body == "**edited**"
    assert api(team, "colleague").delete(url).status_code == 204
    assert not Comment.objects.exists()
    assert api(team, "colleague").delete(url).status_code == 404


def test_comments_on_private_objectives_are_404_for_others(team: Team) -> None:
    c = services.comment_create(actor=team.member, objective=team.private, body="secret")
    colleague = api(team, "colleague")
    assert colleague.patch(f"/orgs/acme/comments/{c.pk}", {"body": "x"}).status_code == 404
    assert colleague.delete(f"/orgs/acme/comments/{c.pk}").status_code == 404
    assert api(team, "colleague").post(f"/orgs/acme/comments/{c.pk}/like").status_code == 404


def test_likes(team: Team, spy: Spy) -> None:
    c = services.comment_create(actor=team.colleague, objective=team.objective, body="x")
    url = f"/orgs/acme/comments/{c.pk}/like"
    owner = api(team, "owner")
    assert owner.post(url).json() == {"liked": True, "like_count": 1}
    assert owner.post(url).json() == {"liked": True, "like_count": 1}
    assert api(team, "member").post(url).json() == {"liked": True, "like_count": 2}
    assert api(team, "viewer").post(url).status_code == 403
    assert owner.delete(url).json() == {"liked": False, "like_count": 1}
    assert CommentLike.objects.count() == 1
    assert len(spy.of("comment.liked")) == 2


def test_follow(team: Team) -> None:
    url = f"/orgs/acme/objectives/{team.objective.pk}/follow"
    assert api(team, "viewer").post(url).json() == {"following": True}
    assert api(team, "member").delete(url).json() == {"following": False}
    assert api(team, "outsider").post(url).status_code == 404
    assert (
        api(team, "colleague").post(f"/orgs/acme/objectives/{team.private.pk}/follow").status_code
        == 404
    )
    assert Follow.objects.count() == 2


def test_feedback(team: Team, spy: Spy) -> None:
    owner = api(team, "owner")
    r = owner.post(
        "/orgs/acme/feedback",
        {"objective_id": team.objective.pk, "kind": "praise", "body": "Well done"},
    )
    assert r.status_code == 201, r.json()
    assert r.json()["receiver_id"] == team.member.pk
    assert spy.recipients("feedback.given") == {team.member.pk}
    received = api(team, "member").get("/orgs/acme/feedback?received=true").json()["items"]
    assert [f["body"] for f in received] == ["Well done"]
    assert api(team, "member").get("/orgs/acme/feedback?received=false").json()["items"] == []
    assert api(team, "colleague").get("/orgs/acme/feedback").json()["items"] == []
    bad = owner.post(
        "/orgs/acme/feedback", {"objective_id": team.objective.pk, "kind": "x", "body": "b"}
    )
    assert bad.status_code == 422 and "kind" in bad.json()["error"]["fields"]
    hidden = api(team, "colleague").post(
        "/orgs/acme/feedback", {"objective_id": team.private.pk, "kind": "praise", "body": "b"}
    )
    assert hidden.status_code == 404
    other = owner.post(
        "/orgs/acme/feedback", {"objective_id": team.other.pk, "kind": "praise", "body": "b"}
    )
    assert other.status_code == 404
    assert Feedback.objects.count() == 1
    fb = Feedback.objects.get()
    assert owner.post(f"/orgs/acme/feedback/{fb.pk}/read").status_code == 404  # the giver
    assert api(team, "outsider").post(f"/orgs/acme/feedback/{fb.pk}/read").status_code == 404
    r = api(team, "member").post(f"/orgs/acme/feedback/{fb.pk}/read")
    assert r.status_code == 200 and r.json()["read_at"] is not None
