"""The worker's notification tasks: deliver the outbox, scan deadlines, build digests."""

from __future__ import annotations

from gisgrid.jobs.registry import job, periodic
from gisgrid.notifications import delivery, digests, scans


@periodic("notifications.deliver", every=1)
def deliver(session, cfg) -> dict:
    """Send every e-mail/SMS that is due (every tick)."""
    return delivery.deliver_due(session, cfg)


@job("notifications.deliver")
def deliver_now(session, cfg) -> dict:
    """The same round on demand (enqueued by name)."""
    return delivery.deliver_due(session, cfg)


@periodic("notifications.deadlines", every=600)
def deadlines(session, cfg) -> dict:
    """Due within one working day / overdue (each told once per deadline)."""
    return scans.deadlines(session)


@periodic("notifications.digests", every=300)
def build_digests(session, cfg) -> int:
    """The daily digests whose hour has come."""
    return digests.build_due(session)
