"""Retention: reporters' names and contacts are anonymised N months after their case was closed."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from gisgrid.db import unit_of_work
from gisgrid.privacy import record
from gisgrid.sqlfiles import statement

log = logging.getLogger(__name__)


def anonymise_closed(session: Session, now: datetime, months: int) -> list[int]:
    """Clear reporter name/contact of cases closed before ``now`` − ``months``; the ids changed, audited."""
    if months < 1:
        raise ValueError(f"GISGRID_REPORTER_RETENTION_MONTHS must be at least 1, not {months}")
    with unit_of_work(session):
        ids = sorted(session.scalars(statement(__package__, "anonymise_reporters.sql"), {"now": now, "months": months}))
        if ids:
            details = {"ids": ids, "months": months, "fields": ["reporter_name", "reporter_contact"]}
            record.record(session, record.ANONYMISE, "incident", None, "保存期限届满 (retention)", details)
    log.info("reporter retention (%d months): anonymised %d case(s) %s", months, len(ids), ids)
    return ids
