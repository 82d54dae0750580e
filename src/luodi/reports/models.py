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
    # Bumped by every progress write to an objective without a unit (okrs.engine); units
    # keep their own counter (Unit.progress_version).
    unitless_version = models.PositiveBigIntegerField(default=0)


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


class DashboardPart(models.Model):
    """What the dashboard counts over one block of units in one cycle, for a viewer who
    sees every objective (`reports.parts`): status counts, people, the worst key results
    and the objectives' sums per unit.

    `stamp` digests everything the part depends on (report version, the block's progress
    versions, the day, the rules' settings); `valid_until` is the first moment a key
    result of the block turns stale by the clock alone.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey("orgs.Cycle", on_delete=models.CASCADE, related_name="+")
    block = models.CharField(max_length=24)  # "u<unit id>", or "none": objectives without a unit
    stamp = models.CharField(max_length=64)
    valid_until = models.DateTimeField(null=True)
    payload = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "cycle", "block"], name="dashboard_part_unique"
            )
        ]


class MapFrame(models.Model):
    """The structure of one cycle's alignment map as one kind of viewer sees it (`web.
    map_frames`): placement under themes, the first page's nodes and outline, titles.

    Progress and status are never stored here; they are read live with every view. `stamp`
    digests the report version (every structure edit bumps it) and the frame's format.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey("orgs.Cycle", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8)  # "all" (admins) or "public" (everyone)
    unit_id = models.PositiveBigIntegerField(default=0)  # the unit filter; 0: none
    stamp = models.CharField(max_length=64)
    payload = models.TextField()  # JSON for the server: a TextField spares the JSON column
    chart = models.TextField()  # the page's <script> of the chart's titles and links, as sent
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "cycle", "kind", "unit_id"], name="map_frame_unique"
            )
        ]
