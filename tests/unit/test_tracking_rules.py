"""The engine's rules: default deadlines per priority in working days, escalation deadlines, config parsing."""

from __future__ import annotations

from datetime import date

import pytest

from gisgrid.errors import InvalidInput
from gisgrid.incidents.deadlines import add_working_days
from gisgrid.tracking.rules import DEFAULT_DUE_DAYS, Rules, check_priority, deadlines_passed, from_config


def test_default_due_dates_count_chinese_working_days():
    # 2026-09-30 (Wed): the National Day holiday follows; 迅速督办's 3 working days skip it
    rules = Rules()
    opened = date(2026, 9, 30)
    assert rules.due_for(opened, "rapid") == add_working_days(opened, 3)
    assert rules.due_for(opened, "rapid") > date(2026, 10, 8)  # 1–8 October are holidays
    assert rules.due_for(opened, "regular") == add_working_days(opened, DEFAULT_DUE_DAYS["regular"])


def test_deadlines_passed_are_due_then_every_step_working_days():
    due = date(2026, 11, 2)  # Monday
    assert deadlines_passed(due, due, 5, 3) == []  # not yet late on the due day itself
    assert deadlines_passed(due, date(2026, 11, 3), 5, 3) == [due]
    second = add_working_days(due, 5)
    assert second == date(2026, 11, 9)
    assert deadlines_passed(due, second, 5, 3) == [due]  # the second deadline is reached, not passed
    assert deadlines_passed(due, date(2026, 11, 10), 5, 3) == [due, second]
    # capped at the levels there are above the owner
    assert len(deadlines_passed(due, date(2027, 1, 1), 5, 2)) == 2


def test_config_parsing_names_the_bad_setting():
    rules = from_config({"TRACKING_ESCALATION_STEP_DAYS": 3, "TRACKING_DUE_DAYS": ("rapid:2", "full:20")})
    assert rules.step_days == 3 and rules.due_days == {"full": 20, "rapid": 2, "regular": 10}
    with pytest.raises(ValueError, match="TRACKING_DUE_DAYS"):
        from_config({"TRACKING_DUE_DAYS": ("urgent:2",)})
    with pytest.raises(ValueError, match="STEP_DAYS"):
        from_config({"TRACKING_ESCALATION_STEP_DAYS": 0})


def test_unknown_priority_is_400_naming_the_field():
    assert check_priority("full") == "full"
    with pytest.raises(InvalidInput, match="priority"):
        check_priority("asap")
