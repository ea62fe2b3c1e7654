"""A/B/C class rules and inspection due-date arithmetic."""

from datetime import date

import pytest

from gisgrid.sources import rules

TODAY = date(2026, 11, 23)


def test_key_source_or_large_polluter_is_class_c_whatever_was_asked():
    assert (
        rules.classify(
            key_source=True, large_polluter=False, last_violation=None, today=TODAY, requested="A"
        ).supervision_class
        == "C"
    )
    c = rules.classify(key_source=False, large_polluter=True, last_violation=None, today=TODAY, requested="B")
    assert c.supervision_class == "C" and "排污量大" in c.reason


@pytest.mark.parametrize(
    "violation, expected",
    [
        (date(2026, 1, 5), "C"),  # this year
        (date(2023, 11, 23), "C"),  # exactly three years ago still counts
        (date(2023, 11, 22), "A"),  # one day more than three years ago: no longer
        (None, "A"),
        (date(2027, 1, 1), "A"),  # a date in the future is not a recorded violation
    ],
)
def test_violation_within_three_years_forces_c(violation, expected):
    c = rules.classify(key_source=False, large_polluter=False, last_violation=violation, today=TODAY, requested="A")
    assert c.supervision_class == expected


def test_reasons_are_combined_and_default_is_b():
    c = rules.classify(key_source=True, large_polluter=True, last_violation=date(2025, 3, 1), today=TODAY)
    assert c.reason == "国家/省级重点排污单位；排污量大；三年内有违法记录（2025-03-01）"
    assert rules.classify(
        key_source=False, large_polluter=False, last_violation=None, today=TODAY
    ) == rules.Classification("B", "默认常规监管")
    assert (
        rules.classify(
            key_source=False,
            large_polluter=False,
            last_violation=None,
            today=TODAY,
            requested="C",
            requested_reason="群众投诉多",
        ).reason
        == "群众投诉多"
    )


def test_three_years_from_29_february():
    assert rules.add_years(date(2024, 2, 29), -3) == date(2021, 2, 28)
    assert rules.violation_is_recent(date(2021, 2, 28), date(2024, 2, 29))


@pytest.mark.parametrize(
    "base, months, due",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # clamped to the month's end
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # across the year
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 5, 20), 12, date(2027, 5, 20)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
    ],
)
def test_next_due_adds_calendar_months(base, months, due):
    assert rules.next_due(base, months) == due


def test_due_status_boundaries():
    due = date(2026, 12, 7)
    assert rules.due_status(due, date(2026, 11, 22)) == "ok"  # 15 days ahead
    assert rules.due_status(due, date(2026, 11, 23)) == "due_soon"  # 14 days ahead
    assert rules.due_status(due, due) == "due_soon"  # due today is not yet overdue
    assert rules.due_status(due, date(2026, 12, 8)) == "overdue"


def test_quarter_labels():
    assert [rules.quarter_of(date(2026, m, 1)) for m in (1, 3, 4, 9, 10, 12)] == [
        "2026Q1",
        "2026Q1",
        "2026Q2",
        "2026Q3",
        "2026Q4",
        "2026Q4",
    ]
