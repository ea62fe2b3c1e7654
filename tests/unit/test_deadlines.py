"""Working-day arithmetic across the 2025 Spring Festival and its adjusted working days."""

from datetime import date

import pytest

from gisgrid.errors import InvalidInput
from gisgrid.incidents.deadlines import (
    add_working_days,
    is_workday,
    working_days_between,
)


def test_spring_festival_2025_is_skipped():
    # holiday 28 Jan – 4 Feb 2025; Sunday 26 Jan and Saturday 8 Feb are adjusted working days
    assert add_working_days(date(2025, 1, 27), 1) == date(2025, 2, 5)
    assert add_working_days(date(2025, 1, 24), 1) == date(2025, 1, 26)  # Friday → working Sunday
    assert add_working_days(date(2025, 1, 24), 3) == date(2025, 2, 5)


def test_adjusted_working_saturday_counts():
    assert is_workday(date(2025, 2, 8)) and date(2025, 2, 8).weekday() == 5
    assert add_working_days(date(2025, 2, 7), 1) == date(2025, 2, 8)  # Friday → working Saturday
    assert add_working_days(date(2025, 2, 14), 1) == date(2025, 2, 17)  # an ordinary Saturday does not


def test_fifteen_working_days_transfer_feedback_across_the_holiday():
    # 20 Jan + 15 working days: 21–27 Jan (6 incl. the working Sunday), 5–8 Feb (4), 10–14 Feb (5)
    assert add_working_days(date(2025, 1, 20), 15) == date(2025, 2, 14)
    assert working_days_between(date(2025, 1, 20), date(2025, 2, 14)) == 15


def test_years_without_holiday_data_raise_a_clear_error():
    with pytest.raises(InvalidInput, match="2040"):
        add_working_days(date(2040, 1, 1), 3)
