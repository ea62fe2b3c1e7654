"""A/B/C supervision rules and inspection due dates: pure functions, no database."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from gisgrid.clock import CHINA_TZ, today_in_china  # noqa: F401  (re-exported for the sources domain)

CLASS_LABELS = {"A": "A类（简化监管）", "B": "B类（常规监管）", "C": "C类（重点监管）"}
DEFAULT_INTERVAL_MONTHS = {"A": 12, "B": 3, "C": 1}
VIOLATION_YEARS = 3
DUE_SOON_DAYS = 14


@dataclass(frozen=True)
class Classification:
    """The class a source must have and why."""

    supervision_class: str
    reason: str


def add_years(day: date, years: int) -> date:
    """``day`` moved by whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def violation_is_recent(last_violation: date | None, today: date) -> bool:
    """True when a violation was recorded within the last three years (the day three years ago counts)."""
    return last_violation is not None and add_years(today, -VIOLATION_YEARS) <= last_violation <= today


def classify(
    *,
    key_source: bool,
    large_polluter: bool,
    last_violation: date | None,
    today: date,
    requested: str | None = None,
    requested_reason: str | None = None,
) -> Classification:
    """The class of a source: C is forced by the rules; otherwise the requested A/B (default B) stands.

    The seeds' C class ("重点监管") covers national/provincial key sources, large polluters and
    sources with a violation within three years; a person may strengthen any source to C, but
    may not relax a source the rules put in C.
    """
    forced = []
    if key_source:
        forced.append("国家/省级重点排污单位")
    if large_polluter:
        forced.append("排污量大")
    if violation_is_recent(last_violation, today):
        forced.append(f"三年内有违法记录（{last_violation.isoformat()}）")
    if forced:
        return Classification("C", "；".join(forced))
    if requested in ("A", "B", "C"):
        return Classification(requested, requested_reason or f"人工定级为{CLASS_LABELS[requested]}")
    return Classification("B", "默认常规监管")


def next_due(base: date, interval_months: int) -> date:
    """The day the next inspection is due: ``interval_months`` after the last inspection (or registration)."""
    return add_months(base, interval_months)


def due_status(due: date, today: date, soon_days: int = DUE_SOON_DAYS) -> str:
    """'overdue' after the due day, 'due_soon' within ``soon_days`` of it, otherwise 'ok'."""
    if due < today:
        return "overdue"
    if (due - today).days <= soon_days:
        return "due_soon"
    return "ok"


def quarter_of(day: date) -> str:
    """The quarter label of a day, e.g. 2026Q4."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"
