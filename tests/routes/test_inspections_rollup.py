"""Overdue counts per grid roll up along the grid code chain on the overdue page and its JSON (world A/B)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from gisgrid.sources import rules, service
from gisgrid.sources.models import PollutionSource
from tests import worlds
from tests.helpers import login

# code, (x, y) in world metres, overdue?   (class B: due 3 months after registration)
SOURCES = (
    ("O1", (100, 100), True),
    ("O2", (700, 500), True),
    ("O3", (800, 800), True),
    ("O4", (300, 300), True),
    ("O5", (3500, 500), True),
    ("K1", (1500, 500), False),
)


@pytest.fixture()
def sources_ab(session, world_ab, tmp_path):
    rows = "code,name,kind,lon,lat,class\n" + "\n".join(
        f"{c},示例·{c},enterprise,{lon!r},{lat!r},B" for c, xy, _ in SOURCES for lon, lat in [worlds.wgs84(*xy)]
    )
    (tmp_path / "s.csv").write_text(rows, encoding="utf-8")
    service.import_file(session, str(tmp_path / "s.csv"), by="t")
    long_ago = rules.today_in_china() - timedelta(days=200)
    session.execute(update(PollutionSource).where(PollutionSource.code.like("O%")).values(registered_on=long_ago))
    session.commit()


def counts(client):
    data = client.get("/api/v1/inspections/due").json
    return {g["grid_code"]: (g["overdue"], g["ok"]) for g in data["by_grid"]}, data


def test_a_county_and_a_township_see_the_sum_of_their_children(client, sources_ab, make_user):
    make_user("admin", username="boss")
    login(client, "boss")
    got, data = counts(client)
    assert got == {
        "A": (4, 1),
        "A1": (3, 0),
        "A1a": (1, 0),
        "A1b": (2, 0),
        "A2": (1, 1),
        "A2a": (0, 1),
        "A2b": (1, 0),
        "B": (1, 0),
    }
    assert len(data["overdue"]) == 5
    html = client.get("/inspections/overdue").get_data(as_text=True)
    row = re.search(r'<tr data-code="A1" data-depth="2" class="rollup">(.*?)</tr>', html, re.S).group(1)
    assert "甲一镇（合计）" in row and re.findall(r"<td[^>]*>(\d+)</td>", row) == ["3", "0", "0"]


def test_a_township_leader_sees_its_own_total_but_no_partial_county_total(client, sources_ab, make_user):
    make_user("grid_leader", grids=["A1"], username="lead_a1")
    login(client, "lead_a1")
    got, _ = counts(client)
    assert got == {"A1": (3, 0), "A1a": (1, 0), "A1b": (2, 0)}
    html = client.get("/inspections/overdue").get_data(as_text=True)
    assert 'data-code="A1"' in html and 'data-code="A"' not in html


def test_the_overdue_map_gets_every_grid_level_and_each_source_s_chain(client, sources_ab, make_user):
    make_user("admin", username="boss")
    login(client, "boss")
    body = client.get("/api/v1/sources.geojson?levels=all").json
    assert {(g["properties"]["code"], g["properties"]["level"]) for g in body["grids"]["features"]} >= {
        ("A", 1),
        ("A1", 2),
        ("A1a", 3),
        ("B", 1),
    }
    chains = {f["properties"]["code"]: f["properties"]["grid_codes"] for f in body["features"]}
    assert chains["O2"] == ["A", "A1", "A1b"] and chains["O5"] == ["B"]
    deepest = client.get("/api/v1/sources.geojson").json["grids"]["features"]
    assert {g["properties"]["level"] for g in deepest} == {3}
    assert "levels=all" in client.get("/inspections/overdue").get_data(as_text=True)
