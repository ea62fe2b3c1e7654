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
    """Clear reporter name/contact (and their receipts' addresses) of cases closed before ``now`` − ``months``.

    Returns the ids of the cases changed; the change is audited.
    """
    if months < 1:
        raise ValueError(f"GISGRID_REPORTER_RETENTION_MONTHS must be at least 1, not {months}")
    with unit_of_work(session):
        ids = sorted(session.scalars(statement(__package__, "anonymise_reporters.sql"), {"now": now, "months": months}))
        if ids:
            # the receipts sent to the reporter keep their phone/e-mail as address: cleared too
            sent = session.scalars(statement(__package__, "anonymise_outbox.sql"), {"ids": ids}).all()
            details = {"ids": ids, "months": months, "fields": ["reporter_name", "reporter_contact"]}
            details["notifications"] = len(sent)
            record.record(session, record.ANONYMISE, "incident", None, "保存期限届满 (retention)", details)
    log.info("reporter retention (%d months): anonymised %d case(s) %s", months, len(ids), ids)
    return ids
