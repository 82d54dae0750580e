"""Template filters for progress, values and statuses."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from luodi.okrs.choices import Status

register = template.Library()


@register.filter
def pct(fraction: float | None) -> str:
    """0.59 → "59%", 0.3333 → "33.3%"; None → "—". Never rounds 59% down to 50%."""
    if fraction is None:
        return "—"
    value = round(float(fraction) * 100, 1)
    text = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    return f"{text}%"


@register.filter
def bar_width(fraction: float | None) -> str:
    """Width for a progress bar: clamped percent with a dot decimal (CSS needs it)."""
    if fraction is None:
        return "0"
    return f"{max(0.0, min(1.0, float(fraction))) * 100:.1f}"


@register.filter
def value(number: Decimal | float | None) -> str:
    """A measured value without trailing zeros, localized and grouped: 300000.0 → 300,000."""
    if number is None:
        return "—"
    if isinstance(number, Decimal):
        normalized = number.normalize()
        if normalized == normalized.to_integral():
            normalized = normalized.quantize(Decimal(1))
        return number_format(normalized, use_l10n=True, force_grouping=True)
    return number_format(number, use_l10n=True, force_grouping=True)


STATUS_LABELS = {
    Status.NOT_STARTED: Status.NOT_STARTED.label,
    Status.ON_TRACK: Status.ON_TRACK.label,
    Status.AT_RISK: Status.AT_RISK.label,
    Status.OFF_TRACK: Status.OFF_TRACK.label,
    Status.DONE: Status.DONE.label,
}


@register.filter
def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@register.inclusion_tag("web/partials/_status.html")
def status_badge(status: str, stale: bool = False) -> dict:
    return {
        "status": status,
        "label": status_label(status),
        "stale": stale,
        "stale_label": _("stale"),
    }


@register.inclusion_tag("web/partials/_progress.html")
def progress_bar(progress: float | None, expected: float | None, status: str) -> dict:
    return {"progress": progress, "expected": expected, "status": status}
