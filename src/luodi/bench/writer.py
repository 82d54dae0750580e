"""Append many rows fast: COPY on PostgreSQL, executemany on SQLite.

The bench generator writes millions of check-ins; going through model instances and
`bulk_create` would spend most of the ten-minute budget in Python. Rows arrive as tuples
in the order of `columns`, already in database form (see `db_datetime`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import islice

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Model

BATCH = 5000


def db_datetime(value: datetime | None) -> object:
    """An aware datetime as the backend stores it (SQLite: naive UTC text, as Django does)."""
    if value is None or connection.vendor != "sqlite":
        return value
    return str(value.astimezone(UTC).replace(tzinfo=None))


def next_id(model: type[Model]) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def write_rows(model: type[Model], columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """Insert rows (tuples in `columns` order) into the model's table; returns the count."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    raw = connection.cursor().cursor  # the driver's cursor, under Django's transaction
    count = 0
    if connection.vendor == "postgresql":
        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        raw.executemany(sql, batch)
        count += len(batch)
    return count


def analyze(models: list[type[Model]]) -> None:
    """Refresh the planner's statistics after a bulk load.

    PostgreSQL plans with what ANALYZE last saw; autovacuum may be off or late, and a
    freshly loaded table planned as empty turned a 75 ms query into 80 s. SQLite's planner
    works without statistics here, and ANALYZE there would scan millions of rows.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def reset_sequences(models: list[type[Model]]) -> None:
    """After explicit ids, move PostgreSQL's id sequences past them (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
