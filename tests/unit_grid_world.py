"""World A/B with 重点监管单元网格 (overlay unit grids), for the unit-grid tests.

y=1000 +---------A1 --------+---- A2 ...
       |  A1a      |  A1b   |
       |      +---U1---+    |      U1 = [420,700]x[420,700]: designated by 甲一镇 (A1, level 2),
       |      |    |   |    |      crossing the village line x=500 between A1a and A1b
       |      +----+---+    |
y=0    +-----------+--------+      U2 = [1200,1400]x[100,300]: designated by 甲县 (A, level 1), inside A2a
"""

from __future__ import annotations

import geopandas as gpd

from tests import worlds
from tests.worlds import sq

U1_INSIDE_A1A = (450, 600)  # world metres: in U1 and in village A1a
U1_INSIDE_A1B = (650, 600)  # in U1 and in village A1b
A1A_OUTSIDE_UNITS = (100, 900)  # in A1a, in no unit grid
U2_INSIDE = (1300, 200)


def unit(code, name, level, parent, geom, **extra):
    """A unit grid row: the grid attributes plus kind = unit; both phones private unless told."""
    row = worlds.grid(code, name, level, parent, geom)
    row.update(leader_phone="199-1111-0001", leader_phone_public=False, contact_phone="199-1111-0002")
    row.update(contact_phone_public=False, kind="unit")
    row.update(extra)
    return row


def unit_rows():
    """U1 crossing two villages (designated by township A1), U2 designated by the county A."""
    return [
        unit("A1-U1", "甲一镇化工园重点监管单元", 2, "A1", sq(420, 420, 700, 700), entity="甲一镇人民政府"),
        unit("A-U2", "甲县水源地重点监管单元", 1, "A", sq(1200, 100, 1400, 300), contact_phone_public=True),
    ]


def world_ab_units_frame(rows=None):
    """World A/B (kind = grid) plus ``rows`` (default: unit_rows()) as one frame in EPSG:4528."""
    grids = [{**row, "kind": "grid"} for row in worlds.world_ab_rows()]
    return gpd.GeoDataFrame(grids + (unit_rows() if rows is None else rows), geometry="geometry", crs=worlds.PROJECTED)


def import_world(session, tmp_path, rows=None, publish=True):
    """Import and publish world A/B with unit grids; returns the ImportResult."""
    from gisgrid.grids import service

    path = worlds.write(world_ab_units_frame(rows), tmp_path / "ab_units.gpkg")
    return service.import_file(session, path, publish=publish)
