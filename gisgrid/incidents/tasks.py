"""The worker's case tasks: 督办 of overdue cases and transfer feedback (was a daily cron of ``gisgrid incidents escalate``)."""

from __future__ import annotations

from gisgrid.clock import today_in_china
from gisgrid.incidents import transfer
from gisgrid.jobs.registry import periodic


@periodic("incidents.escalate", every=3600)
def escalate(session, cfg) -> int:
    """Escalate what is overdue today (idempotent: each case and transfer once)."""
    return len(transfer.escalate_overdue(session, today_in_china()))
