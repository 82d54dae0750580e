"""The built-in guide (both languages) and the setup path of an empty organization."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from luodi.orgs.services import member_add, theme_create, unit_create
from tests.conftest import make_objective

ANCHORS = ("what", "strategy", "writing", "rhythm", "progress", "status", "score")


def guide(client, language: str) -> str:
    response = client.get(reverse("web:guide"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "template", "title"),
    [("zh-hans", "web/guide_zh.html", "什么是 OKR"), ("en", "web/guide_en.html", "What OKRs are")],
)
def test_guide_renders_in_each_language_with_every_anchor(client, language, template, title):
    response = client.get(reverse("web:guide"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert template in [t.name for t in response.templates]
    body = response.content.decode()
    assert title in body
    for anchor in ANCHORS:
        assert f'id="{anchor}"' in body
        assert f'href="#{anchor}"' in body


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_guide_states_the_exact_rules(client, language):
    body = guide(client, language)
    text = re.sub(r"<[^>]+>", "", body)
    # metric formula and the two worked examples from the field guide
    assert "(5.9 − 0) / (10 − 0) = 0.59" in text and "59%" in text
    assert "(3.5 − 5) / (2 − 5) = −1.5 / −3 = 0.5" in text and "50%" in text
    # objective roll-up worked example
    assert "2.1 / 4 = 0.525" in text
    # pace, status thresholds, tolerance, confidence, stale, score
    assert "clamp((d − " in text
    assert "p &lt; e − 2t" in body and "p ≥ e − t" in text
    assert "0.10" in text
    assert "14" in text
    assert "0.7" in text
    assert "0.0" in text and "1.0" in text


@pytest.mark.django_db
def test_guide_is_open_to_anonymous_visitors_and_linked_everywhere(client, org, owner):
    assert client.get(reverse("web:guide")).status_code == 200
    client.force_login(owner)
    home = client.get(reverse("web:home", kwargs={"org": org.slug})).content.decode()
    assert f'href="{reverse("web:guide")}"' in home


@pytest.mark.django_db
def test_guide_keeps_the_organization_menu_for_members(client, org, owner):
    client.force_login(owner)
    client.get(reverse("web:home", kwargs={"org": org.slug}))
    body = client.get(reverse("web:guide")).content.decode()
    assert reverse("web:units", kwargs={"org": org.slug}) in body


# setup path


def home(client, org) -> str:
    response = client.get(reverse("web:home", kwargs={"org": org.slug}))
    assert response.status_code == 200
    return response.content.decode()


def done_steps(body: str) -> int:
    return body.count('class="setup-step is-done"')


@pytest.mark.django_db
def test_setup_path_shows_nothing_done_for_a_new_organization(client, org, owner):
    client.force_login(owner)
    body = home(client, org)
    assert "setup-path" in body
    assert done_steps(body) == 0
    for name in ("web:settings-units", "web:settings-themes", "web:settings-cycles"):
        assert f'href="{reverse(name, kwargs={"org": org.slug})}"' in body
    assert reverse("web:settings-members", kwargs={"org": org.slug}) + "?invite#invite" in body


@pytest.mark.django_db
def test_setup_path_marks_done_steps(client, org, owner):
    unit_create(organization=org, actor=owner, name="Acme", kind="company")
    theme_create(organization=org, actor=owner, title="Lead the market")
    member_add(organization=org, actor=owner, email="second@acme.example")
    client.force_login(owner)
    body = home(client, org)
    assert done_steps(body) == 3
    # the done steps no longer need a link; the cycle step still has one
    assert f'href="{reverse("web:settings-units", kwargs={"org": org.slug})}"' not in body
    assert f'href="{reverse("web:settings-cycles", kwargs={"org": org.slug})}"' in body


@pytest.mark.django_db
def test_setup_steps_count_cycles_and_objectives(org, owner, cycle):
    from luodi.web.templatetags.luodi_setup import setup_path

    make_objective(org, owner, cycle)
    path = setup_path(org, True)
    assert [step.done for step in path.steps] == [False, False, True, False, True]
    assert (path.done, path.total) == (2, 5)


@pytest.mark.django_db
def test_setup_path_for_members_has_no_admin_links(client, org, member):
    client.force_login(member)
    body = home(client, org)
    assert "setup-path" in body
    assert reverse("web:settings-units", kwargs={"org": org.slug}) not in body
