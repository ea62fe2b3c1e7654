"""The worker's privacy task: anonymise reporters of cases closed longer ago than the retention."""

from __future__ import annotations

from datetime import UTC, datetime

from gisgrid.jobs.registry import periodic
from gisgrid.privacy import retention


@periodic("privacy.reporter_retention", every=6 * 3600)
def reporter_retention(session, cfg) -> int:
    """Anonymise what passed GISGRID_REPORTER_RETENTION_MONTHS since closing (idempotent)."""
    return len(retention.anonymise_closed(session, datetime.now(UTC), int(cfg["REPORTER_RETENTION_MONTHS"])))
