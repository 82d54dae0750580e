"""The setup path an empty organization sees: which of the five steps are done."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from luodi.okrs.models import Objective
from luodi.orgs.choices import UnitKind
from luodi.orgs.models import Cycle, Organization, Theme, Unit

register = template.Library()


@dataclass
class SetupStep:
    label: str | Promise
    hint: str | Promise
    done: bool
    url: str | None


@dataclass
class SetupPath:
    steps: list[SetupStep]

    @property
    def done(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def total(self) -> int:
        return len(self.steps)


@register.simple_tag
def setup_path(org: Organization, is_admin: bool) -> SetupPath:
    return SetupPath(setup_steps(org, is_admin))


def setup_steps(org: Organization, is_admin: bool) -> list[SetupStep]:
    """Five steps, checked in one query. Links go where each step is done (admins only,
    except the first objective, which anyone can write once a cycle exists)."""
    facts = (
        Organization.objects.filter(pk=org.pk)
        .annotate(
            has_company=Exists(
                Unit.objects.filter(organization=OuterRef("pk"), kind=UnitKind.COMPANY)
            ),
            has_themes=Exists(Theme.objects.filter(organization=OuterRef("pk"))),
            has_cycle=Exists(Cycle.objects.filter(organization=OuterRef("pk"))),
            people=Count("memberships", distinct=True),
            has_objective=Exists(Objective.objects.filter(organization=OuterRef("pk"))),
        )
        .values("has_company", "has_themes", "has_cycle", "people", "has_objective")
        .first()
    ) or {}

    def admin_url(name: str, suffix: str = "") -> str | None:
        return reverse(name, kwargs={"org": org.slug}) + suffix if is_admin else None

    return [
        SetupStep(
            _("Describe your company and its units."),
            _("Start with the company itself, then its departments and teams."),
            bool(facts.get("has_company")),
            admin_url("web:settings-units"),
        ),
        SetupStep(
            _("Write the strategy as themes: vision, mid-term goals, this year's plan."),
            _("Company objectives link to these themes."),
            bool(facts.get("has_themes")),
            admin_url("web:settings-themes"),
        ),
        SetupStep(
            _("Create the first cycle (a quarter or a year)."),
            _("People write and check in on OKRs within a cycle."),
            bool(facts.get("has_cycle")),
            admin_url("web:settings-cycles"),
        ),
        SetupStep(
            _("Invite people."),
            _("Each gets an email with a link to set a password."),
            (facts.get("people") or 0) > 1,
            admin_url("web:settings-members", "?invite#invite"),
        ),
        SetupStep(
            _("Write the first company objective."),
            _("Three to five objectives, each with two or three key results."),
            bool(facts.get("has_objective")),
            reverse("web:objective-new", kwargs={"org": org.slug})
            if facts.get("has_cycle")
            else None,
        ),
    ]
