"""The Report value object: validated on construction, every refusal naming the field."""

from __future__ import annotations

import dataclasses

import pytest

from gisgrid.errors import InvalidInput
from gisgrid.incidents.report import Report, from_form, located

GOOD = {"channel": "web", "category": "dust", "description": "工地扬尘", "lon": 116.37, "lat": 39.91}


def _refused(field: str, **changes) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        Report(**{**GOOD, **changes})
    assert refused.value.details == {"field": field}
    assert field in refused.value.message
    return refused.value


def test_a_valid_report_is_normalised_and_frozen():
    report = Report(
        **GOOD, address="  西长安街 1 号 ", reporter_name="", reporter_contact=" 138 ", photos=[("a.png", b"x")]
    )
    assert report.address == "西长安街 1 号" and report.reporter_name is None and report.reporter_contact == "138"
    assert report.photos == (("a.png", b"x"),) and report.client_request_id is None
    assert isinstance(report.lon, float) and report.lon == 116.37
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.description = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    "field, value",
    [
        ("lon", float("nan")),
        ("lat", float("inf")),
        ("lon", -float("inf")),
        ("lon", None),
        ("lat", "39.9"),
        ("lon", True),
    ],
)
def test_non_finite_or_missing_coordinates_are_refused(field, value):
    assert "finite" in _refused(field, **{field: value}).message


@pytest.mark.parametrize("field, value", [("lon", 180.5), ("lat", -90.01)])
def test_coordinates_out_of_range_are_refused(field, value):
    assert "out of range" in _refused(field, **{field: value}).message


@pytest.mark.parametrize(
    "field, limit",
    [
        ("description", 4000),
        ("address", 500),
        ("reporter_name", 100),
        ("reporter_contact", 100),
        ("client_request_id", 100),
        ("category", 50),
    ],
)
def test_too_long_text_is_refused_not_cut(field, limit):
    assert Report(**{**GOOD, field: "字" * limit}) is not None  # exactly at the limit is fine
    _refused(field, **{field: "字" * (limit + 1)})


def test_required_fields_channel_and_photos():
    _refused("description", description="   ")
    _refused("category", category="")
    _refused("channel", channel="fax")
    _refused("photos", photos=[("a.png", "not bytes")])
    _refused("reporter_name", reporter_name=12)


def test_located_converts_and_names_the_channel_field():
    lon, lat = located("116.37", "39.91", "gcj02")
    assert abs(lon - 116.37) < 0.01 and abs(lat - 39.91) < 0.01 and (lon, lat) != (116.37, 39.91)
    with pytest.raises(InvalidInput, match="long"):
        located("east", "39.9", None, x_field="long")
    with pytest.raises(InvalidInput, match="lat"):
        located("116.3", None, None)
    with pytest.raises(InvalidInput, match="finite"):
        located("inf", "39.9", None)
    with pytest.raises(InvalidInput) as bad_crs:
        located("116.3", "39.9", "EPSG:999999")
    assert bad_crs.value.details == {"field": "crs"}


def test_the_web_form_channel_builds_a_report():
    report = from_form(
        {**GOOD, "lon": "116.37", "lat": "39.91", "name": "张三", "contact": "13800000000", "client_request_id": 7},
        [("a.jpg", b"\xff\xd8\xff")],
    )
    assert (report.reporter_name, report.reporter_contact, report.client_request_id) == ("张三", "13800000000", "7")
    assert report.channel == "web" and report.photos == (("a.jpg", b"\xff\xd8\xff"),)
    with pytest.raises(InvalidInput, match="lon"):  # an Open311 name is not the web form's
        from_form({**GOOD, "lon": None, "long": "116.37"})
