"""The worker's tracked-item task: escalate overdue 督办, decisions and rectifications (was ``gisgrid tracking escalate``)."""

from __future__ import annotations

from gisgrid.clock import today_in_china
from gisgrid.jobs.registry import periodic
from gisgrid.tracking import rules, service


@periodic("tracking.escalate", every=3600)
def escalate(session, cfg) -> int:
    """Escalate what is overdue today, one grid level per deadline passed (idempotent within a day)."""
    return len(service.escalate_overdue(session, today_in_china(), rules.from_config(cfg)))
