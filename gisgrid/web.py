"""Request-argument parsing shared by blueprints (InvalidInput on nonsense)."""
from __future__ import annotations

from datetime import date

from flask import request

from gisgrid.errors import InvalidInput


def at_day() -> date | None:
    """``?at=YYYY-MM-DD`` → a date (None when absent): the day whose published version is wanted."""
    raw = request.args.get("at")
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"参数 at 应为 YYYY-MM-DD 日期，收到 {raw!r} (at must be YYYY-MM-DD)") from None


def bbox(raw: str | None) -> tuple[float, float, float, float]:
    """``w,s,e,n`` in WGS84 degrees → a tuple, or InvalidInput (missing, not four numbers, out of range)."""
    try:
        w, s, e, n = (float(v) for v in (raw or "").split(","))
    except ValueError:
        raise InvalidInput("参数 bbox 应为 w,s,e,n 四个数字 (bbox must be w,s,e,n)") from None
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        raise InvalidInput("参数 bbox 超出范围 (bbox out of range)")
    return w, s, e, n
