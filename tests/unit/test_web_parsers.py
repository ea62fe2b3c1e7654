"""The one day parser behind every ?at= (and other day) parameter."""

from __future__ import annotations

from datetime import date

import pytest

from gisgrid.errors import InvalidInput
from gisgrid.web import parse_day


def test_absent_or_empty_is_none():
    assert parse_day(None) is None and parse_day("") is None


def test_iso_day():
    assert parse_day("2024-02-29") == date(2024, 2, 29)


@pytest.mark.parametrize("raw", ["2024-02-30", "20240101", "2024-W01-1", "yesterday", "2024-1-1", "2024-01-01T00:00"])
def test_anything_else_names_the_parameter(raw):
    with pytest.raises(InvalidInput, match="since"):
        parse_day(raw, "since")
