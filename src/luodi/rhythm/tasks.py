"""Background work of the rhythm: the hourly reminder run."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from luodi.rhythm.reminders import run_reminders


@db_periodic_task(crontab(minute="5"))
def send_reminders() -> None:
    """Hourly: each organization's reminders due at its local hour (sent at most once)."""
    run_reminders()
