"""Writing received values: one COPY into ``monitor_value``; a batch with a re-sent value goes the slow way.

COPY is the fastest way psycopg2 has to send rows, but it cannot skip duplicates. So a batch is
first COPYed straight into the table inside a savepoint; if the primary key refuses a row (a logger
re-sent a packet, 补传), the savepoint is rolled back and the batch is COPYed into a per-connection
temporary table from which one INSERT … ON CONFLICT DO NOTHING moves the new rows and returns
them. Either way only new values are judged for exceedances. Month partitions are created the first
time a batch holds a value of that month.
"""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from psycopg2 import errors as pg_errors
from sqlalchemy.orm import Session

from gisgrid.audit import actor as audit_actor
from gisgrid.monitoring.codec import Packet
from gisgrid.monitoring.models import PERIOD_OF_CN

COLUMNS = ("station_id", "pollutant", "cn", "data_time", "rtd", "avg", "min", "max", "cou", "flag")
_STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS monitor_stage (station_id int, pollutant text, cn smallint,"
    " data_time timestamptz, rtd float8, avg float8, min float8, max float8, cou float8, flag text)"
    " ON COMMIT DELETE ROWS"
)
_MOVE = (
    # DO NOTHING also skips the second of two equal rows within one batch (a packet sent twice quickly)
    f"INSERT INTO monitor_value ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} FROM monitor_stage"
    " ON CONFLICT DO NOTHING"
    " RETURNING station_id, pollutant, cn, data_time, rtd, avg, flag"
)
Row = tuple  # (station_id, pollutant, cn, data_time, rtd, avg, min, max, cou, flag)


def rows_of(station_id: int, packet: Packet, zone: ZoneInfo) -> list[Row]:
    """The value rows of one data packet (DataTime is local time in ``zone``)."""
    when = packet.data_time.replace(tzinfo=zone)
    cn = int(packet.cn)
    return [
        (
            station_id,
            code,
            cn,
            when,
            v.get("Rtd"),
            v.get("Avg"),
            v.get("Min"),
            v.get("Max"),
            v.get("Cou"),
            v.get("Flag"),
        )
        for code, v in packet.values.items()
    ]


def _copy_text(rows: list[Row]) -> io.StringIO:
    # the hot loop of the writer: codes and flags are letters and digits (codec.CODE), so nothing
    # needs COPY escaping; a packet's rows share one DataTime, formatted once
    times: dict[datetime, str] = {}
    lines = []
    for sid, code, cn, when, rtd, avg, low, high, cou, flag in rows:
        stamp = times.get(when) or times.setdefault(when, when.isoformat())
        lines.append(
            f"{sid}\t{code}\t{cn}\t{stamp}\t{_num(rtd)}\t{_num(avg)}\t{_num(low)}\t{_num(high)}\t{_num(cou)}\t"
            f"{flag if flag is not None else NULL}\n"
        )
    return io.StringIO("".join(lines))


NULL = "\\N"


def _num(value: float | None) -> str:
    return NULL if value is None else repr(value)


class PartitionCache:
    """Months whose partition is known to exist (per writer process).

    A partition created in a transaction that rolls back is gone again: months created by a batch
    are only remembered once its transaction committed (``committed``); ``rolled_back`` forgets them.
    """

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.months: set[tuple[int, int]] = set()
        self.pending: set[tuple[int, int]] = set()

    def committed(self) -> None:
        """The batch's transaction committed: its new partitions exist."""
        self.months |= self.pending
        self.pending.clear()

    def rolled_back(self) -> None:
        """The batch's transaction rolled back: its new partitions do not exist."""
        self.pending.clear()

    def ensure(self, cursor, rows: list[Row]) -> None:
        """Create the month partitions these rows need (once per month and process)."""
        local = [t.astimezone(self.zone) for t in {r[3] for r in rows}]
        for year, month in {(t.year, t.month) for t in local}:
            if (year, month) in self.months:
                continue
            start = datetime(year, month, 1, tzinfo=self.zone)
            end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=self.zone)
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS monitor_value_y{year}m{month:02d} PARTITION OF monitor_value"
                " FOR VALUES FROM (%s) TO (%s)",
                (start, end),
            )
            self.pending.add((year, month))


def insert(session: Session, rows: list[Row], partitions: PartitionCache) -> list[tuple]:
    """Store ``rows`` in the session's transaction; returns the rows that were new (not re-sent)."""
    if not rows:
        return []
    cursor = audit_actor.raw_cursor(session)
    try:
        partitions.ensure(cursor, rows)
        data = _copy_text(rows)
        cursor.execute("SAVEPOINT monitor_copy")
        try:
            cursor.copy_expert(f"COPY monitor_value ({', '.join(COLUMNS)}) FROM STDIN", data)
        except pg_errors.UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT monitor_copy")
            data.seek(0)
            return _insert_new(cursor, data)
        cursor.execute("RELEASE SAVEPOINT monitor_copy")
    finally:
        cursor.close()
    return [(r[0], r[1], r[2], r[3], r[4], r[5], r[9]) for r in rows]


def _insert_new(cursor, data: io.StringIO) -> list[tuple]:
    cursor.execute(_STAGE)
    cursor.copy_expert(f"COPY monitor_stage ({', '.join(COLUMNS)}) FROM STDIN", data)
    cursor.execute(_MOVE)
    new = cursor.fetchall()
    cursor.execute("TRUNCATE monitor_stage")  # a second batch in the same transaction starts empty
    return new


def touch(session: Session, seen: dict[int, datetime]) -> None:
    """Record when each station was last heard from, and end its silence alert."""
    if not seen:
        return
    cursor = audit_actor.raw_cursor(session)
    try:
        ids, times = list(seen), list(seen.values())
        cursor.execute(
            "INSERT INTO monitor_station_state (station_id, last_seen_at)"
            " SELECT id, t FROM unnest(%s::int[], %s::timestamptz[]) AS v(id, t)"
            " ON CONFLICT (station_id) DO UPDATE"
            " SET last_seen_at = GREATEST(monitor_station_state.last_seen_at, EXCLUDED.last_seen_at)",
            (ids, times),
        )
        cursor.execute(
            "UPDATE monitor_alert SET ended_at = v.t FROM unnest(%s::int[], %s::timestamptz[]) AS v(id, t)"
            " WHERE monitor_alert.station_id = v.id AND kind = 'offline' AND ended_at IS NULL",
            (ids, times),
        )
    finally:
        cursor.close()


def period_value(cn: int, rtd, avg) -> tuple[str, float | None]:
    """The averaging period a CN carries and the value judged against its limit (Rtd for 2011, else Avg)."""
    period = PERIOD_OF_CN[cn]
    return period, (rtd if period == "rtd" else avg)
