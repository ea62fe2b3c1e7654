"""The worker's side of the outbox: claim due e-mail/SMS rows, send each, record every attempt.

Each message goes out once: a row is claimed (``sending``, attempt recorded, committed) before it is
sent and marked ``sent`` right after, so a retry never repeats a message the server accepted and
recorded. The one window left is a worker that dies after the server accepted but before the commit:
the lease (``NOTIFY_LEASE_SECONDS``) expires and the message is sent again with the **same**
Message-ID / out id, which mail clients and SMS gateways use to drop the duplicate.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from gisgrid.db import unit_of_work
from gisgrid.notifications import channels, outbox, quiet
from gisgrid.notifications.models import Notification, NotificationAttempt


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """Wait after the ``attempts``-th failure: base, 2·base, 4·base, … up to ``cap`` seconds."""
    return timedelta(seconds=min(cap, base * 2 ** max(attempts - 1, 0)))


def _due(now: datetime, lease: float):
    stale = now - timedelta(seconds=lease)
    return and_(
        Notification.channel.in_(tuple(channels.SENDERS)),
        or_(
            and_(Notification.state == "pending", Notification.next_attempt_at <= now),
            and_(Notification.state == "sending", Notification.sending_since < stale),
        ),
    )


def _held(session: Session, cfg: dict, row: Notification, now: datetime) -> datetime | None:
    if row.user_id is None:
        hours = quiet.parse(cfg["NOTIFY_CITIZEN_QUIET"])
        return quiet.hold_until(now, *(hours or (None, None)))
    pref = outbox.preference(session, row.user_id)
    return quiet.hold_until(now, pref.quiet_start, pref.quiet_end)


def claim(session: Session, cfg: dict, now: datetime, limit: int = 50) -> list[tuple[int, int]]:
    """Lock due rows (skipping rows another worker holds), hold quiet-hour ones; → [(id, attempt)] to send."""
    with unit_of_work(session):
        stmt = select(Notification).where(_due(now, cfg["NOTIFY_LEASE_SECONDS"])).order_by(Notification.id)
        claimed = []
        for row in session.scalars(stmt.limit(limit).with_for_update(skip_locked=True)):
            until = _held(session, cfg, row, now)
            if until is not None:
                row.state, row.next_attempt_at = "pending", until
                continue
            row.state, row.sending_since, row.attempts = "sending", now, row.attempts + 1
            session.add(NotificationAttempt(notification_id=row.id, attempt=row.attempts, started_at=now))
            claimed.append((row.id, row.attempts))
    return claimed


def send_one(session: Session, cfg: dict, row_id: int, attempt: int) -> bool:
    """Send a claimed row and record the outcome; False (with a retry scheduled) when it failed."""
    row = session.get(Notification, row_id)
    error = None
    try:
        channels.SENDERS[row.channel](cfg, row)
    except channels.SendFailed as err:
        error = str(err)[:1000]
    with unit_of_work(session):
        _finish(session, cfg, row, attempt, error)
    return error is None


def _finish(session: Session, cfg: dict, row: Notification, attempt: int, error: str | None) -> None:
    now = datetime.now(UTC)
    tried = session.scalar(
        select(NotificationAttempt).where(
            NotificationAttempt.notification_id == row.id, NotificationAttempt.attempt == attempt
        )
    )
    tried.finished_at, tried.ok, tried.error = now, error is None, error
    if error is None:
        row.state, row.sent_at, row.last_error = "sent", now, None
    elif row.attempts >= cfg["NOTIFY_MAX_ATTEMPTS"]:
        row.state, row.last_error = "failed", error
    else:
        wait = backoff(row.attempts, cfg["NOTIFY_BACKOFF_SECONDS"], cfg["NOTIFY_BACKOFF_MAX_SECONDS"])
        row.state, row.last_error, row.next_attempt_at = "pending", error, now + wait


def deliver_due(session: Session, cfg: dict, now: datetime | None = None) -> dict:
    """One delivery round: claim what is due and send it; returns counts (sent, failed)."""
    counts = {"sent": 0, "failed": 0}
    for row_id, attempt in claim(session, cfg, now or datetime.now(UTC)):
        counts["sent" if send_one(session, cfg, row_id, attempt) else "failed"] += 1
    return counts
