"""Evaluation and report periods: a kind (year, half_year, quarter, month), a year and a number → days and label."""

from __future__ import annotations

import calendar
from datetime import date

from gisgrid.errors import InvalidInput

KINDS = ("year", "half_year", "quarter", "month")
_MONTHS = {"year": 12, "half_year": 6, "quarter": 3, "month": 1}
KIND_LABELS = {"year": "年度", "half_year": "半年", "quarter": "季度", "month": "月度"}


def count(kind: str) -> int:
    """How many periods of ``kind`` a year has."""
    return 12 // _MONTHS[kind]


def bounds(kind: str, year: int, number: int = 1) -> tuple[date, date]:
    """First and last day of period ``number`` (1-based) of ``kind`` in ``year``; 400 naming the bad part."""
    if kind not in KINDS:
        raise InvalidInput(f"period: {kind!r} 不是 {', '.join(KINDS)} 之一", {"period": ["unknown period kind"]})
    if not 2000 <= year <= 2100:
        raise InvalidInput("year: 年份应在 2000–2100 (year out of range)", {"year": ["out of range"]})
    if not 1 <= number <= count(kind):
        raise InvalidInput(f"number: {kind} 的序号应为 1–{count(kind)}", {"number": ["out of range"]})
    first = (number - 1) * _MONTHS[kind] + 1
    last = first + _MONTHS[kind] - 1
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def label(kind: str, year: int, number: int = 1) -> str:
    """The Chinese name of the period: 2025年度, 2025年上半年, 2025年第3季度, 2025年3月."""
    if kind == "year":
        return f"{year}年度"
    if kind == "half_year":
        return f"{year}年{'上' if number == 1 else '下'}半年"
    if kind == "quarter":
        return f"{year}年第{number}季度"
    return f"{year}年{number}月"


def previous(kind: str, day: date) -> tuple[int, int]:
    """(year, number) of the last complete period of ``kind`` before ``day``."""
    per = _MONTHS[kind]
    index = (day.year * 12 + day.month - 1) // per - 1  # periods since year 0, minus the current one
    months = index * per
    return months // 12, (months % 12) // per + 1
