"""The one finite-number rule (coords.finite_number) and the callers that must agree with it."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from gisgrid.contract.fields import FiniteNumber
from gisgrid.coords import NOT_A_NUMBER, NOT_FINITE, finite_number, parse_bbox
from gisgrid.errors import InvalidInput
from gisgrid.web import finite_number as web_finite_number


@pytest.mark.parametrize("value, expected", [(2, 2.0), (-1.5, -1.5), ("116.37", 116.37), (" 3 ", 3.0), ("1e3", 1000.0)])
def test_numbers_and_numeric_text_are_accepted(value, expected):
    assert finite_number(value) == expected and FiniteNumber().deserialize(value) == expected


@pytest.mark.parametrize(
    "value, why",
    [
        (True, NOT_A_NUMBER),
        (False, NOT_A_NUMBER),
        (None, NOT_A_NUMBER),
        ("abc", NOT_A_NUMBER),
        ([1], NOT_A_NUMBER),
        ("nan", NOT_FINITE),
        (float("inf"), NOT_FINITE),
        ("-Infinity", NOT_FINITE),
        ("1e400", NOT_FINITE),
    ],
)
def test_everything_else_is_refused_with_the_same_reason_everywhere(value, why):
    with pytest.raises(ValueError, match=why.split(" ")[0]):
        finite_number(value)
    with pytest.raises(ValidationError) as field_error:
        FiniteNumber().deserialize(value)
    # a JSON null is marshmallow's to refuse ("Field may not be null.") before any number rule runs
    assert field_error.value.messages == ([why] if value is not None else ["Field may not be null."])
    with pytest.raises(InvalidInput) as web_error:
        web_finite_number(value, "半径", "radius_m")
    assert web_error.value.message == f"半径（radius_m）{why}" and web_error.value.details == {"radius_m": [why]}


@pytest.mark.parametrize("raw", ["1,2,nan,4", "1,2,3,inf", "true,1,2,3", "1,2,3"])
def test_bbox_numbers_follow_the_same_rule(raw):
    with pytest.raises(ValueError, match="w,s,e,n"):
        parse_bbox(raw)


def test_a_good_bbox_and_the_ogc_3d_form():
    assert parse_bbox("116.3,39.9,116.4,40") == (116.3, 39.9, 116.4, 40.0)
    assert parse_bbox("116.3,39.9,0,116.4,40,100") == (116.3, 39.9, 116.4, 40.0)
