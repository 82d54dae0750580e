"""In a browser: @ autocomplete by keyboard, posting with htmx, liking; a screenshot of the
discussion for review (var/screenshots/collab_discussion.png)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from luodi.checkins.services import checkin_submit
from luodi.collab import services
from luodi.collab.models import Comment
from tests.collab.conftest import team  # noqa: F401  (collab's fixture, reused)
from tests.e2e.support import SCREENSHOTS, missing_reason, set_language

if missing_reason():
    pytest.skip(missing_reason() or "", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_mention_autocomplete_by_keyboard_and_post(team, new_context) -> None:  # noqa: F811
    set_language(team.member, "en")
    checkin_submit(key_result=team.kr, actor=team.member, value=Decimal(12), confidence=7)
    services.comment_create(
        actor=team.owner, objective=team.objective, body="Good start, **keep going** @Mia Member"
    )
    page = new_context(user=team.member).new_page()
    page.goto(f"/o/acme/objectives/{team.objective.pk}/")
    box = page.locator("#comment-body-o")
    box.click()
    box.press_sequentially("Thanks @ca", delay=30)
    option = page.locator(".mention-list [role=option]", has_text="Carl Colleague")
    expect(option).to_be_visible()
    expect(page.locator(".mention-list [role=option]")).to_have_count(1)
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("Enter")
    expect(box).to_have_value("Thanks @Carl Colleague ")
    expect(page.locator(".mention-list")).to_have_count(0)
    box.press_sequentially("please review", delay=10)
    page.locator("#discussion form.collab-form button[type=submit]", has_text="Post").first.click()
    expect(page.locator("#discussion .message-success")).to_be_visible()
    comment = Comment.objects.order_by("-pk").first()
    assert comment is not None and list(
        comment.mention_links.values_list("user_id", flat=True)
    ) == [team.colleague.pk]
    mention = page.locator(f"#comment-{comment.pk} .mention")
    expect(mention).to_have_text("@Carl Colleague")
    like = page.locator(".collab-like button").first
    like.click()
    expect(page.locator(".collab-like button[aria-pressed=true]").first).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#discussion").screenshot(path=str(SCREENSHOTS / "collab_discussion.png"))


def test_owner_view_with_feedback_form(team, new_context) -> None:  # noqa: F811
    set_language(team.owner, "en")
    checkin, _ = checkin_submit(key_result=team.kr, actor=team.member, value=Decimal(12))
    services.comment_create(
        actor=team.colleague, objective=team.objective, body="On the KR", key_result=team.kr
    )
    services.comment_create(
        actor=team.colleague, objective=team.objective, body="On the check-in", checkin=checkin
    )
    page = new_context(user=team.owner).new_page()
    page.goto(f"/o/acme/objectives/{team.objective.pk}/")
    page.locator(".collab-give summary").click()
    page.locator("#discussion input[name=kind][value=praise]").first.check()
    page.locator("#feedback-body-o").fill("Great *focus* this week")
    page.locator(".collab-give button[type=submit]").click()
    expect(page.locator("#discussion .message-success")).to_have_text("Feedback sent.")
    page.locator("#discussion").screenshot(path=str(SCREENSHOTS / "collab_discussion_owner.png"))
    home = new_context(user=team.member).new_page()
    home.goto("/o/acme/")
    expect(home.locator("#feedback")).to_contain_text("Great focus this week")
    home.locator("#feedback button", has_text="Mark as read").click()
    expect(home.locator("#feedback .is-read")).to_have_count(1)
    home.locator("#feedback").screenshot(path=str(SCREENSHOTS / "collab_home_feedback.png"))
