"""Shared checks for the demo tests."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import time_machine
from django.db import transaction
from django.test import override_settings

from luodi.checkins.models import CheckIn
from luodi.collab.models import Comment, Feedback
from luodi.demo.loader import DemoResult, load_demo
from luodi.notify.models import Notification
from luodi.okrs.models import AlignmentRequest, KeyResult, Milestone, Objective
from luodi.okrs.selectors import Clock, key_result_measures
from luodi.orgs.models import Cycle, Organization, Theme, Unit
from luodi.rhythm.models import ActionItem, Meeting, MonthlySummary, WeeklyReport

SHANGHAI = ZoneInfo("Asia/Shanghai")
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextmanager
def loaded_demo(django_db_blocker, **kwargs) -> Iterator[DemoResult]:
    """Load the demo once for a whole test module, and roll it back afterwards. With a
    `today`, the load happens at noon that day: the services stamp what they write with
    the real clock, as they do when the demo loads for real."""
    today = kwargs.get("today")
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=FAST_HASHER):
            if today is None:
                result = load_demo(**kwargs)
            else:
                with time_machine.travel(noon(today), tick=True):
                    result = load_demo(**kwargs)
        yield result
        transaction.set_rollback(True)


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=SHANGHAI)


def status_counts(org: Organization, clock: Clock) -> tuple[Counter, int]:
    """Statuses of the key results in active cycles, and how many are stale."""
    statuses: Counter = Counter()
    stale = 0
    key_results = (
        KeyResult.objects.filter(organization=org, objective__cycle__state="active")
        .select_related("objective__cycle")
        .prefetch_related("phases")
    )
    for kr in key_results:
        measures = key_result_measures(kr, kr.objective.cycle, clock)
        statuses[str(measures.status)] += 1
        stale += measures.stale
    return statuses, stale


def all_texts(org: Organization) -> list[str]:
    """Every piece of demo text a person reads."""
    texts = [org.name]
    texts += Unit.objects.filter(organization=org).values_list("name", flat=True)
    texts += [m.user.name for m in org.memberships.select_related("user")]
    for theme in Theme.objects.filter(organization=org):
        texts += [theme.title, theme.description]
    texts += Cycle.objects.filter(organization=org).values_list("name", flat=True)
    for objective in Objective.objects.filter(organization=org):
        texts += [objective.title, objective.description]
    for kr in KeyResult.objects.filter(organization=org):
        texts += [kr.title, kr.measure_unit]
    texts += Milestone.objects.filter(organization=org).values_list("title", flat=True)
    texts += CheckIn.objects.filter(organization=org).values_list("note", flat=True)
    return texts + conversation_texts(org)


def conversation_texts(org: Organization) -> list[str]:
    """What people wrote to each other, and what they were told."""
    texts: list[str] = []
    texts += Comment.objects.filter(organization=org).values_list("body", flat=True)
    texts += Feedback.objects.filter(organization=org).values_list("body", flat=True)
    for model in (WeeklyReport, MonthlySummary):
        for report in model.objects.filter(organization=org):
            texts += [report.progress, report.problems, report.plans]
    for meeting in Meeting.objects.filter(organization=org):
        texts += [meeting.title, meeting.notes, meeting.decisions]
    texts += ActionItem.objects.filter(organization=org).values_list("title", flat=True)
    for request in AlignmentRequest.objects.filter(organization=org):
        texts += [request.message, request.answer_comment]
    for notification in Notification.objects.filter(organization=org):
        texts += [notification.title, notification.body]
    return texts
