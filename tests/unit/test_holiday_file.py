"""GISGRID_HOLIDAYS_FILE: the operator enters the State Council's holiday notice of a year chinesecalendar does
not know yet (1.11.0 stops at 2026), so deadlines that run into that year can still be counted."""

from datetime import date

import pytest

from gisgrid.deployment.profile import ProfileError
from gisgrid.errors import InvalidInput
from gisgrid.incidents import deadlines

# an illustrative notice for 2027 (not the real one): New Year's Day off, a Sunday worked, Spring Festival days off
NOTICE_2027 = """# 2027 节假日安排 (test data)
2027-01-01,holiday
2027-02-06,休
2027-02-08,holiday
2027-02-07,班
"""


@pytest.fixture()
def holidays(tmp_path):
    """Write a holiday file and load it; chinesecalendar alone again afterwards."""

    def load(text: str):
        path = tmp_path / "holidays.csv"
        path.write_text(text, encoding="utf-8")
        deadlines.use_holiday_file(str(path))
        return path

    yield load
    deadlines.use_holiday_file(None)


def test_a_year_chinesecalendar_lacks_is_refused_with_the_setting_named():
    with pytest.raises(InvalidInput, match="GISGRID_HOLIDAYS_FILE"):
        deadlines.add_working_days(date(2026, 12, 30), 3)


def test_a_deadline_runs_into_the_years_of_the_file(holidays):
    holidays(NOTICE_2027)
    # 31 Dec (chinesecalendar), 1 Jan off (the file), 2–3 Jan weekend, 4 and 5 Jan Monday and Tuesday
    assert deadlines.add_working_days(date(2026, 12, 30), 3) == date(2027, 1, 5)
    assert deadlines.is_workday(date(2027, 2, 7))  # a Sunday the notice makes a working day
    assert not deadlines.is_workday(date(2027, 2, 8))  # a Monday it makes a holiday
    assert deadlines.is_workday(date(2027, 3, 3)) and not deadlines.is_workday(date(2027, 3, 6))  # unlisted: weekdays
    assert deadlines.working_days_between(date(2027, 2, 5), date(2027, 2, 9)) == 2  # Sun 7th and Tue 9th
    with pytest.raises(InvalidInput):
        deadlines.is_workday(date(2028, 1, 3))  # a year in neither


def test_the_years_chinesecalendar_knows_are_not_replaced_unless_listed(holidays):
    holidays(NOTICE_2027)
    assert not deadlines.is_workday(date(2026, 10, 1))  # National Day 2026, from chinesecalendar


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2027-01-01\n", "line 1: expected date,kind"),
        ("# notice\n2027-13-01,holiday\n", "line 2: '2027-13-01' is not YYYY-MM-DD"),
        ("2027-01-01,day off\n", "line 1: kind 'day off'"),
        ("2027-01-01,holiday\n2027-01-01,workday\n", "line 2: 2027-01-01 given twice"),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_loaded(holidays, text, problem):
    holidays(NOTICE_2027)
    with pytest.raises(InvalidInput, match=problem):
        holidays(text)
    assert not deadlines.is_workday(date(2027, 1, 1))  # the good file loaded before still holds


def test_the_app_refuses_to_start_on_a_bad_file_and_loads_a_good_one(tmp_path, holidays):
    from gisgrid import create_app

    bad = tmp_path / "bad.csv"
    bad.write_text("2027-01-01,maybe\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="GISGRID_HOLIDAYS_FILE: .*line 1"):
        create_app({"TESTING": True, "HOLIDAYS_FILE": str(bad)})
    good = holidays(NOTICE_2027)
    deadlines.use_holiday_file(None)
    create_app({"TESTING": True, "HOLIDAYS_FILE": str(good)})
    assert deadlines.add_working_days(date(2026, 12, 30), 3) == date(2027, 1, 5)
