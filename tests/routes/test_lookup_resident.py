"""Single lookups answered from memory (grids/resident.py) give exactly lookup.sql's answers.

Every point of a dense lattice over the test worlds (edges, vertices, holes, outside, unit grids) is
looked up twice through the same service: from memory and from PostGIS; the documents must be equal.
"""

import copy
import json

import numpy as np
import pytest
import shapely

from gisgrid.db import db
from gisgrid.errors import NotFound
from gisgrid.grids import queries, resident, service, versions
from tests import unit_grid_world, worlds


def _answer(memory, lon, lat, radius=30.0, at=None):
    """The lookup document (parsed) or ("404", details) for a point."""
    try:
        return json.loads(service.lookup(db.read, lon, lat, None, radius, at, memory))
    except NotFound as err:
        return ("404", err.details)


def _lattice(x0, y0, x1, y1, n):
    # includes the exact edges and vertices of the worlds (whole multiples of the step)
    return [(x, y) for x in np.linspace(x0, x1, n) for y in np.linspace(y0, y1, n)]


def _memory(app, session):
    with app.app_context():
        version = versions.published(session)
        return resident.build(session, version)


def _compare(app, session, points, radius=30.0):
    """(points compared, points memory answered itself); fails on the first disagreement."""
    memory, own = _memory(app, session), 0
    with app.test_request_context():
        for lon, lat in points:
            own += memory.answer(lon, lat, radius) is not None
            assert _answer(memory, lon, lat, radius) == _answer(None, lon, lat, radius), (lon, lat)
    return len(points), own


def test_world_ab_memory_equals_sql_on_a_lattice(app, session, world_ab):
    points = [worlds.wgs84(x, y) for x, y in _lattice(-250, -250, 4250, 1250, 19)]
    compared, own = _compare(app, session, points)
    # most points are far from any other grid: memory answers them, the rest went to SQL and still agree
    assert compared == 361 and own > 200


def test_edges_and_ties_memory_equals_sql(app, session, world_e):
    # world E: shared edges at whole multiples of 0.005°, points exactly on edges and corners
    points = _lattice(115.995, 38.995, 116.025, 39.015, 13)
    compared, own = _compare(app, session, points, radius=0.0)
    assert compared == 169 and own > 0


def test_unit_grids_memory_equals_sql(app, session, tmp_path):
    unit_grid_world.import_world(session, tmp_path)
    points = [worlds.wgs84(x, y) for x, y in _lattice(0, 0, 2000, 1000, 21)]
    compared, own = _compare(app, session, points)
    assert compared == 441 and own > 100
    memory = _memory(app, session)
    with app.test_request_context():
        with_units = [p for p in points if memory.answer(*p, 30.0) and memory.answer(*p, 30.0)["unit_grids"] != "[]"]
    assert with_units, "the lattice must reach the unit grids"


def test_a_point_near_another_grid_goes_to_the_database(app, session, world_ab):
    memory = _memory(app, session)
    west = worlds.wgs84(999.5, 500)  # half a metre from A2a
    far = worlds.wgs84(750, 500)
    with app.test_request_context():
        assert memory.answer(*west, 30.0) is None
        assert memory.answer(*far, 30.0) is not None
        assert memory.answer(*far, 600.0) is None  # a wide ?near= reaches the neighbours


def test_history_lookup_ignores_memory(app, client, session, world_ab):
    lon, lat = worlds.wgs84(100, 100)
    day = versions.published(session).published_at.date()
    body = client.get("/api/v1/lookup", query_string={"lon": lon, "lat": lat, "at": day.isoformat()}).json
    assert [g["code"] for g in body["chain"]] == ["A", "A1", "A1a"]


@pytest.mark.parametrize("radius", [0.0, 30.0, 1000.0])
def test_outside_every_grid_same_404(app, session, world_ab, radius):
    memory = _memory(app, session)
    lon, lat = worlds.wgs84(2500, 500)
    with app.test_request_context():
        assert _answer(memory, lon, lat, radius) == _answer(None, lon, lat, radius)
        assert _answer(memory, lon, lat, radius)[0] == "404"


@pytest.mark.parametrize("world", ["world_ab", "world_e", "units"])
def test_cells_answer_as_the_tree_does(app, session, tmp_path, request, world):
    """Where the batch cells prove no boundary is near (``_clear_leaf``), the answer is the STRtree path's."""
    if world == "units":
        unit_grid_world.import_world(session, tmp_path)
    else:
        request.getfixturevalue(world)
    memory = _memory(app, session)
    tree_only = copy.copy(memory)
    tree_only.parts = copy.copy(memory.parts)
    tree_only.parts.cells = None  # the same version, every point through the STRtree
    x0, y0, x1, y1 = shapely.total_bounds(memory.tree.geometries)
    rng = np.random.default_rng(25)
    lons, lats = rng.uniform(x0, x1, 4000), rng.uniform(y0, y1, 4000)
    cleared = 0
    for lon, lat, radius in zip(lons, lats, rng.choice([0.0, 5.0, 30.0], 4000)):
        cleared += memory._clear_leaf(lon, lat, queries.radius_in_degrees(radius, lat)) is not None
        assert memory.answer(lon, lat, radius) == tree_only.answer(lon, lat, radius), (lon, lat, radius)
    assert cleared > 400, "the cells must prove most interior points of the world"
