"""Writing received values: COPY into a temporary table, then one INSERT … ON CONFLICT DO NOTHING.

COPY is the fastest way psycopg2 has to send rows; it cannot skip duplicates, so it fills a
per-connection temporary table and a single INSERT moves the new rows into ``monitor_value``
(a re-sent packet adds nothing) and returns them, so only new values are judged for exceedances.
Month partitions are created the first time a batch holds a value of that month.
"""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from gisgrid.monitoring.codec import Packet
from gisgrid.monitoring.models import PERIOD_OF_CN

COLUMNS = ("station_id", "pollutant", "cn", "data_time", "rtd", "avg", "min", "max", "cou", "flag")
_STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS monitor_stage (station_id int, pollutant text, cn smallint,"
    " data_time timestamptz, rtd float8, avg float8, min float8, max float8, cou float8, flag text)"
    " ON COMMIT DELETE ROWS"
)
_MOVE = (
    f"INSERT INTO monitor_value ({', '.join(COLUMNS)}) SELECT DISTINCT ON (station_id, pollutant, cn, data_time)"
    f" {', '.join(COLUMNS)} FROM monitor_stage ON CONFLICT DO NOTHING"
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
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join(_field(v) for v in row))
        buf.write("\n")
    buf.seek(0)
    return buf


def _field(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):  # codes and flags come from the packet: escape COPY's specials
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return repr(value) if isinstance(value, float) else str(value)


class PartitionCache:
    """Months whose partition is known to exist (per writer process)."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.months: set[tuple[int, int]] = set()

    def ensure(self, cursor, rows: list[Row]) -> None:
        """Create the month partitions these rows need (once per month and process)."""
        for year, month in {(r[3].astimezone(self.zone).year, r[3].astimezone(self.zone).month) for r in rows}:
            if (year, month) in self.months:
                continue
            start = datetime(year, month, 1, tzinfo=self.zone)
            end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=self.zone)
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS monitor_value_y{year}m{month:02d} PARTITION OF monitor_value"
                " FOR VALUES FROM (%s) TO (%s)",
                (start, end),
            )
            self.months.add((year, month))


def insert(session: Session, rows: list[Row], partitions: PartitionCache) -> list[tuple]:
    """Store ``rows`` in the session's transaction; returns the rows that were new (not re-sent)."""
    if not rows:
        return []
    cursor = session.connection().connection.cursor()
    try:
        partitions.ensure(cursor, rows)
        cursor.execute(_STAGE)
        cursor.copy_expert(f"COPY monitor_stage ({', '.join(COLUMNS)}) FROM STDIN", _copy_text(rows))
        cursor.execute(_MOVE)
        new = cursor.fetchall()
        cursor.execute("TRUNCATE monitor_stage")  # a second batch in the same transaction starts empty
    finally:
        cursor.close()
    return new


def touch(session: Session, seen: dict[int, datetime]) -> None:
    """Record when each station was last heard from, and end its silence alert."""
    if not seen:
        return
    cursor = session.connection().connection.cursor()
    try:
        ids, times = list(seen), list(seen.values())
        cursor.execute(
            "UPDATE monitor_station s SET last_seen_at = GREATEST(s.last_seen_at, v.t)"
            " FROM unnest(%s::int[], %s::timestamptz[]) AS v(id, t) WHERE s.id = v.id",
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
