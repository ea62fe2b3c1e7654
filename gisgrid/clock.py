"""China's calendar day: one time zone (UTC+8), no daylight saving, whatever the server's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8))


def today_in_china() -> date:
    """Today's date in China (UTC+8), the day staff mean when they say "today"."""
    return datetime.now(CHINA_TZ).date()


def china_date(moment: datetime) -> date:
    """The date in China of an aware timestamp (a case dispatched at 07:30 in Beijing is 23:30 UTC the day before)."""
    return moment.astimezone(CHINA_TZ).date()


def china_iso(moment: datetime | None) -> str | None:
    """An aware timestamp as ISO 8601 in China time (pages and clients in China read it; the offset keeps it exact)."""
    return moment.astimezone(CHINA_TZ).isoformat() if moment else None


def utc_now() -> datetime:
    """Now, aware UTC: the one clock the login rules read (lockout, expiry, idle), so tests can move it."""
    return datetime.now(UTC)
