"""The maps open on the published version's extent (one data block in base.html), not on a fixed county."""

from __future__ import annotations

import json
import re

import pytest

from gisgrid.grids import service
from tests import worlds
from tests.map_worlds import XINJIANG, world_x_frame

_BLOCK = re.compile(r'<script type="application/json" id="gisgrid-map-view">(.*?)</script>', re.S)
MAP_PAGES = ("/", "/report")  # public map pages; staff map pages use the same block (base.html)


def _view(client, url: str) -> dict:
    resp = client.get(url)
    assert resp.status_code == 200
    blocks = _BLOCK.findall(resp.get_data(as_text=True))
    assert len(blocks) == 1, f"{url} has {len(blocks)} map-view blocks"
    return json.loads(blocks[0])


def _flat(view: dict) -> list[float]:
    # ST_Extent's box is single precision (rounded outwards): 1e-4 degrees is ~10 m
    (south, west), (north, east) = view["bounds"]
    return [south, west, north, east]


def test_nothing_published_opens_a_national_view(client):
    for url in MAP_PAGES:
        view = _view(client, url)
        assert view["published"] is False and "bounds" not in view
        lat, lon = view["center"]
        assert 18 < lat < 54 and 73 < lon < 135 and view["zoom"] <= 5  # mainland China, not one county


def test_world_ab_opens_on_its_extent(client, world_ab):
    west, south, east, north = worlds.world_ab_frame().to_crs("EPSG:4326").total_bounds
    for url in MAP_PAGES:
        view = _view(client, url)
        assert view["published"] is True
        assert _flat(view) == pytest.approx([south, west, north, east], abs=1e-4)


def test_a_county_in_xinjiang_opens_in_xinjiang(client, session, tmp_path):
    service.import_file(session, worlds.write(world_x_frame(), tmp_path / "x.gpkg"), publish=True)
    west, south, east, north = XINJIANG
    for url in MAP_PAGES:
        assert _flat(_view(client, url)) == pytest.approx([south, west, north, east], abs=1e-4)


def test_pages_without_a_map_have_no_block(client):
    html = client.get("/report/status").get_data(as_text=True)
    assert 'id="gisgrid-map-view"' not in html


def test_no_script_hard_codes_a_map_centre():
    from pathlib import Path

    js = Path(__file__).resolve().parents[2] / "gisgrid" / "static" / "js"
    scripts = sorted(js.glob("*.js"))
    assert len(scripts) > 10  # the map scripts are there (the test must not pass on a wrong path)
    for path in scripts:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"setView\(\s*\[\s*-?\d", text), f"{path.name} hard-codes a map centre"
