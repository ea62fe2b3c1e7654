"""World "J": a province, two counties, townships and villages, with an exclave, for jurisdiction tests.

Drawn in EPSG:4528 metres like world A/B (same origin), 2 km tall::

    x:  0      750    1500    2250    3000          4500          6000
        +-------+-------+-------+-------+-------------+-------------+  y=2000
        | V111  | V112  | V121  | V122  |             |    V222     |
        |       |  +--+ |       |       |     T21     +-------------+  y=1000
        |       |  |X | |       |       | (township,  |    V221     |
        |       |  +--+ |       |       |  no villages)             |
        +-------+-------+-------+-------+-------------+-------------+  y=0
        |<-- T11 ------>|<-- T12 ------>|<--- T21 --->|<--- T22 --->|
        |<------------ C1 ------------->|<----------- C2 ---------->|
        |<----------------------------- P ------------------------->|

X = [1000,1200]×[800,1000] is an exclave of V122 (so of T12 and C1) inside V112.
Levels: P 1 (province), C 2 (county), T 3 (township/street), V 4 (village/community).
T21 is a leaf at level 3 next to level-4 villages: grids with jurisdiction can sit at different levels.
The river "甲河" (sample data) flows west to east along y=1500 in three reaches (joined end to start).
"""

from __future__ import annotations

import geopandas as gpd
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon

from tests.worlds import PROJECTED, grid, sq, wgs84

EXCLAVE = (1000, 800, 1200, 1000)


def world_j_rows():
    """The grid rows of world J (parents are unions of their children)."""
    hole = sq(*EXCLAVE)
    v111, v121 = sq(0, 0, 750, 2000), sq(1500, 0, 2250, 2000)
    v112 = Polygon(sq(750, 0, 1500, 2000).exterior.coords, [hole.exterior.coords])
    v122 = MultiPolygon([sq(2250, 0, 3000, 2000), hole])
    t21, v221, v222 = sq(3000, 0, 4500, 2000), sq(4500, 0, 6000, 1000), sq(4500, 1000, 6000, 2000)
    t11, t12 = shapely.union_all([v111, v112]), shapely.union_all([v121, v122])
    t22 = shapely.union_all([v221, v222])
    c1, c2 = shapely.union_all([t11, t12]), shapely.union_all([t21, t22])
    return [
        grid("P", "示例省", 1, None, shapely.union_all([c1, c2])),
        grid("C1", "甲县", 2, "P", c1),
        grid("C2", "乙县", 2, "P", c2),
        grid("T11", "甲一镇", 3, "C1", t11),
        grid("T12", "甲二镇", 3, "C1", t12),
        grid("T21", "乙一镇", 3, "C2", t21),
        grid("T22", "乙二镇", 3, "C2", t22),
        grid("V111", "甲一镇东村", 4, "T11", v111),
        grid("V112", "甲一镇西村", 4, "T11", v112),
        grid("V121", "甲二镇东村", 4, "T12", v121),
        grid("V122", "甲二镇西村", 4, "T12", v122),
        grid("V221", "乙二镇南村", 4, "T22", v221),
        grid("V222", "乙二镇北村", 4, "T22", v222),
    ]


def world_j_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(world_j_rows(), geometry="geometry", crs=PROJECTED)


def river_frame() -> gpd.GeoDataFrame:
    """甲河 in three reaches digitised downstream (west → east) along y=1500, in WGS84."""
    cuts = [(0, 1200), (1200, 3600), (3600, 6000)]
    rows = [
        {
            "river": "甲河",
            "code": f"R{i}",
            "sample_data": True,
            "geometry": LineString([wgs84(a, 1500), wgs84(b, 1500)]),
        }
        for i, (a, b) in enumerate(cuts, 1)
    ]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def line(*points):
    """A GeoJSON LineString through world-metre points."""
    return {"type": "LineString", "coordinates": [list(wgs84(x, y)) for x, y in points]}


def point(x, y):
    """A GeoJSON Point at world metres."""
    return {"type": "Point", "coordinates": list(wgs84(x, y))}


def box_geojson(x1, y1, x2, y2):
    """A GeoJSON Polygon of a world-metre box."""
    ring = [(x1, y1), (x2, y1), (x2, y2), (x1, y2), (x1, y1)]
    return {"type": "Polygon", "coordinates": [[list(wgs84(x, y)) for x, y in ring]]}
