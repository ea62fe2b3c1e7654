"""When a 双随机 draw may run: 虎林 "在每季度结束前5个工作日内…确定下一季度被抽查排污单位名单".

A draw names the quarter it is for (the *next* quarter). It runs inside the window, the last
``WINDOW_WORKING_DAYS`` Chinese working days of the quarter before it (holidays and 调休 from
``chinesecalendar`` via incidents.deadlines). Outside that window, or for any other quarter, the
draw needs an explicit override with a reason, which is stored and published with it.
"""

from __future__ import annotations

from datetime import date, timedelta

from gisgrid.errors import InvalidInput
from gisgrid.incidents.deadlines import is_workday
from gisgrid.sources.rules import quarter_of

# Module default until the deployment profile carries it (虎林 seed 000: 每季度结束前5个工作日内).
WINDOW_WORKING_DAYS = 5


def _split(quarter: str) -> tuple[int, int]:
    return int(quarter[:4]), int(quarter[-1])


def next_quarter(day: date) -> str:
    """The quarter after the one ``day`` falls in: the quarter a draw made on ``day`` is for."""
    year, q = _split(quarter_of(day))
    return f"{year + 1}Q1" if q == 4 else f"{year}Q{q + 1}"


def quarter_start(quarter: str) -> date:
    """The first day of a quarter label (2027Q1 → 2027-01-01)."""
    year, q = _split(quarter)
    return date(year, 3 * q - 2, 1)


def draw_window(quarter: str, working_days: int = WINDOW_WORKING_DAYS) -> tuple[date, date]:
    """First and last day of the window for drawing ``quarter``: the last working days of the quarter before."""
    day, found = quarter_start(quarter) - timedelta(days=1), []
    while len(found) < working_days:
        if is_workday(day):
            found.append(day)
        day -= timedelta(days=1)
    return found[-1], found[0]


def in_window(quarter: str, today: date) -> bool:
    """True when ``today`` is one of the working days of ``quarter``'s window (no override needed).

    A holiday between the window's first and last day is not one of the five working days.
    A window the holiday data does not cover yet is never "inside": such a draw needs a reason.
    """
    window = window_or_none(quarter)
    return bool(window) and window[0] <= today <= window[1] and is_workday(today)


def check_timing(quarter: str, today: date, override_reason: str | None) -> str | None:
    """The stored override reason: None inside the window; outside it a reason is required (400 naming it)."""
    reason = (override_reason or "").strip() or None
    if reason is None and not in_window(quarter, today):
        window = window_or_none(quarter)
        when = f"{window[0].isoformat()} 至 {window[1].isoformat()}" if window else "节假日数据尚未覆盖"
        raise InvalidInput(
            f"override_reason: {quarter} 的抽取应在上季度最后 {WINDOW_WORKING_DAYS} 个工作日内（{when}）进行；"
            f"在此之外抽取须填写理由 (outside the draw window: an override reason is required)",
            {"field": "override_reason"},
        )
    return reason


def window_or_none(quarter: str) -> tuple[date, date] | None:
    """The draw window for showing, or None when the holiday data does not cover it yet."""
    try:
        return draw_window(quarter)
    except InvalidInput:
        return None
