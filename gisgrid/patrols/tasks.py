"""The worker's patrol task: month partitions of patrol_track ahead of time, and retention."""

from __future__ import annotations

from datetime import datetime

from gisgrid.clock import CHINA_TZ
from gisgrid.jobs.registry import periodic
from gisgrid.patrols import partitions


@periodic("patrols.partitions", every=3600)
def maintain_partitions(session, cfg) -> dict:
    """Create this and next month's partitions; drop those past GISGRID_PATROL_RETENTION_MONTHS (0: keep all)."""
    return partitions.maintain(session, datetime.now(CHINA_TZ), int(cfg.get("PATROL_RETENTION_MONTHS", 0)))
