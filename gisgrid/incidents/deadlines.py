"""Working-day arithmetic with China's official holidays and adjusted working days (调休)."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from gisgrid.errors import InvalidInput

TRANSFER_FEEDBACK_DAYS = 15  # 站前区 移送制度 第四条: feedback within fifteen working days


def is_workday(day: date) -> bool:
    """True on a working day in mainland China (adjusted Saturdays/Sundays included, holidays excluded)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # the package only ships the State Council's holiday notices it knows about
        raise InvalidInput(
            f"节假日数据不包含 {day.year} 年，无法计算工作日；请升级 chinesecalendar (no holiday data for {day.year})"
        ) from None


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
    if days < 0:
        raise InvalidInput("工作日数不能为负 (days must be >= 0)")
    current, left = start, days
    while left:
        current += timedelta(days=1)
        if is_workday(current):
            left -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        count += is_workday(current)
    return count
