"""Month partitions of ``patrol_track`` (migration 0016_scale2): created ahead and on demand, dropped by retention.

A partition per China month of ``started_at`` (``patrol_track_y2026m12``). ``ensure`` runs before a track is
stored (an offline phone may upload a track of last month); the periodic job ``patrols.partitions``
creates this and next month's ahead and, when ``GISGRID_PATROL_RETENTION_MONTHS`` is above 0, drops the
months older than that whole (a DROP, not a DELETE: no table rewrite, no index bloat), logging and
auditing each drop. 0 (the default) keeps every month.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from gisgrid.clock import CHINA_TZ
from gisgrid.db import unit_of_work
from gisgrid.sqlfiles import statement

log = logging.getLogger(__name__)
_NAME = re.compile(r"^patrol_track_y(\d{4})m(\d{2})$")
Month = tuple[int, int]


def month_of(moment: datetime) -> Month:
    """(year, month) of a moment in China time."""
    local = moment.astimezone(CHINA_TZ)
    return local.year, local.month


def shift(month: Month, months: int) -> Month:
    """The month ``months`` later (negative: earlier)."""
    index = month[0] * 12 + month[1] - 1 + months
    return index // 12, index % 12 + 1


def name_of(month: Month) -> str:
    """The partition's table name."""
    return f"patrol_track_y{month[0]:04d}m{month[1]:02d}"


def ensure(session: Session, moments) -> list[str]:
    """Create the partitions the months of ``moments`` need (in the session's transaction); → names created."""
    created = []
    for month in sorted({month_of(m) for m in moments}):
        name = name_of(month)
        # looked up first: CREATE ... IF NOT EXISTS on an existing partition still locks the parent table
        if session.scalar(text("SELECT to_regclass(:name)"), {"name": name}) is not None:
            continue
        start = datetime(*month, 1, tzinfo=CHINA_TZ)
        end = datetime(*shift(month, 1), 1, tzinfo=CHINA_TZ)
        # the name is built from two integers (never input); the bounds are parameters
        session.execute(
            text(f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF patrol_track FOR VALUES FROM (:start) TO (:end)"),
            {"start": start, "end": end},
        )
        created.append(name)
    return created


def existing(session: Session) -> list[tuple[Month, str, int]]:
    """(month, name, estimated rows) of every partition, oldest first."""
    rows = session.execute(statement("gisgrid.patrols", "track_partitions.sql"))
    found = []
    for name, count in rows:
        match = _NAME.match(name)
        if match:
            found.append(((int(match[1]), int(match[2])), name, int(count)))
    return found


def expired(session: Session, now: datetime, retention_months: int) -> list[tuple[Month, str, int]]:
    """The partitions wholly older than ``retention_months`` months before this one (none when 0)."""
    if retention_months <= 0:
        return []
    first_kept = shift(month_of(now), -retention_months)
    return [p for p in existing(session) if p[0] < first_kept]


_AUDIT = text(
    "INSERT INTO audit_log (actor_name, actor_source, entity, entity_key, action, changes)"
    " VALUES ('retention', 'job', 'patrol_track', :name, 'delete', CAST(:changes AS jsonb))"
)


def drop(session: Session, month: Month, name: str, retention_months: int) -> int:
    """Drop one month's partition, logged and audited (one audit row for the month: a DROP fires no trigger)."""
    rows = session.scalar(text(f"SELECT count(*) FROM {name}"))  # name from existing(): our own pattern
    session.execute(text(f"DROP TABLE {name}"))
    changes = {"partition": name, "month": f"{month[0]:04d}-{month[1]:02d}", "rows": rows}
    changes["retention_months"] = retention_months
    session.execute(_AUDIT, {"name": name, "changes": json.dumps(changes)})
    log.warning("patrol retention: dropped %s (%s tracks, older than %s months)", name, rows, retention_months)
    return rows


def maintain(session: Session, now: datetime, retention_months: int) -> dict:
    """This and next month's partitions created, expired ones dropped; → what was done (committed)."""
    with unit_of_work(session):
        created = ensure(session, [now, datetime(*shift(month_of(now), 1), 1, tzinfo=CHINA_TZ)])
        dropped = {
            name: drop(session, month, name, retention_months)
            for month, name, _ in expired(session, now, retention_months)
        }
    if created:
        log.info("patrol partitions created: %s", ", ".join(created))
    return {"created": created, "dropped": dropped}
