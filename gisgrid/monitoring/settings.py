"""The receiver's settings (``GISGRID_MONITOR_*``), read once when ``gisgrid monitor serve`` starts."""

from __future__ import annotations

import os
from dataclasses import dataclass
from zoneinfo import ZoneInfo


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


@dataclass(frozen=True)
class Settings:
    """How the receiver listens, batches, times out and when an exceedance becomes a case."""

    host: str = "127.0.0.1"
    port: int = 9212
    flush_values: int = 2000  # a batch is written when it holds this many values …
    flush_ms: int = 200  # … or this long after its first value
    idle_s: float = 180.0  # a client that sends nothing this long is disconnected
    frame_s: float = 30.0  # a started packet must be complete within this time (slow / half-open clients)
    case_after_values: int = 3  # exceeding values in one episode before a case is opened …
    case_after_minutes: int = 0  # … or minutes since the episode began (0: off)
    gap_check_s: float = 60.0  # how often silent stations are looked for
    registry_s: float = 30.0  # how often the station registry is re-read
    timezone: str = "Asia/Shanghai"  # HJ 212 DataTime is local time without a zone

    @property
    def zone(self) -> ZoneInfo:
        """DataTime's time zone."""
        return ZoneInfo(self.timezone)


def from_env() -> Settings:
    """Settings from GISGRID_MONITOR_* (defaults above)."""
    env = os.environ.get
    return Settings(
        host=env("GISGRID_MONITOR_HOST", "127.0.0.1"),
        port=_int("GISGRID_MONITOR_PORT", 9212),
        flush_values=_int("GISGRID_MONITOR_FLUSH_VALUES", 2000),
        flush_ms=_int("GISGRID_MONITOR_FLUSH_MS", 200),
        idle_s=float(env("GISGRID_MONITOR_IDLE_S", "180")),
        frame_s=float(env("GISGRID_MONITOR_FRAME_S", "30")),
        case_after_values=_int("GISGRID_MONITOR_CASE_AFTER_VALUES", 3),
        case_after_minutes=_int("GISGRID_MONITOR_CASE_AFTER_MINUTES", 0),
        gap_check_s=float(env("GISGRID_MONITOR_GAP_CHECK_S", "60")),
        registry_s=float(env("GISGRID_MONITOR_REGISTRY_S", "30")),
        timezone=env("GISGRID_MONITOR_TZ", "Asia/Shanghai"),
    )
