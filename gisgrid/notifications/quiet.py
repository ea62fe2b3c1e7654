"""Quiet hours (China time): e-mail and SMS are held until they end; in-app rows are never held."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from gisgrid.clock import CHINA_TZ


def parse(text: str) -> tuple[time, time] | None:
    """``"22:00-07:00"`` → (22:00, 07:00); empty → None; anything else raises ValueError."""
    if not (text or "").strip():
        return None
    start, _, end = text.partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def hold_until(moment: datetime, start: time | None, end: time | None) -> datetime | None:
    """When the quiet hours around ``moment`` end, or None if ``moment`` is not in quiet hours.

    ``start`` > ``end`` spans midnight (22:00–07:00); equal times mean no quiet hours.
    """
    if start is None or end is None or start == end:
        return None
    local = moment.astimezone(CHINA_TZ)
    clock = local.time().replace(tzinfo=None)
    overnight = start > end
    quiet = (clock >= start or clock < end) if overnight else (start <= clock < end)
    if not quiet:
        return None
    day = local.date() + timedelta(days=1) if overnight and clock >= start else local.date()
    return datetime.combine(day, end, CHINA_TZ)
