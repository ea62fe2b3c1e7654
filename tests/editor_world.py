"""World "C" for editor tests (WGS84): a county, two towns, four villages tiling it exactly.

39.02 +---------+---------+---------+---------+
      |   V11   *   V12   |   V21   |   V22   |      * = (116.01, 39.01): a vertex
      |         |         |         |         |          shared by V11 and V12 only
39.00 +---------+---------+---------+---------+
   116.00    116.01    116.02    116.03    116.04
      \\______ T1 _______/ \\______ T2 _______/
"""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Polygon, box

from tests.worlds import grid

V11 = Polygon([(116.0, 39.0), (116.01, 39.0), (116.01, 39.01), (116.01, 39.02), (116.0, 39.02)])
V12 = Polygon([(116.01, 39.0), (116.02, 39.0), (116.02, 39.02), (116.01, 39.02), (116.01, 39.01)])
V21, V22 = box(116.02, 39.0, 116.03, 39.02), box(116.03, 39.0, 116.04, 39.02)
STAFF = '[{"name": "示例·网格员", "role": "网格员", "phone": "199-0000-0009", "phone_public": false}]'


def frame():
    rows = [
        grid("C", "丙县", 1, None, box(116.0, 39.0, 116.04, 39.02)),
        grid("T1", "丙一镇", 2, "C", box(116.0, 39.0, 116.02, 39.02)),
        grid("T2", "丙二镇", 2, "C", box(116.02, 39.0, 116.04, 39.02)),
    ]
    rows += [
        grid(code, f"丙村{code}", 3, f"T{code[1]}", geom)
        for code, geom in (("V11", V11), ("V12", V12), ("V21", V21), ("V22", V22))
    ]
    for row in rows:
        row["staff"] = STAFF
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def load(session, tmp_path, publish=True):
    """Import world C (published by default); returns the ImportResult."""
    from gisgrid.grids import service
    from tests.worlds import write

    return service.import_file(session, write(frame(), tmp_path / "c.geojson"), publish=publish)
