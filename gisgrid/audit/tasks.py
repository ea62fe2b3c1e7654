"""The worker's audit tasks: seal SM3 rows, prune rows past the retention (both leave their own audit row)."""

from __future__ import annotations

from gisgrid.audit import chain
from gisgrid.jobs.registry import periodic


@periodic("audit.seal", every=60)
def seal(session, cfg) -> int:
    """Hash the audit rows waiting for their SM3 seal (none when GISGRID_AUDIT_HASH=sha256)."""
    return chain.seal_pending(session)


@periodic("audit.prune", every=86400)
def prune(session, cfg) -> int:
    """Delete audit rows older than GISGRID_AUDIT_RETENTION_DAYS (≥ 180); the deletion is itself audited."""
    return chain.prune(session, cfg["AUDIT_RETENTION_DAYS"])
