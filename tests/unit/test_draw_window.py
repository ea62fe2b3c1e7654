"""虎林's 双随机 timing: the next quarter's list is drawn in the last 5 working days of the quarter before."""

from __future__ import annotations

from datetime import date

import pytest

from gisgrid.errors import InvalidInput
from gisgrid.sources import schedule


def test_a_draw_made_in_december_is_for_the_first_quarter_of_next_year():
    assert schedule.next_quarter(date(2026, 12, 5)) == "2027Q1"
    assert schedule.next_quarter(date(2026, 3, 31)) == "2026Q2"
    assert schedule.next_quarter(date(2026, 7, 1)) == "2026Q4"


def test_the_window_is_the_last_five_working_days_of_the_quarter_before():
    # 2026-12-25 (Fri) … 2026-12-31 (Thu): 25, 28, 29, 30, 31; the weekend 26/27 does not count
    assert schedule.draw_window("2027Q1") == (date(2026, 12, 25), date(2026, 12, 31))
    assert schedule.draw_window("2026Q2") == (date(2026, 3, 25), date(2026, 3, 31))


def test_a_holiday_moves_the_window_earlier():
    # 中秋节 2026-09-25..27 is a holiday: the five working days are 23, 24, 28, 29, 30 September
    assert schedule.draw_window("2026Q4") == (date(2026, 9, 23), date(2026, 9, 30))
    assert not schedule.in_window("2026Q4", date(2026, 9, 25))  # inside the dates, but a holiday is no draw day
    assert schedule.in_window("2026Q4", date(2026, 9, 23))
    assert not schedule.in_window("2026Q4", date(2026, 9, 22))


def test_an_adjusted_working_sunday_counts():
    # 2025-09-28 was a Sunday made a working day (调休) before 国庆: the window is 25, 26, 28, 29, 30 September
    assert schedule.draw_window("2025Q4") == (date(2025, 9, 25), date(2025, 9, 30))


def test_inside_the_window_no_reason_is_needed():
    assert schedule.check_timing("2027Q1", date(2026, 12, 28), None) is None
    assert schedule.check_timing("2027Q1", date(2026, 12, 28), "  提前公布 ") == "提前公布"


@pytest.mark.parametrize(
    "quarter, today",
    [
        ("2027Q1", date(2026, 12, 24)),  # the day before the window
        ("2027Q1", date(2027, 1, 4)),  # after the quarter began
        ("2026Q4", date(2026, 12, 28)),  # the current quarter, in another quarter's window
        ("2027Q2", date(2026, 12, 28)),  # two quarters ahead
    ],
)
def test_outside_the_window_a_reason_is_required_and_kept(quarter, today):
    with pytest.raises(InvalidInput) as err:
        schedule.check_timing(quarter, today, "   ")
    assert err.value.message.startswith("override_reason:") and err.value.details == {"field": "override_reason"}
    assert schedule.check_timing(quarter, today, "系统故障，延后抽取") == "系统故障，延后抽取"
