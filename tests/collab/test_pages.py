"""The discussion on the objective page, its forms with and without htmx, the feedback
panel on the home page, and who may do what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from luodi.checkins.services import checkin_submit
from luodi.collab import services
from luodi.collab.models import Comment, CommentLike, Feedback, Follow
from tests.collab.conftest import Team
from tests.collab.inert import assert_inert, elements

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page_url(team: Team, objective=None) -> str:  # type: ignore[no-untyped-def]
    return f"/o/acme/objectives/{(objective or team.objective).pk}/"


XSS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "@<script>alert(1)</script>",
    '<a href="javascript:alert(1)">a</a>',
]


def _discussion_html(html: str) -> str:
    start = html.index('<section id="discussion"')
    return html[start : html.index("</section>", start)]


def test_script_payloads_render_inert_in_the_page(team: Team) -> None:
    from luodi.orgs.services import member_add

    # A person whose name is a payload, mentioned by that name.
    member_add(
        organization=team.org,
        actor=team.owner,
        email="x@acme.example",
        name="<b onmouseover=alert(1)>X",
    )
    for body in [*XSS, "@<b onmouseover=alert(1)>X hi"]:
        services.comment_create(actor=team.owner, objective=team.objective, body=body)
    html = client_for(team.member).get(page_url(team)).content.decode()
    section = _discussion_html(html)
    for tag, attrs in elements(section):
        assert tag != "script" and tag != "img"
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert "javascript:" not in (value or "").lower(), (tag, name, value)
    assert section.count('class="mention"') == 1
    for comment in Comment.objects.all():
        assert_inert(comment.body_html)


def test_comment_without_js_redirects_and_with_htmx_swaps(team: Team) -> None:
    c = client_for(team.colleague)
    url = f"/o/acme/objectives/{team.objective.pk}/comments/"
    r = c.post(url, {"body": "plain post"})
    comment = Comment.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"#comment-{comment.pk}")
    r = c.post(url, {"body": "via htmx", "key_result": team.kr.pk}, **HTMX)
    assert r.status_code == 200
    assert (
        r.content.decode().startswith('<section id="discussion"')
        or 'id="discussion"' in r.content.decode()
    )
    assert "via htmx" in r.content.decode()
    assert Comment.objects.filter(key_result=team.kr).count() == 1
    r = c.post(url, {"body": "  "}, **HTMX)
    assert r.status_code == 200 and "Write something first." in r.content.decode()
    assert Comment.objects.count() == 2


def test_checkin_comment_and_feedback_forms(team: Team) -> None:
    checkin, _ = checkin_submit(key_result=team.kr, actor=team.member, value=Decimal(2))
    c = client_for(team.owner)
    html = c.get(page_url(team)).content.decode()
    assert f'name="checkin" value="{checkin.pk}"' in html
    c.post(
        f"/o/acme/objectives/{team.objective.pk}/comments/",
        {"body": "on ci", "checkin": checkin.pk},
    )
    assert Comment.objects.get().checkin_id == checkin.pk
    r = c.post(
        f"/o/acme/objectives/{team.objective.pk}/feedback/",
        {"kind": "suggestion", "body": "Try *smaller* steps", "checkin": checkin.pk},
    )
    assert r.status_code == 302
    fb = Feedback.objects.get()
    assert (fb.receiver_id, fb.checkin_id, fb.kind) == (team.member.pk, checkin.pk, "suggestion")
    # A check-in of another objective through this objective's URL: 404.
    r = c.post(
        f"/o/acme/objectives/{team.private.pk}/comments/", {"body": "x", "checkin": checkin.pk}
    )
    assert r.status_code == 404


def test_feedback_shows_on_the_receivers_home_page(team: Team) -> None:
    services.feedback_give(
        actor=team.owner,
        objective=team.objective,
        kind="praise",
        body="**Great** <script>x</script>",
    )
    html = client_for(team.member).get("/o/acme/").content.decode()
    assert "Feedback for you" in html and "<strong>Great</strong>" in html
    assert "<script>x" not in html
    fb = Feedback.objects.get()
    r = client_for(team.member).post(f"/o/acme/feedback/{fb.pk}/read/", **HTMX)
    assert r.status_code == 200 and "is-read" in r.content.decode()
    assert client_for(team.colleague).post(f"/o/acme/feedback/{fb.pk}/read/").status_code == 404
    other_home = client_for(team.colleague).get("/o/acme/").content.decode()
    assert "Great" not in other_home


def test_like_and_follow_buttons(team: Team) -> None:
    comment = services.comment_create(actor=team.colleague, objective=team.objective, body="x")
    c = client_for(team.owner)
    r = c.post(f"/o/acme/comments/{comment.pk}/like/", **HTMX)
    assert 'aria-pressed="true"' in r.content.decode() and ">1<" in r.content.decode()
    r = c.post(f"/o/acme/comments/{comment.pk}/like/", {"action": "unlike"}, **HTMX)
    assert 'aria-pressed="false"' in r.content.decode()
    assert not CommentLike.objects.exists()
    r = c.post(f"/o/acme/objectives/{team.objective.pk}/follow/", **HTMX)
    assert "Unfollow" in r.content.decode()
    assert Follow.objects.get().unfollowed is False
    r = client_for(team.member).post(
        f"/o/acme/objectives/{team.objective.pk}/follow/", {"action": "unfollow"}
    )
    assert r.status_code == 302
    assert Follow.objects.get(user=team.member).unfollowed is True
    html = client_for(team.member).get(page_url(team)).content.decode()
    assert "Follow to hear of comments" in html


def test_edit_and_delete_pages(team: Team) -> None:
    comment = services.comment_create(actor=team.colleague, objective=team.objective, body="first")
    edit = f"/o/acme/comments/{comment.pk}/edit/"
    assert client_for(team.member).get(edit).status_code == 403
    assert client_for(team.outsider).get(edit).status_code == 404
    assert client_for(team.colleague).get(edit).status_code == 200
    assert client_for(team.colleague).get(edit, **HTMX).status_code == 200
    r = client_for(team.colleague).post(edit, {"body": ""})
    assert r.status_code == 422
    r = client_for(team.colleague).post(edit, {"body": "second"}, **HTMX)
    assert r["HX-Retarget"] == "#discussion" and "second" in r.content.decode()
    delete = f"/o/acme/comments/{comment.pk}/delete/"
    assert client_for(team.member).post(delete).status_code == 403
    assert client_for(team.colleague).post(delete).status_code == 302
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("who", "page", "post", "private"),
    [
        ("owner", 200, 302, 200),
        ("member", 200, 302, 200),
        ("colleague", 200, 302, 404),
        ("viewer", 200, 403, 404),
        ("outsider", 404, 404, 404),
        ("anonymous", 302, 302, 302),
    ],
)
def test_page_permission_matrix(team: Team, who: str, page: int, post: int, private: int) -> None:
    user = None if who == "anonymous" else getattr(team, who)
    c = client_for(user)
    r = c.get(page_url(team))
    assert r.status_code == page
    if page == 200:
        html = r.content.decode()
        assert 'id="discussion"' in html
        assert ('name="body"' in html) == (who != "viewer")
    r = c.post(f"/o/acme/objectives/{team.objective.pk}/comments/", {"body": "x"})
    assert r.status_code == post
    if who == "anonymous":
        assert "/accounts/login" in r["Location"] or "login" in r["Location"]
    assert c.get(page_url(team, team.private)).status_code == private
    r = c.get(f"/o/acme/objectives/{team.private.pk}/mentions/?q=")
    assert r.status_code == private
    expected_comments = 1 if post == 302 and who != "anonymous" else 0
    assert Comment.objects.count() == expected_comments


def test_mention_search_lists_only_who_may_see(team: Team) -> None:
    html = (
        client_for(team.member)
        .get(f"/o/acme/objectives/{team.private.pk}/mentions/?q=")
        .content.decode()
    )
    assert "owner@acme.example" in html and "carl@acme.example" not in html
    html = (
        client_for(team.member)
        .get(f"/o/acme/objectives/{team.objective.pk}/mentions/?q=ca")
        .content.decode()
    )
    assert "carl@acme.example" in html and "outsider" not in html
    r = client_for(team.member).get(f"/o/acme/objectives/{team.other.pk}/mentions/?q=")
    assert r.status_code == 404


def test_objective_page_queries_do_not_grow_with_comments(
    team: Team, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    checkin, _ = checkin_submit(key_result=team.kr, actor=team.member, value=Decimal(2))
    client = client_for(team.owner)
    client.get(page_url(team))  # warm the session

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_url(team)).status_code == 200
        return len(captured)

    def add(n: int) -> None:
        for i in range(n):
            author = (team.owner, team.member, team.colleague)[i % 3]
            kw = [{}, {"key_result": team.kr}, {"checkin": checkin}][i % 3]
            c = services.comment_create(
                actor=author, objective=team.objective, body=f"c{i} @Mia Member", **kw
            )
            services.comment_like(
                actor=team.colleague if author != team.colleague else team.owner, comment=c
            )

    add(2)
    small = count()
    add(30)
    with django_assert_num_queries(small):
        assert client.get(page_url(team)).status_code == 200


def test_home_page_queries_do_not_grow_with_feedback(team: Team, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(team.member)
    client.get("/o/acme/")

    def give(n: int) -> None:
        for i in range(n):
            giver = (team.owner, team.colleague)[i % 2]
            services.feedback_give(
                actor=giver, objective=team.objective, kind="praise", body=f"f{i}"
            )

    give(1)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/o/acme/").status_code == 200
    give(12)
    with django_assert_num_queries(len(captured)):
        html = client.get("/o/acme/").content.decode()
    assert "f11" in html  # newest first
