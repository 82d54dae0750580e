"""Background work of the notifications: e-mails and channel deliveries."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from luodi.notify import delivery


@db_task(retries=3, retry_delay=300)
def send_email(to: str, subject: str, body: str) -> None:
    """One notification e-mail (plain text, already in the recipient's language)."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


@db_task()
def deliver(delivery_id: int) -> None:
    delivery.attempt(delivery_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due() -> None:
    """Retries whose backoff has passed (and anything a stopped worker left behind)."""
    delivery.deliver_due()
