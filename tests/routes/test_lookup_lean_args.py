"""The lookup's lean argument parse accepts exactly what the schema accepts, with the same values; the rest
goes to the schema, so a refusal is the schema's 400 naming the field."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from gisgrid.grids.schemas import PointArgs

ACCEPTED = [
    "lon=116.39&lat=39.9",
    "lon=116&lat=39&near=25&crs=gcj02&at=2026-01-31",
    "x=500000&y=4400000&crs=EPSG:4528",
    "lon=116.39&lat=39.9&x=&at=&unknown=7",  # empty counts as absent; unknown names are ignored
    "lon=116.39&lon=1&lat=39.9",  # the first of repeated values
    "lon=1e2&lat=-0.5&near=0",
]
REFUSED = [
    "lat=39.9",
    "x=1&lon=116&lat=39",
    "lon=abc&lat=39.9",
    "lon=nan&lat=39.9",
    "lon=inf&lat=1",
    "lon=true&lat=1",
    "lon=116&lat=39&near=-1",
    "lon=116&lat=39&near=1e9",
    "lon=116&lat=39&at=20260131",
    "lon=116&lat=39&crs=" + "x" * 41,
    "lon=&lat=39",
    "",
]


def _args(query: str) -> MultiDict:
    return MultiDict([tuple(pair.split("=", 1)) for pair in query.split("&") if pair])


@pytest.mark.parametrize("query", ACCEPTED)
def test_the_lean_parse_gives_what_the_schema_gives(app, query):
    with app.test_request_context(f"/api/v1/lookup?{query}"):
        from flask import request

        assert PointArgs.lean_request(request.args) == PointArgs().load(
            {k: request.args[k] for k in request.args if k in PointArgs().fields}
        )


@pytest.mark.parametrize("query", REFUSED)
def test_what_the_lean_parse_refuses_gets_the_schemas_400(app, client, query):
    with app.test_request_context(f"/api/v1/lookup?{query}"):
        assert PointArgs.lean_request(_args(query)) is None
    answer = client.get(f"/api/v1/lookup?{query}")
    assert answer.status_code == 400 and answer.json["error"]["code"] == "invalid_input"
    field = answer.json["error"]["message"].split(":")[0]
    assert field in {"lon", "lat", "x", "y", "near", "at", "crs"}
