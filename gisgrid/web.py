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
