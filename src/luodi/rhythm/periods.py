"""Weeks ("2026-W48", ISO) and months ("2026-11") as moments in an organization's timezone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from luodi.orgs.models import Organization

WEEK_RE = re.compile(r"(\d{4})-W(\d{2})", re.ASCII)
MONTH_RE = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
YEARS = range(1000, 9000)  # far from date.min/max: neighbours and time zones never overflow


def zone_of(organization: Organization) -> ZoneInfo:
    try:
        return ZoneInfo(organization.timezone)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class Period:
    """A week or a month: its key, first day and the day after its last."""

    key: str
    first: date
    end: date  # exclusive

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) as aware moments at local midnight."""
        return (
            datetime.combine(self.first, time.min, tzinfo=zone),
            datetime.combine(self.end, time.min, tzinfo=zone),
        )


def week_key(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_of(day: date) -> Period:
    first = day - timedelta(days=day.weekday())
    return Period(week_key(day), first, first + timedelta(days=7))


def parse_week(value: str, field: str = "week") -> Period:
    match = WEEK_RE.fullmatch(value or "")
    if match and int(match[1]) in YEARS:
        try:
            first = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            first = None
        if first is not None:
            return Period(value, first, first + timedelta(days=7))
    raise ValidationError({field: _("Enter an ISO week like 2026-W48.")})


def month_key(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    end = (first + timedelta(days=32)).replace(day=1)
    return Period(month_key(day), first, end)


def parse_month(value: str, field: str = "month") -> Period:
    match = MONTH_RE.fullmatch(value or "")
    if match and 1 <= int(match[2]) <= 12 and int(match[1]) in YEARS:
        return month_of(date(int(match[1]), int(match[2]), 1))
    raise ValidationError({field: _("Enter a month like 2026-11.")})
