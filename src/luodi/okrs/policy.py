"""The organization's OKR count policy (the field guide's 3–5 objectives, 2–3 key results)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from luodi.okrs.choices import ObjectiveState
from luodi.okrs.models import KeyResult, Objective
from luodi.orgs.choices import PolicyMode
from luodi.orgs.models import Organization


@dataclass(frozen=True)
class PolicyWarning:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def _apply(org: Organization, field: str, warning: PolicyWarning | None) -> list[PolicyWarning]:
    if warning is None:
        return []
    if org.policy_mode == PolicyMode.ENFORCE:
        raise ValidationError({field: [warning.message]}, code=warning.code)
    return [warning]


def check_objective_count(
    *, organization: Organization, owner_id: int | None, cycle_id: int, adding: int = 0
) -> list[PolicyWarning]:
    """Objectives per owner per cycle above the maximum: warn, or refuse when enforced."""
    if owner_id is None:
        return []
    count = (
        Objective.objects.filter(organization=organization, owner_id=owner_id, cycle_id=cycle_id)
        .exclude(state=ObjectiveState.CANCELLED)
        .count()
        + adding
    )
    warning = None
    if count > organization.policy_objectives_max:
        warning = PolicyWarning(
            "too_many_objectives",
            _("%(count)d objectives for one owner in this cycle; %(min)d–%(max)d are recommended.")
            % {
                "count": count,
                "min": organization.policy_objectives_min,
                "max": organization.policy_objectives_max,
            },
        )
    return _apply(organization, "owner_id", warning)


def check_key_result_count(
    *, organization: Organization, objective: Objective, adding: int = 0
) -> list[PolicyWarning]:
    """Key results per objective above the maximum: warn, or refuse when enforced."""
    count = (
        KeyResult.objects.filter(objective=objective).exclude(state="cancelled").count() + adding
    )
    warning = None
    if count > organization.policy_key_results_max:
        warning = PolicyWarning(
            "too_many_key_results",
            _("%(count)d key results on one objective; %(min)d–%(max)d are recommended.")
            % {
                "count": count,
                "min": organization.policy_key_results_min,
                "max": organization.policy_key_results_max,
            },
        )
    return _apply(organization, "key_results", warning)


def objective_policy_notes(
    *, organization: Organization, objective: Objective
) -> list[PolicyWarning]:
    """Read-side advice shown with an objective: too few key results (never refused)."""
    count = KeyResult.objects.filter(objective=objective).exclude(state="cancelled").count()
    if count < organization.policy_key_results_min:
        return [
            PolicyWarning(
                "too_few_key_results",
                _("%(count)d key results on this objective; %(min)d–%(max)d are recommended.")
                % {
                    "count": count,
                    "min": organization.policy_key_results_min,
                    "max": organization.policy_key_results_max,
                },
            )
        ]
    return []
