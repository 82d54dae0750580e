"""What reports keep between requests: stored trend points and the version that voids them.

Both live in the database, not in process memory, so that every worker process sees a
write on its very next read.
"""

from __future__ import annotations

from django.db import models

from luodi.orgs.models import Organization


class ReportVersion(models.Model):
    """Bumped in the same transaction as every write that changes a stored trend point."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.PositiveBigIntegerField(default=0)


class StoredTrend(models.Model):
    """The past points of one dashboard trend (dates before the day it was computed).

    `key` digests everything the points depend on besides the version: cycle, dates,
    timezone, unit subtree and what the viewer may see.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveBigIntegerField()
    key = models.CharField(max_length=64)
    points = models.JSONField()  # [progress or null], one per past date
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "version", "key"], name="stored_trend_unique"
            )
        ]
