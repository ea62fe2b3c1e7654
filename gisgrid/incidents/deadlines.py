"""Working-day arithmetic with China's official holidays and adjusted working days (调休)."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar

from gisgrid.errors import InvalidInput

TRANSFER_FEEDBACK_DAYS = 15  # 站前区 移送制度 第四条: feedback within fifteen working days

# the operator's holiday file (GISGRID_HOLIDAYS_FILE, loaded by use_holiday_file at app start): year → the
# days its State Council notice names, True for an adjusted working day (班), False for a holiday (休)
_NOTICES: dict[int, dict[date, bool]] = {}
_KINDS = {"holiday": False, "休": False, "workday": True, "班": True}


def is_workday(day: date) -> bool:
    """True on a working day in mainland China (adjusted Saturdays/Sundays included, holidays excluded)."""
    notice = _NOTICES.get(day.year)
    if notice is not None:  # a year of the operator's file: its days, else Monday to Friday
        return notice.get(day, day.weekday() < 5)
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # the package only ships the State Council's holiday notices it knows about
        raise InvalidInput(
            f"节假日数据不包含 {day.year} 年，无法计算工作日：请把国务院该年节假日安排填入 GISGRID_HOLIDAYS_FILE"
            f"或升级 chinesecalendar (no holiday data for {day.year}: add it to GISGRID_HOLIDAYS_FILE)"
        ) from None


def use_holiday_file(path: str | None) -> None:
    """Use the years of the operator's holiday file (none: chinesecalendar's only); InvalidInput names a bad line."""
    notices = read_holiday_file(path) if path else {}
    _NOTICES.clear()
    _NOTICES.update(notices)


def read_holiday_file(path: str) -> dict[int, dict[date, bool]]:
    """``date,kind`` lines (kind: holiday/休 or workday/班; ``#`` comments) → year → {day: is a working day}."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidInput(f"节假日文件无法读取 (holiday file {path}: {err})") from None
    notices: dict[int, dict[date, bool]] = {}
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
            continue
        day, working = _notice_line(path, number, row)
        days = notices.setdefault(day.year, {})
        if days.get(day, working) != working:
            raise InvalidInput(
                f"节假日文件第 {number} 行与前文矛盾 (holiday file {path}, line {number}: {day} given twice)"
            )
        days[day] = working
    return notices


def _notice_line(path: str, number: int, row: list[str]) -> tuple[date, bool]:
    where = f"holiday file {path}, line {number}"
    if len(row) != 2:
        raise InvalidInput(f"节假日文件第 {number} 行应为“日期,类别” ({where}: expected date,kind)")
    try:
        day = date.fromisoformat(row[0].strip())
    except ValueError:
        raise InvalidInput(f"节假日文件第 {number} 行日期无效 ({where}: {row[0]!r} is not YYYY-MM-DD)") from None
    kind = row[1].strip().lower()
    if kind not in _KINDS:
        raise InvalidInput(
            f"节假日文件第 {number} 行类别无效 ({where}: kind {row[1]!r} is not holiday/休 or workday/班)"
        )
    return day, _KINDS[kind]


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
