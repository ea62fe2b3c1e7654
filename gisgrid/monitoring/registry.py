"""The receiver's in-memory copy of the station registry: MN → station id, PW and limits."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Connection

_LOAD = text(
    "SELECT s.id, s.mn, s.password, l.pollutant, l.period, l.limit_value"
    " FROM monitor_station s LEFT JOIN monitor_limit l ON l.station_id = s.id WHERE s.active"
)


@dataclass
class Known:
    """One active station as the receiver needs it."""

    id: int
    mn: str
    password: str
    limits: dict[tuple[str, str], float] = field(default_factory=dict)  # (pollutant, period) → limit

    def accepts(self, pw: str | None) -> bool:
        """True when ``pw`` is this station's password (constant-time comparison)."""
        return hmac.compare_digest(self.password.encode(), (pw or "").encode())


def load(conn: Connection) -> dict[str, Known]:
    """Every active station by MN, with its limits."""
    stations: dict[str, Known] = {}
    for sid, mn, password, pollutant, period, limit in conn.execute(_LOAD):
        known = stations.setdefault(mn, Known(sid, mn, password))
        if pollutant is not None and limit is not None:
            known.limits[(pollutant, period)] = limit
    return stations


def limits_by_id(stations: dict[str, Known]) -> dict[int, dict[tuple[str, str], float]]:
    """Limits keyed by station id (what the batch writer evaluates against)."""
    return {k.id: k.limits for k in stations.values()}
