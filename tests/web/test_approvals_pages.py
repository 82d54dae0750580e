"""Pages: the approval panel on the objective page, the approvals list, the alignment
requests inbox and their forms (which work without JavaScript)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from luodi.okrs.alignment_requests import alignment_request_create
from luodi.okrs.approvals import objective_submit
from luodi.okrs.models import AlignmentRequest, Objective
from luodi.okrs.services import objective_update
from tests.okrs.factories import objective
from tests.okrs.test_approvals import draft as draft
from tests.okrs.test_approvals import forget
from tests.okrs.test_approvals import spy as spy
from tests.okrs.test_approvals import team as team

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def url(name: str, org, **kwargs) -> str:
    return reverse(f"web:{name}", kwargs={"org": org.slug, **kwargs})


def fresh(obj: Objective) -> Objective:
    return Objective.objects.get(pk=obj.pk)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_flow_through_the_pages(client, org, member, team, draft, spy):
    client.force_login(member)
    page = client.get(url("objective", org, pk=draft.pk)).content.decode()
    assert "Submit for approval" in page and 'id="approval"' in page
    assert "Approve</button>" not in page

    answer = client.post(
        url("objective-submit", org, pk=draft.pk), {"note": "Please look"}, follow=True
    )
    assert answer.redirect_chain[-1][0] == url("objective", org, pk=draft.pk)
    assert "Submitted for approval." in messages_of(answer)
    assert fresh(draft).approval_status == "submitted"

    client.force_login(team.tom)
    listing = client.get(url("approvals", org)).content.decode()
    assert draft.title in listing and "Please look" in listing
    page = client.get(url("objective", org, pk=draft.pk)).content.decode()
    assert "Approve</button>" in page and "Send back</button>" in page

    nothing = client.post(url("objective-return", org, pk=draft.pk), {"comment": ""}, follow=True)
    assert "Say why, so the owner knows what to change." in messages_of(nothing)
    assert fresh(draft).approval_status == "submitted"

    back = url("approvals", org)
    answer = client.post(
        url("objective-return", org, pk=draft.pk), {"comment": "Sharper, please", "next": back}
    )
    assert answer.status_code == 302 and answer["Location"] == back
    assert fresh(draft).approval_status == "returned"

    client.force_login(member)
    page = client.get(url("objective", org, pk=draft.pk)).content.decode()
    assert "Sharper, please" in page and "Submit again" in page
    client.post(url("objective-submit", org, pk=draft.pk))

    client.force_login(team.tom)
    answer = client.post(
        url("objective-approve", org, pk=draft.pk), {"next": "https://evil.example/"}
    )
    assert answer["Location"] == url("objective", org, pk=draft.pk)  # no open redirect
    assert fresh(draft).state == "active"
    assert draft.title not in client.get(url("approvals", org)).content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member", 403),  # own draft
        ("colleague", 404),  # cannot see a colleague's draft
        ("sam", 404),  # leader of another unit
        ("viewer", 404),
        ("outsider", 404),
        ("anonymous", 302),  # to the sign-in page
    ],
)
@pytest.mark.parametrize("action", ["objective-approve", "objective-return"])
def test_who_may_not_decide(client, request, org, member, team, draft, who, status, action):
    objective_submit(objective=draft, actor=member)
    users = {
        "member": member,
        "colleague": team.colleague,
        "sam": team.sam,
        "viewer": request.getfixturevalue("viewer"),
        "outsider": request.getfixturevalue("other_owner"),
    }
    if who in users:
        client.force_login(users[who])
    answer = client.post(url(action, org, pk=draft.pk), {"comment": "x"})
    assert answer.status_code == status
    if who == "anonymous":
        assert "/accounts/login/" in answer["Location"]
    got = fresh(draft)
    assert (got.state, got.approval_status) == ("draft", "submitted")


def test_actions_take_post_only(client, org, member, team, draft):
    client.force_login(member)
    assert client.get(url("objective-submit", org, pk=draft.pk)).status_code == 405


def test_organization_without_approval_shows_nothing_of_it(client, org, member, cycle):
    mine = objective(org, member, cycle, "Mine", level="individual")
    client.force_login(member)
    page = client.get(url("objective", org, pk=mine.pk)).content.decode()
    assert 'id="approval"' not in page and "Submit for approval" not in page
    listing = client.get(url("approvals", org)).content.decode()
    assert "does not require approval" in listing


def test_approvals_page_queries_do_not_grow(client, org, cycle, team):
    def make(n: int) -> None:
        for _ in range(n):
            title = f"Draft {Objective.objects.count()}"
            created = objective(org, team.colleague, cycle, title, level="individual")
            objective_submit(objective=created, actor=team.colleague)

    client.force_login(team.lead)
    make(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url("approvals", org)).status_code == 200
    make(6)
    forget(team.lead)
    with CaptureQueriesContext(connection) as seven:
        page = client.get(url("approvals", org)).content.decode()
    assert page.count('class="card ap-draft"') == 7
    assert len(seven) == len(one)


def test_approvals_page_query_cap(client, org, cycle, team, django_assert_max_num_queries):
    for i in range(5):
        created = objective(org, team.colleague, cycle, f"Draft {i}", level="individual")
        objective_submit(objective=created, actor=team.colleague)
    client.force_login(team.tom)
    with django_assert_max_num_queries(12):
        client.get(url("approvals", org))


# --- alignment requests ------------------------------------------------------------------------


@pytest.fixture
def asking(org, owner, cycle, team) -> Objective:
    made = objective(
        org,
        team.tom,
        cycle,
        "Launch the portal",
        level="unit",
        unit_id=team.team.pk,
        owner_id=team.tom.pk,
    )
    return objective_update(objective=made, actor=owner, state="active")[0]


def test_ask_accept_and_see_the_answer(client, org, owner, cycle, team, asking, spy):
    client.force_login(team.tom)
    page = client.get(url("objective", org, pk=asking.pk)).content.decode()
    assert "Ask another team" in page and f'value="{team.sales.pk}"' in page
    answer = client.post(
        url("alignment-request-new", org, pk=asking.pk),
        {"to_unit": team.sales.pk, "type": "supports", "message": "Help us sell it"},
        follow=True,
    )
    assert "Request sent to the team's leader." in messages_of(answer)
    request = AlignmentRequest.objects.get()
    assert (request.to_unit_id, request.type, request.state) == (
        team.sales.pk,
        "supports",
        "pending",
    )
    twice = client.post(
        url("alignment-request-new", org, pk=asking.pk), {"to_unit": team.sales.pk}, follow=True
    )
    assert any("already waiting" in m for m in messages_of(twice))
    bad = client.post(
        url("alignment-request-new", org, pk=asking.pk), {"to_unit": "x"}, follow=True
    )
    assert "No such unit in this organization." in messages_of(bad)

    client.force_login(team.sam)
    inbox = client.get(url("alignment-requests", org)).content.decode()
    assert "Launch the portal" in inbox and "Help us sell it" in inbox
    assert url("alignment-request-accept", org, pk=request.pk) in inbox
    answer = client.post(
        url("alignment-request-accept", org, pk=request.pk),
        {"objective": "new", "title": "Sell the portal"},
    )
    assert answer.status_code == 302
    request.refresh_from_db()
    assert request.state == "accepted" and request.child_objective.title == "Sell the portal"

    # Sam's new objective is a draft here: Tom sees the answer, not the draft.
    client.force_login(team.tom)
    page = client.get(url("objective", org, pk=asking.pk)).content.decode()
    assert "Accepted" in page and "Sam Sales" in page and "Sell the portal" not in page
    objective_update(objective=request.child_objective, actor=owner, state="active")
    page = client.get(url("objective", org, pk=asking.pk)).content.decode()
    assert "Sell the portal" in page


def test_link_an_existing_objective_and_decline(client, org, cycle, team, asking):
    theirs = objective(org, team.sam, cycle, "Sales push", level="unit", unit_id=team.sales.pk)
    first = alignment_request_create(objective=asking, actor=team.tom, to_unit_id=team.sales.pk)
    client.force_login(team.sam)
    inbox = client.get(url("alignment-requests", org)).content.decode()
    assert f'<option value="{theirs.pk}">Sales push' in inbox
    client.post(url("alignment-request-accept", org, pk=first.pk), {"objective": theirs.pk})
    first.refresh_from_db()
    assert (first.state, first.child_objective_id) == ("accepted", theirs.pk)

    second = alignment_request_create(objective=asking, actor=team.tom, to_unit_id=team.sales.pk)
    empty = client.post(url("alignment-request-decline", org, pk=second.pk), {}, follow=True)
    assert "Say why, so the other team understands." in messages_of(empty)
    client.post(url("alignment-request-decline", org, pk=second.pk), {"comment": "Too busy"})
    second.refresh_from_db()
    assert (second.state, second.answer_comment) == ("declined", "Too busy")


def test_request_permissions_and_privacy(client, request, org, member, cycle, team, asking):
    pending = alignment_request_create(objective=asking, actor=team.tom, to_unit_id=team.sales.pk)
    accept = url("alignment-request-accept", org, pk=pending.pk)
    client.force_login(member)  # may see the objective, may not answer for Sales
    assert client.post(accept, {"objective": "new"}).status_code == 403
    assert client.post(url("alignment-request-cancel", org, pk=pending.pk)).status_code == 403
    client.force_login(request.getfixturevalue("other_owner"))
    assert client.post(accept, {"objective": "new"}).status_code == 404
    assert client.get(url("alignment-requests", org)).status_code == 404
    # The objective turns private: the request is gone for Sam, in the inbox and by id.
    objective_update(objective=asking, actor=team.tom, visibility="private")
    forget(team.sam)
    client.force_login(team.sam)
    assert "Launch the portal" not in client.get(url("alignment-requests", org)).content.decode()
    assert client.post(accept, {"objective": "new"}).status_code == 404
    pending.refresh_from_db()
    assert pending.state == "pending"


def test_the_requester_cancels_from_the_inbox(client, org, team, asking):
    pending = alignment_request_create(objective=asking, actor=team.tom, to_unit_id=team.sales.pk)
    client.force_login(team.tom)
    inbox = client.get(url("alignment-requests", org)).content.decode()
    assert url("alignment-request-cancel", org, pk=pending.pk) in inbox
    client.post(url("alignment-request-cancel", org, pk=pending.pk))
    pending.refresh_from_db()
    assert pending.state == "cancelled"


def test_inbox_queries_do_not_grow(client, org, owner, cycle, team):
    def ask(n: int) -> None:
        for _ in range(n):
            made = objective(
                org, owner, cycle, f"Company goal {Objective.objects.count()}", owner_id=owner.pk
            )
            objective(org, team.sam, cycle, f"Sales {made.pk}", level="unit", unit_id=team.sales.pk)
            alignment_request_create(objective=made, actor=owner, to_unit_id=team.sales.pk)

    client.force_login(team.sam)
    ask(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url("alignment-requests", org)).status_code == 200
    ask(5)
    forget(team.sam)
    with CaptureQueriesContext(connection) as six:
        page = client.get(url("alignment-requests", org)).content.decode()
    assert page.count("ap-request-pending") == 6
    assert len(six) == len(one)
